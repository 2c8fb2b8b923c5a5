"""The OpenAPI document at /docs is complete: every operation tagged, summarised and documenting its problems;
every tag described; every request body (and the main responses) with an example that its own model accepts."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

import backend.app.schemas
from backend.app.api import routes
from backend.app.core.config import Settings
from backend.app.main import create_app

PROBLEM = "application/problem+json"
MAIN_RESPONSES = {
    "ProfileOut",
    "OfferOut",
    "ProposalOut",
    "MessageOut",
    "ThreadOut",
    "ReportOut",
    "NotificationOut",
    "MeOut",
    "TokenPosition",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    database = Path(tmp_path_factory.mktemp("openapi")) / "unused.db"  # the document never touches the database
    application = create_app(Settings(database_url=f"sqlite:///{database}"))
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def spec(app) -> dict:
    return app.openapi()


def _operations(spec: dict):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _body_schema_name(operation: dict) -> str | None:
    content = operation.get("requestBody", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def test_every_operation__has_a_tag_a_summary_and_a_problem_response(spec):
    missing = []
    for name, operation in _operations(spec):
        if not operation.get("tags"):
            missing.append(f"{name}: no tag")
        if not operation.get("summary"):
            missing.append(f"{name}: no summary")
        problems = [status for status, answer in operation["responses"].items() if PROBLEM in answer.get("content", {})]
        if not any(status.startswith(("4", "5")) for status in problems):
            missing.append(f"{name}: no application/problem+json error response")
    assert len(list(_operations(spec))) > 60
    assert not missing, "\n".join(missing)


def test_invalid_request__documented_as_a_problem__not_fastapis_default_shape(spec):
    for name, operation in _operations(spec):
        invalid = operation["responses"].get("422")
        if invalid is not None:
            assert list(invalid["content"]) == [PROBLEM], name


def test_every_tag_in_use__has_a_description(spec):
    described = {tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])}
    used = {tag for _, operation in _operations(spec) for tag in operation.get("tags", [])}
    assert used <= described.keys(), used - described.keys()
    assert all(len(described[tag]) > 20 for tag in used), described


def test_every_json_request_body__and_the_main_responses__carry_examples(spec):
    schemas = spec["components"]["schemas"]
    bodies = {name for _, operation in _operations(spec) if (name := _body_schema_name(operation))}
    assert len(bodies) > 20
    without = sorted(name for name in bodies | MAIN_RESPONSES if not schemas[name].get("examples"))
    assert not without, f"schemas without examples: {without}"


def _submodules(package) -> list:
    return [importlib.import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


def _models_with_examples() -> dict[str, type[BaseModel]]:
    """Every pydantic model in backend.app.schemas (and the routes' own body models) that declares examples."""
    models = {}
    for module in _submodules(backend.app.schemas):
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                models[name] = value
    return {name: model for name, model in models.items() if model.model_json_schema().get("examples")}


def _route_body_models() -> dict[str, type[BaseModel]]:
    """The JSON body model of every route, wherever it is defined (some live in their service module)."""
    found = {}
    for route in (route for module in _submodules(routes) for route in module.router.routes):
        if isinstance(route, APIRoute) and route.body_field is not None:
            annotation = route.body_field.field_info.annotation
            if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
                found[annotation.__name__] = annotation
    return found


def test_every_example__is_accepted_by_its_own_model(app, spec):
    models = {**_models_with_examples(), **_route_body_models()}
    bodies = {name for _, operation in _operations(spec) if (name := _body_schema_name(operation))}
    assert bodies <= models.keys(), bodies - models.keys()
    checked, refused = 0, []
    for name, model in models.items():
        for example in model.model_json_schema().get("examples", []):
            try:
                model.model_validate(example)
            except ValidationError as error:
                refused.append(f"{name}: {error}")
            checked += 1
    assert not refused, "\n".join(refused)
    assert checked >= len(bodies)
