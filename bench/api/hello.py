"""The anchor: FastAPI's hello-world, served by the same uvicorn the benchmark uses, to read the machine's speed."""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/")
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    return app
