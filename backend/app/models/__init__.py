"""All tables, imported so that `Base.metadata` knows every one of them."""

from backend.app.models.base import Base
from backend.app.models.chain import ChainBlock, ChainEvent, ChainJob, ChainMilestone, IndexerCheckpoint

__all__ = ["Base", "ChainBlock", "ChainEvent", "ChainJob", "ChainMilestone", "IndexerCheckpoint"]
