"""clean_text: line ends made LF, control characters refused with a message naming the field."""

from __future__ import annotations

import pytest

from modules.services.errors import InvalidInput
from modules.services.text import clean_text, is_refused

KEPT = [
    ("Dev Patel", "Dev Patel"),
    ("Tab\tinside", "Tab\tinside"),
    ("محمد الأحمد", "محمد الأحمد"),
    ("\u202eevil\u202c", "\u202eevil\u202c"),  # direction controls are the renderer's business
    ("Zoë \u00a0Łukasz 😀", "Zoë \u00a0Łukasz 😀"),
]


@pytest.mark.parametrize(("typed", "stored"), KEPT)
def test_ordinary_text_is_kept_as_typed(typed: str, stored: str) -> None:
    assert clean_text(typed, "Your name") == stored
    assert clean_text(typed, "Your reflection", multiline=True) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("one\r\ntwo", "one\ntwo"),
        ("one\rtwo", "one\ntwo"),
        ("one\r\n\r\ntwo\r", "one\n\ntwo\n"),
        ("one\u2028two\u2029three", "one\ntwo\nthree"),
        ("one\ntwo", "one\ntwo"),
    ],
)
def test_line_ends_become_lf_in_multiline_fields(typed: str, stored: str) -> None:
    assert clean_text(typed, "Your reflection", multiline=True) == stored


@pytest.mark.parametrize("typed", ["one\ntwo", "one\r\ntwo", "one\rtwo", "one\u2028two"])
def test_single_line_fields_refuse_a_line_break(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_text(typed, "Your name")
    assert str(refused.value) == (
        "Your name has a line break, and it must fit on one line. Put it on one line and try again."
    )


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\x00", "U+0000"),
        ("\x07", "U+0007"),
        ("\x0b", "U+000B"),
        ("\x1b", "U+001B"),
        ("\x1f", "U+001F"),
        ("\x7f", "U+007F"),
        ("\x80", "U+0080"),
        ("\x85", "U+0085"),
        ("\x9f", "U+009F"),
        ("\ud800", "U+D800"),
    ],
)
@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_are_refused_naming_the_field(
    char: str, code: str, multiline: bool
) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_text(f"Dev{char}Patel", "The cohort name", multiline=multiline)
    assert str(refused.value) == (
        f"The cohort name contains a control character ({code}) that cannot be stored. "
        "Remove it and try again."
    )


def test_the_refused_set_is_exactly_c0_del_c1_and_surrogates() -> None:
    refused = {c for c in range(0x110000) if is_refused(chr(c), multiline=True)}
    expected = (
        set(range(0x00, 0x20)) - {0x09, 0x0A} | set(range(0x7F, 0xA0)) | set(range(0xD800, 0xE000))
    )
    assert refused == expected
    assert is_refused("\n") and not is_refused("\n", multiline=True)
