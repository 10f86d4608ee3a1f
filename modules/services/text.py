"""Text a person types, checked once where it enters: line ends made LF, control characters refused.

PostgreSQL cannot store NUL at all, and the other control characters (C0 but tab and newline,
DEL, the C1 range) are never typed on purpose: they come from a paste out of another program or
from a hostile client, and they break the CSV exports, the emails and the screen. So each entry
point refuses them with a message that names the field, before anything is written, and both
databases keep exactly the same text. Direction controls (U+202E and friends) are not refused:
right-to-left names need them now and then, and the renderer isolates every name it shows.
"""

from __future__ import annotations

from modules.services.errors import InvalidInput

_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}
PDF, PDI = "\u202c", "\u2069"
_OPENS_EMBEDDING = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
_OPENS_ISOLATE = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI


def clean_text(value: str, field: str, *, multiline: bool = False) -> str:
    """`value` with CRLF, lone CR and the Unicode line and paragraph separators made LF.

    `field` names what was typed, as the subject of a sentence ("Your name", "The cohort
    name"). Raises InvalidInput naming the field and the first offending character: NUL, any
    other C0 control but tab (and newline where `multiline`), DEL, a C1 control, or half of a
    surrogate pair.
    """
    text = value
    for line_break, lf in _LINE_BREAKS.items():
        text = text.replace(line_break, lf)
    for char in text:
        if char == "\n" and not multiline:
            raise InvalidInput(
                f"{field} has a line break, and it must fit on one line. "
                "Put it on one line and try again."
            )
        if is_refused(char, multiline=True):
            raise InvalidInput(
                f"{field} contains a control character ({codepoint(char)}) that cannot be "
                "stored. Remove it and try again."
            )
    return text


def is_refused(char: str, *, multiline: bool = False) -> bool:
    """True for a character that clean_text refuses (after turning CR into LF)."""
    code = ord(char)
    if char == "\t" or (char == "\n" and multiline):
        return False
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF


def codepoint(char: str) -> str:
    """U+0007 for BEL: how a message names a character that cannot be seen."""
    return f"U+{ord(char):04X}"


def balance_bidi(line: str) -> str:
    """`line` with every embedding, override and isolate it opens closed, stray closers dropped.

    Shown inside an isolate, a stray PDI would end the isolate early and an open RLO would
    reverse the rest of the line; balanced, the text can only reorder itself.
    """
    kept: list[str] = []
    open_closers: list[str] = []
    for char in line:
        if char in _OPENS_EMBEDDING or char in _OPENS_ISOLATE:
            open_closers.append(PDF if char in _OPENS_EMBEDDING else PDI)
        elif char == PDF:
            if not open_closers or open_closers[-1] != PDF:
                continue
            open_closers.pop()
        elif char == PDI:
            if PDI not in open_closers:
                continue
            while (closer := open_closers.pop()) != PDI:
                kept.append(closer)
        kept.append(char)
    return "".join(kept + open_closers[::-1])
