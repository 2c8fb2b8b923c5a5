"""Who may call what (OWASP API1 BOLA, API5 BFLA, API3 mass assignment), checked against the app's own routes.

`ACCESS` names a rule for every API route the app serves; a route added without a rule fails
`test_route_inventory__…`, so it cannot ship without saying who may call it and being tested here:
  public     anyone (chain reads and unsigned transactions: the wallet's signature is the authority)
  signed_in  any signed-in user; anonymous → 401 problem
  owner      the object's parties only; anonymous → 401, a signed-in stranger → 403/404 and nothing changes
  moderator  configured moderators only; anonymous → 401, any other user → 403
"""

from __future__ import annotations

import pytest

from backend.app.schemas.tx import ConsentIn
from tests.support.factories import job_post_body, offer_body, proposal_body, published_post

PROBLEM = "application/problem+json"
PUBLIC, SIGNED_IN, OWNER, MODERATOR = "public", "signed_in", "owner", "moderator"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(32))
CONSENT = ConsentIn.model_json_schema()["examples"][0]  # a well-formed body: what is checked is who sends it

ACCESS: dict[tuple[str, str], str] = {
    ("GET", "/health"): PUBLIC,
    ("POST", "/api/auth/nonce"): PUBLIC,
    ("POST", "/api/auth/verify"): PUBLIC,
    ("POST", "/api/auth/sign-out"): PUBLIC,
    ("GET", "/api/me"): SIGNED_IN,
    ("GET", "/api/categories"): PUBLIC,
    ("GET", "/api/me/profile"): SIGNED_IN,
    ("PUT", "/api/me/profile"): SIGNED_IN,
    ("GET", "/api/profiles/{address}"): PUBLIC,
    ("POST", "/api/job-posts"): SIGNED_IN,
    ("GET", "/api/job-posts"): PUBLIC,
    ("GET", "/api/me/job-posts"): SIGNED_IN,
    ("GET", "/api/job-posts/{post_id}"): PUBLIC,  # published ones; a draft is its client's only (below)
    ("PUT", "/api/job-posts/{post_id}"): OWNER,
    ("POST", "/api/job-posts/{post_id}/publish"): OWNER,
    ("POST", "/api/job-posts/{post_id}/close"): OWNER,
    ("POST", "/api/job-posts/{post_id}/link"): OWNER,
    ("POST", "/api/job-posts/{post_id}/proposals"): SIGNED_IN,
    ("POST", "/api/job-posts/{post_id}/proposals/consent"): SIGNED_IN,
    ("GET", "/api/job-posts/{post_id}/proposals"): OWNER,
    ("GET", "/api/me/proposals"): SIGNED_IN,
    ("GET", "/api/proposals/{proposal_id}"): OWNER,
    ("POST", "/api/proposals/{proposal_id}/withdraw"): OWNER,
    ("POST", "/api/proposals/{proposal_id}/shortlist"): OWNER,
    ("POST", "/api/proposals/{proposal_id}/decline"): OWNER,
    ("POST", "/api/proposals/{proposal_id}/accept"): OWNER,
    ("GET", "/api/proposals/{proposal_id}/consent"): OWNER,
    ("PUT", "/api/proposals/{proposal_id}/consent"): OWNER,
    ("POST", "/api/offers"): SIGNED_IN,
    ("GET", "/api/offers"): PUBLIC,
    ("GET", "/api/offers/{offer_id}"): PUBLIC,
    ("PUT", "/api/offers/{offer_id}"): OWNER,
    ("POST", "/api/offers/{offer_id}/close"): OWNER,
    ("POST", "/api/offers/{offer_id}/orders"): SIGNED_IN,
    ("GET", "/api/offers/orders/{order_id}"): OWNER,
    ("GET", "/api/offers/orders/{order_id}/consent"): OWNER,
    ("POST", "/api/offers/orders/{order_id}/accept"): OWNER,
    ("POST", "/api/offers/orders/{order_id}/hire"): OWNER,
    ("POST", "/api/job-posts/{post_id}/threads"): SIGNED_IN,
    ("GET", "/api/threads"): SIGNED_IN,
    ("GET", "/api/threads/{thread_id}"): OWNER,
    ("POST", "/api/threads/{thread_id}/messages"): OWNER,
    ("POST", "/api/threads/{thread_id}/read"): OWNER,
    ("POST", "/api/threads/{thread_id}/attachments"): OWNER,
    ("GET", "/api/attachments/{attachment_id}"): OWNER,
    ("GET", "/api/search/jobs"): PUBLIC,
    ("GET", "/api/search/profiles"): PUBLIC,
    ("GET", "/api/job-posts/{post_id}/matches"): OWNER,
    ("GET", "/api/me/matches"): SIGNED_IN,
    ("POST", "/api/reports"): SIGNED_IN,
    ("GET", "/api/moderation/reports"): MODERATOR,
    ("POST", "/api/moderation/hide"): MODERATOR,
    ("POST", "/api/moderation/restore"): MODERATOR,
    ("GET", "/api/me/moderation"): SIGNED_IN,
    ("GET", "/api/me/notifications"): SIGNED_IN,
    ("POST", "/api/me/notifications/read"): SIGNED_IN,
    ("GET", "/api/jobs"): PUBLIC,
    ("GET", "/api/jobs/{job_id}"): PUBLIC,
    ("GET", "/api/jobs/{job_id}/actions"): PUBLIC,
    ("GET", "/api/jobs/{job_id}/settlement"): PUBLIC,
    ("GET", "/api/jobs/{job_id}/settlement-signatures"): PUBLIC,
    ("POST", "/api/jobs/{job_id}/settlement-signatures"): PUBLIC,  # kept only if it recovers to a party
    ("GET", "/api/jobs/{job_id}/amendments"): PUBLIC,
    ("POST", "/api/jobs/{job_id}/amendments/payload"): PUBLIC,
    ("POST", "/api/jobs/{job_id}/amendments"): PUBLIC,  # kept only if it is the named party's signature
    **{
        ("POST", f"/api/tx/{action}"): PUBLIC
        for action in (
            "token-approve",
            "create-job",
            "create-job-with-permit",
            "fund",
            "submit",
            "approve",
            "release",
            "reclaim",
            "dispute",
            "resolve",
            "default-ruling",
            "cancel-unfunded",
            "settle",
            "extend-deadline",
            "add-milestones",
            "accept-with-deduction",
            "rate",
            "withdraw",
        )
    },
    ("POST", "/api/listings/hash"): PUBLIC,
    ("GET", "/api/wallets/{owner}/token"): PUBLIC,
    ("GET", "/api/tokens"): PUBLIC,
}

