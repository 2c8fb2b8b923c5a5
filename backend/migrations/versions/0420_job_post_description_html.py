"""job posts keep their description rendered: `description_html`, written with the description

Revision ID: 0420
Revises: 0410

Rendering the Markdown took a tenth of the time of `GET /api/job-posts/{id}` (the API's hottest read), once
per request for a text that changes only when its client edits it. The services now render on write; rows
written before are rendered here, with the same renderer (services/markdown.py). A change to the renderer's
rules needs a migration that renders every row again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0420"
down_revision: str | None = "0410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000


def upgrade() -> None:
    from backend.app.services import markdown

    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description_html", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, description FROM job_posts")).all()
    update = sa.text("UPDATE job_posts SET description_html = :html WHERE id = :id")
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        bind.execute(update, [{"id": row[0], "html": markdown.render(row[1])} for row in chunk])


def downgrade() -> None:
    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.drop_column("description_html")
