"""matching embeddings on job posts and profiles, plus the indexes matching's cache stamp reads

Revision ID: 0400
Revises: 0300

Existing rows are backfilled here with the offline model (services/embeddings.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0400"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000


def _backfill(table: str, key: str, columns: str, text_of) -> None:  # type: ignore[no-untyped-def]
    from backend.app.services import embeddings

    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT {key}, {columns} FROM {table} WHERE embedding IS NULL")).all()
    update = sa.text(f"UPDATE {table} SET embedding = :embedding WHERE {key} = :key").bindparams(
        sa.bindparam("embedding", type_=sa.LargeBinary())
    )
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        vectors = embeddings.embed_many([text_of(row) for row in chunk])
        bind.execute(
            update,
            [{"key": row[0], "embedding": embeddings.to_bytes(v)} for row, v in zip(chunk, vectors, strict=True)],
        )


def upgrade() -> None:
    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f("ix_job_posts_hidden"), ["hidden"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_posts_updated_at"), ["updated_at"], unique=False)
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_profiles_hidden", ["hidden", "address"], unique=False)

    from backend.app.services import embeddings

    _backfill("job_posts", "id", "title, description", lambda row: embeddings.job_text(row[1], row[2]))
    _backfill("profiles", "address", "bio", lambda row: embeddings.profile_text(row[1]))


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_profiles_hidden")
        batch_op.drop_column("embedding")
    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_posts_updated_at"))
        batch_op.drop_index(batch_op.f("ix_job_posts_hidden"))
        batch_op.drop_column("embedding")
