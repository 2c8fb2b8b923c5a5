"""Migrations 0600 and 0610 move a database to escrow v2 on SQLite and PostgreSQL: v1 chain rows and settlement
signatures go (the indexer projects the v2 deployment), a proposal's milestones get durations and no consent,
an offer order waits for its freelancer; the amendment signatures table comes and goes."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, inspect, text

from backend.app.core.migrate import alembic_config

NOW = "2026-11-01 00:00:00+00:00"


def test_upgrade_to_0600_then_0610__v1_rows_go__proposals_timed__downgrade_back(empty_url):
    command.upgrade(alembic_config(empty_url), "0520")
    engine = create_engine(empty_url)
    budget = "1".zfill(78) if "sqlite" in empty_url else 1
    with engine.begin() as connection:
        for address in ("0xA", "0xB"):
            connection.execute(text(f"INSERT INTO users VALUES ('{address}', '{NOW}', '{NOW}')"))
        connection.execute(
            text(
                "INSERT INTO job_posts (id, client, status, title, description, description_html, category, budget,"
                " token, milestones, canonical_json, metadata_hash, hidden, created_at, updated_at)"
                " VALUES (1, '0xA', 'published', 'Logo', '', '', 'design', :budget, '0xT', '[]', '{}', '0x00',"
                f" false, '{NOW}', '{NOW}')"
            ),
            {"budget": budget},
        )
        plan = [{"title": "Sketch", "amount": "1"}, {"title": "Final", "amount": "2"}]
        connection.execute(
            text(
                "INSERT INTO proposals (id, job_post_id, freelancer, cover_letter, milestones, status, created_at,"
                f" updated_at) VALUES (1, 1, '0xB', 'Hi', :plan, 'submitted', '{NOW}', '{NOW}')"
            ),
            {"plan": json.dumps(plan)},
        )
        connection.execute(
            text("INSERT INTO settlement_signatures VALUES (31337, 1, 0, 5000, '0xA', :signature, :at)"),
            {"signature": "0x" + "ab" * 65, "at": NOW},
        )
        connection.execute(text(f"INSERT INTO indexer_checkpoints VALUES (31337, 9, '0x{'00' * 32}', '{NOW}')"))
    command.upgrade(alembic_config(empty_url), "0600")
    with engine.connect() as connection:
        [(milestones, terms)] = connection.execute(text("SELECT milestones, consent_terms FROM proposals")).all()
        assert connection.execute(text("SELECT count(*) FROM settlement_signatures")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM indexer_checkpoints")).scalar() == 0
    milestones = milestones if isinstance(milestones, list) else json.loads(milestones)
    assert [m["duration"] for m in milestones] == [14 * 86_400, 28 * 86_400] and terms is None
    columns = {c["name"] for c in inspect(engine).get_columns("chain_jobs")}
    assert "terms_hash" in columns
    assert "expiry" in {c["name"] for c in inspect(engine).get_columns("settlement_signatures")}
    engine.dispose()

    command.upgrade(alembic_config(empty_url), "0610")
    engine = create_engine(empty_url)
    assert "amendment_signatures" in inspect(engine).get_table_names()
    engine.dispose()
    command.downgrade(alembic_config(empty_url), "0520")
    engine = create_engine(empty_url)
    assert "amendment_signatures" not in inspect(engine).get_table_names()
    assert "terms_hash" not in {c["name"] for c in inspect(engine).get_columns("chain_jobs")}
    assert "consent_terms" not in {c["name"] for c in inspect(engine).get_columns("proposals")}
    with engine.connect() as connection:
        restored = connection.execute(text("SELECT milestones FROM proposals")).scalar()
    assert (restored if isinstance(restored, list) else json.loads(restored)) == plan  # v1's shape again
    engine.dispose()
