"""Pure course domain: content models, loading, validation and the teaching engine.

Imports neither streamlit nor sqlalchemy, so it is tested without a database or a browser.
"""
