"""Entry point: `streamlit run app.py` serves the course and, beside it, the /auth routes."""

import streamlit as st

from modules.web import auth_routes, lifespan

app = st.App("modules/ui/main.py", routes=auth_routes(), lifespan=lifespan)