# JSON bodies that only build an answer (an unsigned transaction, a hash, a sign-in) and store nothing the
# body names: extra fields there are ignored. Every other JSON body must refuse unknown fields (422).
STATELESS_BODIES = {
    ("POST", "/api/auth/verify"),
    ("POST", "/api/listings/hash"),
    ("POST", "/api/jobs/{job_id}/settlement-signatures"),  # stores signer/bps/signature only, checked on-chain
    *{key for key in ACCESS if key[1].startswith("/api/tx/")},
}


def _api_routes(app) -> set[tuple[str, str]]:
    """Every operation the app documents (an API route hidden from /docs would be a finding of its own)."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/") or path == "/health"
        for method in operations
    }


def _assert_problem(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"] == PROBLEM


def test_route_inventory__every_api_route_has_an_access_rule(app):
    served = _api_routes(app)
    assert served - ACCESS.keys() == set(), "new routes need an access rule (and its tests) here"
    assert ACCESS.keys() - served == set(), "rules for routes that no longer exist"


def _concrete(path: str) -> str:
    return (
        (path.replace("{address}", "0x" + "11" * 20).replace("{owner}", "0x" + "11" * 20).replace("{job_id}", "1"))
        .replace("{post_id}", "1")
        .replace("{proposal_id}", "1")
        .replace("{offer_id}", "1")
        .replace("{order_id}", "1")
        .replace("{thread_id}", "1")
        .replace("{attachment_id}", "1")
    )


def test_anonymous__every_non_public_route__401_problem_before_reading_the_body(api):
    guarded = sorted(key for key, rule in ACCESS.items() if rule != PUBLIC)
    assert len(guarded) > 30
    for method, path in guarded:
        response = api.request(method, _concrete(path), json={})
        assert response.status_code == 401, (method, path, response.status_code)
        _assert_problem(response, 401)


def test_moderation__a_signed_in_non_moderator__403_on_every_moderator_route(client_as):
    someone = client_as("freelancer")
    body = {"kind": "profile", "ref": "0x" + "11" * 20, "reason": "spam"}
    for (method, path), rule in ACCESS.items():
        if rule == MODERATOR:
            _assert_problem(someone.request(method, path, json=body), 403)


@pytest.fixture
def objects(client_as, db, gateway):
    """Real objects of a client and a freelancer, and the requests that touch each, by route."""
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    draft = client.post("/api/job-posts", json=job_post_body(title="A draft")).json()
    proposal = freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body()).json()
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": "hello"})
    upload = freelancer.post(f"/api/threads/{thread['id']}/attachments", params={"filename": "a.png"}, content=PNG)
    attachment = upload.json()["attachment"]
    offer = freelancer.post("/api/offers", json=offer_body()).json()
    payable = freelancer.post("/api/offers", json=offer_body(token=gateway.token.address)).json()
    order = client.post(f"/api/offers/{payable['id']}/orders", json={"tier": 0}).json()
    requests = {
        ("PUT", "/api/job-posts/{post_id}"): ("PUT", f"/api/job-posts/{draft['id']}", {"json": job_post_body()}),
        ("POST", "/api/job-posts/{post_id}/publish"): ("POST", f"/api/job-posts/{draft['id']}/publish", {}),
        ("POST", "/api/job-posts/{post_id}/close"): ("POST", f"/api/job-posts/{post['id']}/close", {}),
        ("POST", "/api/job-posts/{post_id}/link"): (
            "POST",
            f"/api/job-posts/{post['id']}/link",
            {"json": {"chain_job_id": 1}},
        ),
        ("GET", "/api/job-posts/{post_id}/proposals"): ("GET", f"/api/job-posts/{post['id']}/proposals", {}),
        ("GET", "/api/proposals/{proposal_id}"): ("GET", f"/api/proposals/{proposal['id']}", {}),
        ("POST", "/api/proposals/{proposal_id}/withdraw"): ("POST", f"/api/proposals/{proposal['id']}/withdraw", {}),
        ("POST", "/api/proposals/{proposal_id}/shortlist"): ("POST", f"/api/proposals/{proposal['id']}/shortlist", {}),
        ("POST", "/api/proposals/{proposal_id}/decline"): ("POST", f"/api/proposals/{proposal['id']}/decline", {}),
        ("POST", "/api/proposals/{proposal_id}/accept"): ("POST", f"/api/proposals/{proposal['id']}/accept", {}),
        ("GET", "/api/proposals/{proposal_id}/consent"): ("GET", f"/api/proposals/{proposal['id']}/consent", {}),
        ("PUT", "/api/proposals/{proposal_id}/consent"): (
            "PUT",
            f"/api/proposals/{proposal['id']}/consent",
            {"json": CONSENT},
        ),
        ("GET", "/api/offers/orders/{order_id}"): ("GET", f"/api/offers/orders/{order['id']}", {}),
        ("GET", "/api/offers/orders/{order_id}/consent"): ("GET", f"/api/offers/orders/{order['id']}/consent", {}),
        ("POST", "/api/offers/orders/{order_id}/accept"): (
            "POST",
            f"/api/offers/orders/{order['id']}/accept",
            {"json": CONSENT},
        ),
        ("POST", "/api/offers/orders/{order_id}/hire"): ("POST", f"/api/offers/orders/{order['id']}/hire", {}),
        ("PUT", "/api/offers/{offer_id}"): ("PUT", f"/api/offers/{offer['id']}", {"json": offer_body(title="Mine")}),
        ("POST", "/api/offers/{offer_id}/close"): ("POST", f"/api/offers/{offer['id']}/close", {}),
        ("GET", "/api/threads/{thread_id}"): ("GET", f"/api/threads/{thread['id']}", {}),
        ("POST", "/api/threads/{thread_id}/messages"): (
            "POST",
            f"/api/threads/{thread['id']}/messages",
            {"json": {"body": "let me in"}},
        ),
        ("POST", "/api/threads/{thread_id}/read"): ("POST", f"/api/threads/{thread['id']}/read", {}),
        ("POST", "/api/threads/{thread_id}/attachments"): (
            "POST",
            f"/api/threads/{thread['id']}/attachments",
            {"params": {"filename": "x.png"}, "content": PNG},
        ),
        ("GET", "/api/attachments/{attachment_id}"): ("GET", attachment["url"], {}),
        ("GET", "/api/job-posts/{post_id}/matches"): ("GET", f"/api/job-posts/{post['id']}/matches", {}),
    }
    snapshot = {
        "draft": client.get(f"/api/job-posts/{draft['id']}").json(),
        "post": client.get(f"/api/job-posts/{post['id']}").json(),
        "proposal": freelancer.get(f"/api/proposals/{proposal['id']}").json(),
        "thread": freelancer.get(f"/api/threads/{thread['id']}").json(),
        "offer": freelancer.get(f"/api/offers/{offer['id']}").json(),
        "order": client.get(f"/api/offers/orders/{order['id']}").json(),
    }
    return (
        client,
        freelancer,
        requests,
        snapshot,
        {"draft": draft, "post": post, "proposal": proposal, "thread": thread, "offer": offer, "order": order},
    )


def test_bola__a_stranger__403_or_404_on_every_owner_route_and_nothing_changes(objects, client_as):
    client, freelancer, requests, before, ids = objects
    assert requests.keys() == {key for key, rule in ACCESS.items() if rule == OWNER}, "an owner route lacks a case"
    stranger = client_as("stranger")
    for key, (method, url, kwargs) in sorted(requests.items()):
        response = stranger.request(method, url, **kwargs)
        assert response.status_code in (403, 404), (key, response.status_code, response.text)
        assert response.headers["content-type"] == PROBLEM, key
    after = {
        "draft": client.get(f"/api/job-posts/{ids['draft']['id']}").json(),
        "post": client.get(f"/api/job-posts/{ids['post']['id']}").json(),
        "proposal": freelancer.get(f"/api/proposals/{ids['proposal']['id']}").json(),
        "thread": freelancer.get(f"/api/threads/{ids['thread']['id']}").json(),
        "offer": freelancer.get(f"/api/offers/{ids['offer']['id']}").json(),
        "order": client.get(f"/api/offers/orders/{ids['order']['id']}").json(),
    }
    assert after == before
    assert stranger.get(f"/api/job-posts/{ids['draft']['id']}").status_code == 404  # a draft is not public


CLIENT_FUNCTIONS = {
    ("POST", "/api/proposals/{proposal_id}/shortlist"),
    ("POST", "/api/proposals/{proposal_id}/decline"),
    ("POST", "/api/proposals/{proposal_id}/accept"),
    ("POST", "/api/offers/orders/{order_id}/hire"),
}
FREELANCER_FUNCTIONS = {
    ("POST", "/api/proposals/{proposal_id}/withdraw"),
    ("GET", "/api/proposals/{proposal_id}/consent"),
    ("PUT", "/api/proposals/{proposal_id}/consent"),
    ("PUT", "/api/offers/{offer_id}"),
    ("POST", "/api/offers/{offer_id}/close"),
    ("GET", "/api/offers/orders/{order_id}/consent"),
    ("POST", "/api/offers/orders/{order_id}/accept"),
}


def test_bfla__each_party_refused_the_other_partys_functions(objects):
    client, freelancer, requests, _, _ = objects
    for key, (real_method, url, kwargs) in sorted(requests.items()):
        if key in CLIENT_FUNCTIONS:
            _assert_problem(freelancer.request(real_method, url, **kwargs), 403, 404)  # the freelancer calls it
        if key in FREELANCER_FUNCTIONS:
            _assert_problem(client.request(real_method, url, **kwargs), 403, 404)  # the client calls it


def test_mass_assignment__every_stateful_json_body_refuses_unknown_fields(app):
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content or (method.upper(), path) in STATELESS_BODIES:
                continue
            ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert schemas[ref].get("additionalProperties") is False, f"{method.upper()} {path}: {ref} takes extras"
            checked += 1
    assert checked >= 12


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "hired"), ("freelancer", "0x" + "66" * 20), ("paid_to_freelancer", "999"), ("reputation", 5)],
)
def test_mass_assignment__status_money_or_reputation_in_a_body__422_and_nothing_stored(client_as, field, value):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    attempts = [
        (client, "POST", "/api/job-posts", job_post_body(**{field: value})),
        (freelancer, "POST", f"/api/job-posts/{post['id']}/proposals", proposal_body(**{field: value})),
        (freelancer, "POST", "/api/offers", offer_body(**{field: value})),
        (freelancer, "PUT", "/api/me/profile", {"display_name": "Wei", field: value}),
    ]
    for who, method, url, body in attempts:
        _assert_problem(who.request(method, url, json=body), 422)
    assert freelancer.get("/api/me/proposals").json() == []
    assert freelancer.get("/api/offers").json() == []
    assert [p["id"] for p in client.get("/api/me/job-posts").json()] == [post["id"]]
