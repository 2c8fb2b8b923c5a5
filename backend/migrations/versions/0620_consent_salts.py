"""consent salts: the salt each consent the app keeps (a proposal's, an accepted offer order's) holds, one row
per (freelancer, salt), so that two usable consents of one freelancer never share a salt

Revision ID: 0620
Revises: 0610

The escrow now uses a consent once, by the bit of its (freelancer, salt) pair, 256 salts of a freelancer to a
storage word; the app allots each freelancer's consents small sequential salts (services/consent_salts.py)
and this table is what refuses a second consent with a salt already held. The consents kept so far get their
rows (random 256-bit salts until now: they keep them).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.app.models.types import UInt256

revision: str = "0620"
down_revision: str | None = "0610"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "consent_salts",
        sa.Column("freelancer", sa.String(42), nullable=False),
        sa.Column("salt", UInt256(), nullable=False),
        sa.Column("offer_expiry", sa.BigInteger(), nullable=False),
        sa.Column("proposal_id", ID, nullable=True),
        sa.Column("order_id", ID, nullable=True),
        sa.CheckConstraint("(proposal_id IS NULL) <> (order_id IS NULL)", name=op.f("ck_consent_salts_one_holder")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_consent_salts_proposal_id_proposals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["offer_orders.id"], name=op.f("fk_consent_salts_order_id_offer_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("freelancer", "salt", name=op.f("pk_consent_salts")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_consent_salts_proposal_id")),
        sa.UniqueConstraint("order_id", name=op.f("uq_consent_salts_order_id")),
    )
    connection = op.get_bind()
    kept = [
        (column, row.id, row.consent_terms)
        for column, table in (("proposal_id", "proposals"), ("order_id", "offer_orders"))
        for row in connection.execute(
            sa.text(f"SELECT id, consent_terms FROM {table} WHERE consent_terms IS NOT NULL")  # noqa: S608
        )
    ]
    rows: dict[tuple[str, int], dict[str, object]] = {}
    for holder, holder_id, text in kept:
        terms = json.loads(text)
        key = (terms["freelancer"], int(terms["salt"]))
        rows.setdefault(  # two consents with one salt: the first keeps it (neither was allotted by the app)
            key,
            {
                "freelancer": key[0],
                "salt": key[1],
                "offer_expiry": int(terms["offer_expiry"]),
                "proposal_id": holder_id if holder == "proposal_id" else None,
                "order_id": holder_id if holder == "order_id" else None,
            },
        )
    if rows:
        table = sa.table(
            "consent_salts",
            sa.column("freelancer", sa.String(42)),
            sa.column("salt", UInt256()),
            sa.column("offer_expiry", sa.BigInteger()),
            sa.column("proposal_id", ID),
            sa.column("order_id", ID),
        )
        op.bulk_insert(table, list(rows.values()))


def downgrade() -> None:
    op.drop_table("consent_salts")
