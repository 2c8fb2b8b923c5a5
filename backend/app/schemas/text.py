"""Text people write (titles, descriptions, bios, messages, names, skills, reasons).

Any Unicode a person can type is kept exactly, but NUL and the other C0 control characters are refused
(tab, newline and carriage return excepted): PostgreSQL cannot store NUL in text while SQLite would, and the
other controls (bell, backspace, escape sequences) only ever arrive to spoof what a reader sees.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

ALLOWED_CONTROLS = "\t\n\r"
FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _without_control_characters(value: str) -> str:
    found = FORBIDDEN_CONTROL.search(value)
    if found is not None:
        code = f"U+{ord(found.group()):04X}"
        raise ValueError(f"contains the control character {code}; only tab, newline and carriage return are allowed")
    return value


UserText = Annotated[str, AfterValidator(_without_control_characters)]
"""A `str` a person wrote: refused (422) when it holds NUL or another C0 control character."""
