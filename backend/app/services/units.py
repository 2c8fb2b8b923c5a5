"""Token amounts for people: integer base units ↔ decimal text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def format_units(amount: int, decimals: int) -> str:
    """12_500_000 with 6 decimals → "12.5"; thousands separated, no trailing zeros."""
    whole, fraction = divmod(amount, 10**decimals)
    text = f"{whole:,}"
    if fraction:
        text += "." + str(fraction).zfill(decimals).rstrip("0")
    return text


def parse_units(text: str | None, decimals: int) -> int | None:
    """Text "12.5" with 6 decimals → 12_500_000; empty → None; anything else → ValueError saying why."""
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"“{text}” is not an amount") from None
    units = value * (10**decimals)
    if not value.is_finite() or value < 0 or units != units.to_integral_value():
        raise ValueError(f"“{text}” is not an amount with at most {decimals} decimals")
    return int(units)
