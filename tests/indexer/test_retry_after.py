"""How long the indexer waits when a rate-limited provider says when to come back (RFC 9110 Retry-After)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from indexer.rpc import MAX_RETRY_AFTER, retry_after


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 12 ", 12.0), ("Wed, 01 Jan 2031 00:00:30 GMT", 30.0), ("Tue, 31 Dec 2030 23:59:00 GMT", 0.0),
     ("86400", MAX_RETRY_AFTER), ("soon", None), ("", None), (None, None)],
)  # fmt: skip
def test_retry_after__delay_seconds_or_an_http_date__capped(header, seconds):
    now = datetime(2031, 1, 1, tzinfo=UTC)
    assert retry_after(header, now=now) == seconds
