"""Migration 0620 adds the consent salts on SQLite and PostgreSQL: every consent kept so far (a proposal's, an
accepted order's) holds its salt, one row per (freelancer, salt), and the table goes again on downgrade."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from backend.app.core.migrate import alembic_config

NOW = "2026-11-01 00:00:00+00:00"
CLIENT, FREELANCER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
BIG_SALT = 2**255 + 7  # what the app signed before: a random uint256


def _terms(salt: int, expiry: int) -> str:
    return json.dumps({"freelancer": FREELANCER, "client": CLIENT, "salt": str(salt), "offer_expiry": expiry})


def _uint(url: str, value: int) -> object:
    return str(value).zfill(78) if "sqlite" in url else value


def test_upgrade_to_0620__kept_consents_hold_their_salts__one_per_freelancer_and_salt__downgrade_back(empty_url):
    command.upgrade(alembic_config(empty_url), "0610")
    engine = create_engine(empty_url)
    with engine.begin() as connection:
        for address in (CLIENT, FREELANCER):
            connection.execute(text(f"INSERT INTO users VALUES ('{address}', '{NOW}', '{NOW}')"))
        connection.execute(
            text(
                "INSERT INTO job_posts (id, client, status, title, description, description_html, category, budget,"
                " token, milestones, canonical_json, metadata_hash, hidden, created_at, updated_at)"
                " VALUES (1, :client, 'published', 'Logo', '', '', 'design', :budget, '0xT', '[]', '{}', '0x00',"
                f" false, '{NOW}', '{NOW}')"
            ),
            {"client": CLIENT, "budget": _uint(empty_url, 1)},
        )
        for proposal_id, by, terms in ((1, FREELANCER, _terms(BIG_SALT, 1_800_000_000)), (2, CLIENT, None)):
            connection.execute(
                text(
                    "INSERT INTO proposals (id, job_post_id, freelancer, cover_letter, milestones, status,"
                    f" consent_terms, created_at, updated_at) VALUES (:id, 1, :freelancer, 'Hi', '[]', 'submitted',"
                    f" :terms, '{NOW}', '{NOW}')"
                ),
                {"id": proposal_id, "freelancer": by, "terms": terms},
            )
        connection.execute(
            text(
                "INSERT INTO service_offers (id, freelancer, title, description, category, token, status, hidden,"
                f" created_at, updated_at) VALUES (5, :freelancer, 'Audit', '', 'design', '0xT', 'active', false,"
                f" '{NOW}', '{NOW}')"
            ),
            {"freelancer": FREELANCER},
        )
        connection.execute(
            text(
                "INSERT INTO offer_orders (id, offer_id, tier, client, canonical_json, metadata_hash, status,"
                f" consent_terms, created_at) VALUES (3, 5, 0, :client, '{{}}', '0x00', 'accepted', :terms, '{NOW}')"
            ),
            {"client": CLIENT, "terms": _terms(12, 1_800_000_001)},
        )
    engine.dispose()

    command.upgrade(alembic_config(empty_url), "0620")
    engine = create_engine(empty_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT freelancer, salt, offer_expiry, proposal_id, order_id FROM consent_salts ORDER BY salt")
        ).all()
    assert [(f, int(s), e, p, o) for f, s, e, p, o in rows] == [
        (FREELANCER, 12, 1_800_000_001, None, 3),
        (FREELANCER, BIG_SALT, 1_800_000_000, 1, None),
    ]
    with pytest.raises(IntegrityError), engine.begin() as connection:  # a second consent with a held salt
        connection.execute(
            text("INSERT INTO consent_salts VALUES (:freelancer, :salt, 1, 2, NULL)"),
            {"freelancer": FREELANCER, "salt": _uint(empty_url, 12)},
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:  # a row holds for one consent exactly
        connection.execute(
            text("INSERT INTO consent_salts VALUES (:freelancer, :salt, 1, NULL, NULL)"),
            {"freelancer": FREELANCER, "salt": _uint(empty_url, 13)},
        )
    engine.dispose()

    command.downgrade(alembic_config(empty_url), "0610")
    engine = create_engine(empty_url)
    assert "consent_salts" not in inspect(engine).get_table_names()
    engine.dispose()
