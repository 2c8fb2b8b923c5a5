"""search documents: Markdown bodies as plain text; only profiles that offer work are searchable

Revision ID: 0510
Revises: 0500

Bodies were indexed as typed, so matches and snippets showed Markdown (`**`, link addresses); they are now
the words a reader sees (services/search.py `searchable_text`). Talent search listed every profile,
clients' included; a profile is now searchable when it names a skill or an hourly rate (`offers_work`).
Existing documents are rewritten here with the same functions. Downgrade changes no data: plain-text bodies
are valid bodies for the older code, and a client's profile is indexed again when it is next saved.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0510"
down_revision: str | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000


def _rewrite(rows: Sequence[sa.Row], searchable_text) -> None:  # type: ignore[no-untyped-def]
    update = sa.text("UPDATE search_documents SET body = :body WHERE id = :id")
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        op.get_bind().execute(update, [{"id": row.id, "body": searchable_text(row.source)} for row in chunk])


def upgrade() -> None:
    from backend.app.services.search import searchable_text

    bind = op.get_bind()
    bind.execute(
        sa.text(
            "DELETE FROM search_documents WHERE kind = 'profile' AND ref IN ("
            " SELECT p.address FROM profiles p WHERE p.hourly_rate IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM profile_skills s WHERE s.address = p.address))"
        )
    )
    jobs = bind.execute(
        sa.text(
            "SELECT d.id, p.description AS source FROM search_documents d"
            " JOIN job_posts p ON d.kind = 'job' AND d.ref = CAST(p.id AS VARCHAR(20))"
        )
    ).all()
    profiles = bind.execute(
        sa.text(
            "SELECT d.id, p.bio AS source FROM search_documents d"
            " JOIN profiles p ON d.kind = 'profile' AND d.ref = p.address"
        )
    ).all()
    _rewrite(jobs, searchable_text)
    _rewrite(profiles, searchable_text)


def downgrade() -> None:
    pass  # see the module docstring: nothing the older code cannot read
