"""Addresses as the database holds them: EIP-55 checksummed (what sign-in and the indexer write) or
lowercase (what other writers and older rows may hold). A column compared with `spellings(address)` matches
the account in either form and keeps the column's index usable, which `lower(column)` would not."""

from __future__ import annotations

from eth_utils import is_address, to_checksum_address


def spellings(address: str) -> set[str]:
    """The forms `address` may be stored in: as given, lowercase and checksummed."""
    forms = {address, address.lower()}
    if is_address(address):
        forms.add(to_checksum_address(address))
    return forms
