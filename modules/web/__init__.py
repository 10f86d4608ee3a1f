"""Plain HTTP routes beside the Streamlit app: sign-in forms that can set cookies."""

from modules.web.routes import auth_routes, database_down, lifespan
from modules.web.verify import verify_routes

__all__ = ["auth_routes", "database_down", "lifespan", "verify_routes"]
