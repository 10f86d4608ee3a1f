"""Entry point: `streamlit run app.py` serves the course and, beside it, the /auth and /verify
routes."""

import streamlit as st

from modules.services.errors import StorageUnavailable
from modules.ui.sitemap import members_only_paths
from modules.web import auth_routes, database_down, lifespan, verify_routes
from modules.web.sign_in_first import sign_in_first

app = st.App(
    "modules/ui/main.py",
    routes=[*auth_routes(), *verify_routes()],
    lifespan=lifespan,
    middleware=[sign_in_first(members_only_paths())],
    exception_handlers={StorageUnavailable: database_down},
)
