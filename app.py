"""Entry point: `streamlit run app.py` serves the course and, beside it, the /auth routes."""

import streamlit as st

from modules.services.errors import StorageUnavailable
from modules.web import auth_routes, database_down, lifespan

app = st.App(
    "modules/ui/main.py",
    routes=auth_routes(),
    lifespan=lifespan,
    exception_handlers={StorageUnavailable: database_down},
)
