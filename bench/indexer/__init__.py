"""`python -m bench.indexer`: backfill and follow-lag benchmark of the chain indexer on a local Anvil."""
