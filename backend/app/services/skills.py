"""Skill tags: one spelling per skill, so that search, matching and proven skills agree."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from backend.app.services.errors import Invalid

MAX_TAG_CHARS = 32
MAX_TAGS = 20
_SEPARATORS = re.compile(r"[\s_/]+")
_DROP = re.compile(r"[^\w+#.\-]")
_DASHES = re.compile(r"-{2,}")


def normalise_tag(raw: str) -> str:
    """`"  Smart_Contracts "` → `"smart-contracts"`; keeps `c++`, `c#`, `node.js` and non-Latin letters."""
    tag = unicodedata.normalize("NFKC", raw).strip().lower()
    tag = _SEPARATORS.sub("-", tag)
    tag = _DROP.sub("", tag)
    tag = _DASHES.sub("-", tag).strip("-.")
    if not tag:
        raise Invalid(f"{raw!r} is not a usable skill tag")
    if len(tag) > MAX_TAG_CHARS:
        raise Invalid(f"skill tag {tag!r} is longer than {MAX_TAG_CHARS} characters")
    return tag


def normalise_tags(raw: Iterable[str]) -> list[str]:
    """Normalised, de-duplicated and sorted (sorted so that the listing hash does not depend on order)."""
    tags = sorted({normalise_tag(tag) for tag in raw})
    if len(tags) > MAX_TAGS:
        raise Invalid(f"at most {MAX_TAGS} skill tags")
    return tags
