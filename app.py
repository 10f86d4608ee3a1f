"""Entry point: `streamlit run app.py` serves the course and, beside it, the /auth and /verify
routes."""

import streamlit as st

from modules.services.errors import StorageUnavailable
from modules.web import auth_routes, database_down, lifespan, verify_routes

app = st.App(
    "modules/ui/main.py",
    routes=[*auth_routes(), *verify_routes()],
    lifespan=lifespan,
    exception_handlers={StorageUnavailable: database_down},
)
