"""Canonical JSON of a listing and its keccak256: the metadata hash that goes on-chain."""

from __future__ import annotations

import json
from typing import Any

from eth_utils import keccak


def canonical_json(document: dict[str, Any]) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 kept as is: one text per listing."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def metadata_hash(document: dict[str, Any]) -> str:
    return "0x" + keccak(text=canonical_json(document)).hex()
