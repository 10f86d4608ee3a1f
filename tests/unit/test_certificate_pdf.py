"""The certificate PDF read back: every line on the page, a long name and title included."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from modules.services.certificate_pdf import certificate_pdf
from progress.certificate_repo import CertificateRecord

LONG_NAME = ("Dr. Bartholomew-Alexander Featherstonehaugh-Wolfeschlegelsteinhausen " * 3)[:200]
FRAME_MM = 12  # the border's distance from the page's edge


def certificate(name: str, title: str) -> CertificateRecord:
    return CertificateRecord(
        1, 2, "ally", "7K3M9QXZ4TRW8B2N", name, title, 165, date(2026, 12, 2),
        datetime(2026, 12, 2, tzinfo=UTC), None,
    )  # fmt: skip


def lines_with_heights(data: bytes) -> dict[str, float]:
    """Each piece of text on the one page, with its height above the bottom edge, in mm."""
    (page,) = PdfReader(io.BytesIO(data)).pages
    found: dict[str, float] = {}

    def visit(text: str, _cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        if text.strip():
            found[text.strip()] = tm[5] * 25.4 / 72

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize(
    ("name", "title"),
    [("Lee Learner", "Leading as an Ally"), (LONG_NAME, ("A very long course title " * 8)[:200])],
)
def test_every_line_is_inside_the_frame(name: str, title: str) -> None:
    found = lines_with_heights(certificate_pdf(certificate(name, title), "https://a.example.org"))
    url_line = next(h for t, h in found.items() if t.startswith("Check it at"))
    assert url_line > FRAME_MM
    assert min(found.values()) > FRAME_MM
    assert "https://a.example.org/verify/7K3M-9QXZ-4TRW-8B2N" in "".join(found)
