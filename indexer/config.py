"""The indexer reads the same typed settings as the API (JIEDAN_* environment variables)."""

from backend.app.core.config import Settings, get_settings

__all__ = ["Settings", "get_settings"]
