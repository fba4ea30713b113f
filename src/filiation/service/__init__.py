"""Service stage: the FastAPI app that serves the report's views as pages and a JSON API."""
from .app import TOKEN_ENV, create_app
from .limits import Limits

__all__ = ["create_app", "Limits", "TOKEN_ENV"]
