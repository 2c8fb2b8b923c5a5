"""Token amounts for people: integer base units ↔ decimal text."""

from __future__ import annotations


def format_units(amount: int, decimals: int) -> str:
    """12_500_000 with 6 decimals → "12.5"; thousands separated, no trailing zeros."""
    whole, fraction = divmod(amount, 10**decimals)
    text = f"{whole:,}"
    if fraction:
        text += "." + str(fraction).zfill(decimals).rstrip("0")
    return text
