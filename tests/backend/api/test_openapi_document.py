"""The OpenAPI document at /docs is complete: every operation tagged, summarised and documenting its problems;
every tag described; every object schema (request bodies, responses and the models nested in them) with an
example that its own pydantic model accepts and that is valid against the document's own schema."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import pytest
from eth_abi import decode
from eth_utils import is_checksum_address, keccak
from pydantic import BaseModel, ValidationError

import backend.app.schemas
from backend.app.api.openapi_examples import route_models
from backend.app.core.config import Settings
from backend.app.core.escrow_terms import Milestone, Terms, signer_of
from backend.app.main import create_app
from backend.app.schemas import examples
from backend.app.schemas.job_post import EXAMPLE_JOB_POST, JobPostOut
from backend.app.schemas.proposal import AcceptOut, OfferOut, OrderOut, ProposalIn
from backend.app.schemas.tx import ConsentOut, CreateJobRequest, SettleRequest, TypedData
from backend.app.services.listing_hash import metadata_hash

PROBLEM = "application/problem+json"
WITHOUT_EXAMPLE: dict[str, str] = {}  # name: why it has none (yet)
TERMS_TYPE = (
    "(address,address,address,address,uint256,uint256,uint256,uint256,bytes32,uint256,uint256,(uint256,uint256)[])"
)
CREATE_JOB_TYPES = (TERMS_TYPE, "bytes", "uint256")


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


def _submodules(package) -> list:
    return [importlib.import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


def _document_models() -> dict[str, type[BaseModel]]:
    """Every pydantic model the routes take or answer with, nested ones too, plus the schema modules' own."""
    found: list[type[BaseModel]] = []
    for module in _submodules(backend.app.schemas):
        found += [v for v in vars(module).values() if inspect.isclass(v) and issubclass(v, BaseModel)]
    found += route_models(create_app(Settings(database_url="sqlite://"))).values()
    models: dict[str, type[BaseModel]] = {}
    for model in found:
        assert models.setdefault(model.__name__, model) is model, f"two models named {model.__name__}"
    return models


def _object_schemas(spec: dict) -> dict[str, dict]:
    return {name: schema for name, schema in spec["components"]["schemas"].items() if schema.get("type") == "object"}


def test_every_json_request_body__is_a_component_with_an_example(spec):
    schemas = spec["components"]["schemas"]
    bodies = {name for _, operation in _operations(spec) if (name := _body_schema_name(operation))}
    assert len(bodies) > 20
    without = sorted(name for name in bodies if not schemas[name].get("examples"))
    assert not without, f"request bodies without an example: {without}"


def test_every_object_schema__has_an_example__unless_listed_with_a_reason(spec):
    objects = _object_schemas(spec)
    assert len(objects) > 60
    without = sorted(name for name, schema in objects.items() if not schema.get("examples"))
    assert without == sorted(WITHOUT_EXAMPLE), (
        f"without an example: {without}; listed as exceptions: {sorted(WITHOUT_EXAMPLE)} "
        "(give the schema an example, or take it off the list once it has one)"
    )


def test_every_example__is_accepted_by_its_own_model__whole(spec):
    """Each object schema's examples, as its pydantic model declares them (nested models inside), validate."""
    models = _document_models()
    objects = _object_schemas(spec)
    assert objects.keys() <= models.keys(), objects.keys() - models.keys()
    checked, refused = 0, []
    for name in objects:
        for number, example in enumerate(models[name].model_json_schema().get("examples", [])):
            try:
                models[name].model_validate(example)
            except ValidationError as error:
                refused.append(f"{name} example {number}: {error}")
            checked += 1
    assert not refused, "\n".join(refused)
    assert checked >= len(objects) - len(WITHOUT_EXAMPLE)


def test_the_document_shows_each_models_own_examples__nulls_included(spec):
    """FastAPI drops null values from the document (fastapi/fastapi#5559); api/openapi_examples.py puts them back."""
    models = _document_models()
    nulls = 0
    for name, schema in _object_schemas(spec).items():
        declared = models[name].model_json_schema().get("examples", [])
        assert schema.get("examples", []) == declared, name
        nulls += json.dumps(declared).count("null")
    assert nulls > 0, "no example has a null field: this test no longer shows that nulls survive"


def test_every_request_body_example__as_the_document_shows_it__is_accepted(spec):
    """The fuzzer sends these exact bodies (its explicit phase), so they must pass the endpoint's validation."""
    models = _document_models()
    bodies = {name for _, operation in _operations(spec) if (name := _body_schema_name(operation))}
    for name in bodies:
        for example in spec["components"]["schemas"][name]["examples"]:
            models[name].model_validate(example)


