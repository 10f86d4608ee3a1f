"""The facilitator's domain: cohort rules, roster import and reports built from plain records.

Pure: no database, no Streamlit. Services turn storage rows into the records in `records.py`.
"""
