"""The Jinja2 environment of the pages: where the templates are and the filters they format with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from backend.app.services import display_names
from backend.app.services.units import format_units

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

templates.env.filters["units"] = format_units
templates.env.filters["short"] = lambda address: display_names.short_address(address) if address else ""
templates.env.filters["when"] = lambda at: at.strftime("%Y-%m-%d %H:%M UTC") if at else ""
templates.env.filters["unix"] = lambda seconds: datetime.fromtimestamp(seconds, UTC)
