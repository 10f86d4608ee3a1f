"""Entry point: `streamlit run app.py` serves the course and, beside it, the /auth and /verify
routes."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from modules.services.errors import StorageUnavailable
from modules.ui.sitemap import members_only_paths
from modules.web import auth_routes, database_down, lifespan, verify_routes
from modules.web.resume import rerun_lost_fragments_in_full
from modules.web.sign_in_first import sign_in_first
from modules.web.theme import theme_built_once
from modules.web.turns import script_runs_take_turns

# Streamlit 1.67 takes the folder modules/ui/pages/ beside the navigation script for a
# version-1 multipage app until some session of the process calls st.navigation: until then a
# session opened at /progress, /privacy or /player ran that file alone, without the navigation
# script (the folder's file names as the menu, no sign-out). Every page here is declared by
# st.navigation, so the folder never means that (tests/e2e/test_first_page_load.py).
PagesManager.uses_pages_directory = False
# A page that reconnects to a new process (a replica died, a restart) names a fragment that
# process never ran; Streamlit would drop that click in silence (modules/web/resume.py).
rerun_lost_fragments_in_full()
# A hundred learners at once: their runs wait in line instead of all sharing the GIL at once.
script_runs_take_turns()
# Every run's first message carries the theme; it is built once, not on each run.
theme_built_once()

app = st.App(
    "modules/ui/main.py",
    routes=[*auth_routes(), *verify_routes()],
    lifespan=lifespan,
    middleware=[sign_in_first(members_only_paths())],
    exception_handlers={StorageUnavailable: database_down},
)
