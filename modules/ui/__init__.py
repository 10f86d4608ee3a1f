"""Streamlit pages and small components: read input, call a service, render."""
