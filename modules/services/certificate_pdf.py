"""The certificate as a one-page PDF (fpdf2): name, course, date, minutes, code and its URL.

A name in any script needs a Unicode font: DejaVu Sans (Debian's fonts-dejavu-core) or
Liberation Sans where installed. Without either, fpdf2's built-in Helvetica prints Latin-1
only, and other letters are shown by their closest Latin-1 form, or "?".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

from modules.course.certificate import spaced
from progress.certificate_repo import CertificateRecord

FONT_CANDIDATES = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ),
)
TEAL = (15, 110, 110)  # the app's primary colour
INK = (49, 51, 63)
MIN_SIZE = 9  # points: the smallest a long name or title is set


def verification_url(public_url: str, code: str) -> str:
    return f"{public_url}/verify/{spaced(code)}"


def certificate_pdf(certificate: CertificateRecord, public_url: str) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Certificate of completion: {certificate.course_title}")
    pdf.set_creator("Leading as an Ally")
    pdf.add_page()
    family, text = _font(pdf)
    pdf.set_draw_color(*TEAL)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)

    def line(words: str, size: float, bold: bool = False, colour: tuple[int, int, int] = INK,
             after: float = 4) -> None:  # fmt: skip
        style = "B" if bold else ""
        pdf.set_font(family, style, size)
        # A long name or title is set smaller, to two lines at most: the page never overflows.
        while size > MIN_SIZE and pdf.get_string_width(text(words)) > 1.9 * pdf.epw:
            size -= 1
            pdf.set_font(family, style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(0, size * 0.5, text(words), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after)

    pdf.set_y(36)
    line("Certificate of completion", 30, bold=True, colour=TEAL, after=10)
    line("This certifies that", 14)
    line(certificate.holder_name, 26, bold=True, after=6)
    line("completed the course", 14)
    line(certificate.course_title, 20, bold=True, colour=TEAL, after=6)
    line(
        f"on {certificate.completed_on:%B} {certificate.completed_on.day}, "
        f"{certificate.completed_on:%Y}, about {certificate.minutes} minutes of study",
        13,
        after=16,
    )
    line(f"Verification code: {spaced(certificate.code)}", 12, bold=True, after=2)
    line(f"Check it at {verification_url(public_url, certificate.code)}", 11)
    return bytes(pdf.output())


def _font(pdf: FPDF) -> tuple[str, Callable[[str], str]]:
    """A Unicode font where one is installed, and what the text must pass through for it."""
    for regular, bold in FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            pdf.add_font("Body", "", str(regular))
            pdf.add_font("Body", "B", str(bold))
            return "Body", _unchanged
    return "Helvetica", _latin_1


def _unchanged(text: str) -> str:
    return text


def _latin_1(text: str) -> str:
    """`text` in Latin-1 for the built-in font: accents kept where Latin-1 has them."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        if ord(char) < 256:
            kept.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        kept.append(base or "?")
    return "".join(kept)
