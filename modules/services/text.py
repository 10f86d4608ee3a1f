"""User text as it may be stored: line ends made LF, control characters refused at the field."""

from __future__ import annotations

import re

from modules.services.errors import InvalidInput

# C0 controls but tab and newline, DEL, and the C1 range.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str, field: str, *, multiline: bool = False) -> str:
    """`value` with CRLF and lone CR as LF; InvalidInput naming `field` for a control character."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    found = _CONTROL.search(text) or (None if multiline else re.search("\n", text))
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise InvalidInput(
            f"{field} contains a control character ({code}) that cannot be stored."
            " Remove it and try again."
        )
    return text
