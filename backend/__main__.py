"""Command line: `python -m backend --help` serves the API and web UI."""

from __future__ import annotations

import click
import uvicorn

from backend.app.core.config import get_settings


@click.command()
@click.option("--host", default=None, help="Bind address (default: JIEDAN_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default: JIEDAN_PORT or 8000).")
@click.option("--workers", default=1, show_default=True, help="API processes.")
@click.option("--migrate/--no-migrate", default=False, show_default=True, help="Run the migrations first.")
def cli(host: str | None, port: int | None, workers: int, migrate: bool) -> None:
    """Serve the Jiedan API and web UI.

    Configuration comes from JIEDAN_* environment variables: JIEDAN_DATABASE_URL,
    JIEDAN_RPC_URL, JIEDAN_DEPLOYMENTS_FILE, JIEDAN_HOST, JIEDAN_PORT.
    """
    settings = get_settings()
    if migrate:
        from backend.app.core.migrate import upgrade

        upgrade(settings.database_url)
    uvicorn.run(
        "backend.app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )


if __name__ == "__main__":
    cli()