def test_every_example__is_valid_against_the_documents_own_schema(spec):
    """The same examples checked the way a client generator or schemathesis reads them: as JSON Schema."""
    models = _document_models()
    refused = []
    for name in _object_schemas(spec):
        validator = jsonschema_rs.Draft202012Validator(
            {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
        )
        for number, example in enumerate(models[name].model_json_schema().get("examples", [])):
            refused += [f"{name} example {number}: {error}" for error in validator.iter_errors(example)]
    assert not refused, "\n".join(refused)


def _strings(value) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_every_example__writes_addresses_hashes_and_times_as_the_api_does(spec):
    """Checksummed addresses, lowercase 32-byte hex, ISO 8601 times in UTC ("Z")."""
    wrong = []
    for name, schema in _object_schemas(spec).items():
        for text in _strings(schema.get("examples", [])):
            if re.fullmatch(r"0x[0-9a-fA-F]{40}", text) and not is_checksum_address(text):
                wrong.append(f"{name}: {text} is not checksummed")
            if re.fullmatch(r"0x[0-9a-fA-F]{64}", text) and text != text.lower():
                wrong.append(f"{name}: {text} is not lowercase hex")
            if re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+.*", text) and not text.endswith("Z"):
                wrong.append(f"{name}: {text} is not a UTC time")
    assert not wrong, "\n".join(wrong)


def _example(model: type[BaseModel]) -> BaseModel:
    return model.model_validate(model.model_json_schema()["examples"][0])


def test_the_settlement_example__is_signed_by_both_parties():
    """The typed data's signatures in the settle example recover to the escrow example's client and freelancer."""
    typed = _example(TypedData)
    settle = _example(SettleRequest)
    assert typed.message == {
        "jobId": str(settle.job_id),
        "freelancerBps": str(settle.freelancer_bps),
        "nonce": "1",
        "expiry": str(settle.expiry),
    }
    assert signer_of(typed.model_dump(), settle.client_signature) == examples.CLIENT
    assert signer_of(typed.model_dump(), settle.freelancer_signature) == examples.FREELANCER


def _create_job_call(calldata_hex: str) -> tuple[Terms, bytes, int]:
    calldata = bytes.fromhex(calldata_hex.removeprefix("0x"))
    assert calldata[:4] == keccak(text=f"create_job({','.join(CREATE_JOB_TYPES)})")[:4]
    terms, consent, fund_count = decode(CREATE_JOB_TYPES, calldata[4:])
    client, freelancer, token, arbiter, *numbers, metadata, salt, expiry, milestones = terms
    return (
        Terms(
            client=client,
            freelancer=freelancer,
            token=token,
            arbiter=arbiter,
            arbiter_fee_bps=numbers[0],
            platform_fee_bps=numbers[1],
            review_period=numbers[2],
            ruling_window=numbers[3],
            metadata_hash=metadata,
            salt=salt,
            offer_expiry=expiry,
            milestones=[Milestone(a, d) for a, d in milestones],
        ),
        consent,
        fund_count,
    )


def test_the_story_the_examples_tell__checks_out():
    """The listing's and the order's metadata hash are keccak256 of their canonical JSON; the proposal's consent is
    Li Wei's signature of the terms the escrow example holds, which the hire calldata creates the job with; its
    deadlines are the start plus the durations."""
    assert metadata_hash(json.loads(examples.LISTING_CANONICAL_JSON)) == examples.LISTING_HASH
    assert metadata_hash(json.loads(examples.ORDER_CANONICAL_JSON)) == examples.ORDER_HASH
    post = JobPostOut.model_validate(EXAMPLE_JOB_POST)
    assert json.loads(post.canonical_json)["id"] == post.id and post.chain is not None
    assert post.chain.metadata_hash == post.metadata_hash
    job_terms = post.chain.terms.to_terms()
    assert "0x" + job_terms.struct_hash().hex() == post.chain.terms_hash == examples.TERMS_HASH
    assert (job_terms.client, job_terms.freelancer, job_terms.token) == (
        post.chain.client,
        post.chain.freelancer,
        post.chain.token,
    )
    start = int(post.chain.created_at.timestamp())
    assert start == examples.JOB_START
    assert [int(m.deadline.timestamp()) for m in post.chain.milestones] == [
        job_terms.deadline(start, m.index) for m in post.chain.milestones
    ]

    proposal = _example(ProposalIn)
    assert proposal.consent is not None and proposal.consent.terms.to_terms() == job_terms
    consent = _example(ConsentOut)
    assert consent.terms.to_terms() == job_terms and consent.terms_hash == post.chain.terms_hash
    assert consent.typed_data.model_dump() == job_terms.consent_typed_data(
        chain_id=examples.CHAIN_ID, escrow=examples.ESCROW
    )
    assert signer_of(consent.typed_data.model_dump(), proposal.consent.signature) == examples.FREELANCER
    assert _example(CreateJobRequest).consent == proposal.consent.signature

    hire = _example(AcceptOut).hire
    terms, signature, fund_count = _create_job_call(hire.create_and_fund.data)
    assert terms == job_terms and "0x" + signature.hex() == proposal.consent.signature
    assert fund_count == post.chain.milestone_count
    assert hire.terms_hash == post.chain.terms_hash
    approve = bytes.fromhex(examples.APPROVE_CALLDATA.removeprefix("0x"))
    assert approve[:4] == keccak(text="approve(address,uint256)")[:4]
    assert decode(("address", "uint256"), approve[4:]) == (post.chain.escrow.lower(), int(post.chain.total))


def test_the_order_example__hires_what_the_offer_sells__with_the_freelancers_consent():
    order = _example(OrderOut)
    offer = _example(OfferOut)
    document = json.loads(order.canonical_json)
    assert (document["offer_id"], document["client"], document["freelancer"]) == (
        offer.id,
        order.client,
        offer.freelancer,
    )
    assert document["tier"]["price"] == offer.tiers[order.tier].price == str(sum(map(int, order.hire.amounts)))
    terms, signature, fund_count = _create_job_call(order.hire.create_and_fund.data)
    assert order.consent_terms is not None and terms == order.consent_terms.to_terms()
    assert (terms.freelancer, terms.token) == (offer.freelancer, offer.token)
    assert terms.metadata_hash == order.hire.metadata_hash == metadata_hash(document)
    assert [str(m.amount) for m in terms.milestones] == order.hire.amounts and fund_count == len(order.hire.amounts)
    payload = terms.consent_typed_data(chain_id=examples.CHAIN_ID, escrow=examples.ESCROW)
    assert signer_of(payload, "0x" + signature.hex()) == offer.freelancer
    assert order.hire.terms_hash == "0x" + terms.struct_hash().hex()
