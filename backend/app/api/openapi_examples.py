"""The OpenAPI document with every model's examples as the model declares them, nulls included.

FastAPI writes the document through `jsonable_encoder(..., exclude_none=True)`, which drops every null value,
examples' included (fastapi/fastapi#5559): an example's nullable field that is null (a job's `settlement`, a
milestone's `closed_at`) would vanish from /docs, and the example would no longer show the response's shape.
`install` wraps `app.openapi` so that each component schema named after a model the routes take or answer with
gets that model's declared examples back, whole.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel


def _nested_models(annotation: Any, seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    """The pydantic models inside a type (list[X], X | None, dict[str, X] ...), and the models inside those."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        yield annotation
        for field in annotation.model_fields.values():
            yield from _nested_models(field.annotation, seen)
    for argument in get_args(annotation):
        yield from _nested_models(argument, seen)


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """The API routes, including those of included routers (FastAPI keeps those behind `original_router`)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


def route_models(app: FastAPI) -> dict[str, type[BaseModel]]:
    """Every pydantic model the app's routes take as a body or answer with, nested ones too, by class name."""
    seen: set[type[BaseModel]] = set()
    models: dict[str, type[BaseModel]] = {}
    for route in _api_routes(app.routes):
        annotations = [route.response_model]
        if route.body_field is not None:
            annotations.append(route.body_field.field_info.annotation)
        for annotation in annotations:
            for model in _nested_models(annotation, seen):
                models.setdefault(model.__name__, model)
    return models


def install(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        models = route_models(app)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            model = models.get(name)
            examples = None if model is None else model.model_json_schema().get("examples")
            if examples:
                schema["examples"] = examples
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
