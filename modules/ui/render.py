"""The one place that turns course and user text into what Streamlit shows.

Streamlit reads nearly every string as markdown: st.markdown and st.write, captions, titles,
messages (success, info, warning, error, toast), expander titles, tab names, metric labels,
widget labels and radio options. Pages build every such string from these functions, and
tests/unit/test_one_renderer.py fails when one passes anything else.

- User text (names, addresses, plans, notes, reflections): `plain()` for markdown, so it shows
  exactly as typed, never as formatting, a link, an image, an icon or LaTeX; `option()` for the
  places that show plain text (select box and multiselect options, table cells).
- Course content, markdown by design: `content()` for a label, `markdown()` to write a block.
  `$` is a dollar sign, `[@id]` a numbered reference, raw HTML is shown as text, and the only
  links kept are https links written as `[text](https://...)`: images are never shown (the
  browser would fetch them), other links and bare http:// or www. addresses are shown as typed.

Right-to-left text and direction controls in user text are put in a bidi isolate (U+2068 ...
U+2069) with their own controls balanced, so a name shows in its own direction and cannot
reorder the text around it. Text with neither cannot reorder anything and is left as typed,
so copying an address copies only the address.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from html import escape

import streamlit as st

from modules.course.citations import Bibliography, escape_dollars
from modules.services.text import balance_bidi

FSI, PDI = "\u2068", "\u2069"
# Bidi classes that can move text: right-to-left letters and Arabic digits, and the openers
# of embeddings, overrides and isolates.
_MOVES_TEXT = frozenset({"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "LRI", "RLI", "FSI"})
WORD_JOINER = "\u2060"  # invisible; splits what Streamlit would turn into a link or an icon
NBSP = "\u00a0"

# Escaped wherever they are: emphasis, code, links, HTML, LaTeX, tables, strikethrough, an
# entity (&#x202E; is a direction control), a Streamlit directive (:smile:, :red[...]).
_INLINE_SPECIAL = re.compile(r"(?P<shortcode>:[\w+-]+:)|:(?=[\w-]+\[)|[\\`*_\[\]<~$|]|&(?=#?\w+;)")
# Escaped at the start of a line only: headings, quotes, list items, setext underlines.
_LINE_START = re.compile(r"^([ \t]*)(?:([#>+=-])|(\d{1,9})([.)]))?")
_LINKED_OR_DRAWN = re.compile(r"(?i)(?<=www)(?=\.)|(?=://)|(?<=:)(?=material/)")


def plain(text: str) -> str:
    """User text for markdown: shown literally, line breaks kept, right-to-left text isolated."""
    return "  \n".join(_plain_line(line) for line in text.splitlines())


def option(text: str) -> str:
    """User text for a place that shows plain text (select box options, table cells)."""
    return " ".join(_isolated(line) for line in text.splitlines())


def _plain_line(line: str) -> str:
    unlinked = _LINKED_OR_DRAWN.sub(WORD_JOINER, line)
    escaped = _INLINE_SPECIAL.sub(_escape_inline, unlinked)
    marked = _LINE_START.sub(_escape_line_start, escaped)
    return _isolated(marked)


def _escape_inline(match: re.Match[str]) -> str:
    shortcode = match.group("shortcode")
    if shortcode:  # both colons: Streamlit draws :smile: from either half left bare
        return "\\:" + shortcode[1:-1].replace("_", "\\_") + "\\:"
    return "\\" + match.group()


def _escape_line_start(match: re.Match[str]) -> str:
    # No-break spaces keep an indent without starting a code block.
    indent = match.group(1).replace("\t", NBSP * 4).replace(" ", NBSP)
    if match.group(2):
        return f"{indent}\\{match.group(2)}"
    if match.group(3):
        return f"{indent}{match.group(3)}\\{match.group(4)}"
    return indent


def _isolated(line: str) -> str:
    balanced = balance_bidi(line)
    if not any(unicodedata.bidirectional(c) in _MOVES_TEXT for c in balanced):
        return balanced
    return FSI + balanced + PDI


def content(text: str, bibliography: Bibliography) -> str:
    """Course markdown for a label or a block: `$` escaped, citations numbered, links made safe."""
    if "[@" in text:  # a citation's number depends on the page: what it cited before
        return _CONTENT_PIECE.sub(_safe_piece, bibliography.prepare(text))
    return _uncited(text)


@lru_cache(maxsize=8192)
def _uncited(text: str) -> str:
    """Course text that cites nothing is the same on every page: made safe once a process.

    A choice's rerun draws six to eight such pieces (the situation, what happens, the next
    decision and its choices), each two regular-expression passes.
    """
    return _CONTENT_PIECE.sub(_safe_piece, escape_dollars(text))


def markdown(text: str, bibliography: Bibliography) -> None:
    """Write a block of course content."""
    st.markdown(content(text, bibliography))


# Read left to right, so a kept link's address is never touched by the rules after it.
_CONTENT_PIECE = re.compile(
    r"(?P<escaped>\\.)"
    r"|(?P<code>`[^`\n]*`)"
    r"|(?P<link>\[(?:[^\[\]\\\n]|\\.)*\]\((?P<target>[^()\s]*)(?:\s+\"[^\"\n]*\")?\))"
    r"|(?P<opener>!?\[|<)"
    r"|(?P<address>(?i:\bhttp|\bftp)(?=://)|(?i:\bwww)(?=\.))"
)


def _safe_piece(match: re.Match[str]) -> str:
    piece = match.group()
    if match.group("link"):
        if match.group("target").lower().startswith("https://"):
            return piece
        return "\\[" + _CONTENT_PIECE.sub(_safe_piece, piece[1:])
    if match.group("opener"):  # an image, another link or a reference to one, raw HTML
        return "".join("\\" + char for char in piece)
    if match.group("address"):
        return piece + WORD_JOINER
    return piece  # an escape or a code span, shown as written


def references(bibliography: Bibliography) -> None:
    """The sources cited on this page, numbered as in the text."""
    if not bibliography.cited:
        return
    with st.expander(f"References ({len(bibliography.cited)})"):
        for number, source in enumerate(bibliography.cited, start=1):
            st.markdown(f"{number:d}. {content(source.citation, Bibliography([]))}")
            if source.url:
                st.link_button("Open source", source.url, type="tertiary")


_LINK_STYLE = (
    "display:inline-block;box-sizing:border-box;width:100%;padding:.45rem .9rem;"
    "border-radius:.5rem;text-align:center;text-decoration:none;font-weight:600;"
    "border:1px solid {border};background:{background};color:{color}"
)


def site_link(label: str, path: str, *, primary: bool = False) -> None:
    """A button-like link to a page of this site (the /auth forms) that stays in this tab.

    st.link_button always opens a new tab; our own fixed markup does not, and carries no
    content or user text.
    """
    colors = (
        {"border": "#0f6e6e", "background": "#0f6e6e", "color": "#fff"}
        if primary
        else {"border": "#c4c7cf", "background": "#fff", "color": "#31333f"}
    )
    style = _LINK_STYLE.format(**colors)
    st.html(f'<a href="{escape(path)}" style="{style}">{escape(label)}</a>')


def signed_in_as(name: str, action: str, fields: Mapping[str, str]) -> None:
    """Who is signed in, and a one-click POST to `action` (sign out), as one element.

    The sidebar draws it on every run of every page: one message to the browser, not two.
    The name is user text, shown as typed (escaped, a right-to-left name isolated); the form
    carries our own fixed fields (a CSRF token), styled like `site_link`.
    """
    style = _LINK_STYLE.format(border="#c4c7cf", background="#fff", color="#31333f")
    hidden = "".join(
        f'<input type="hidden" name="{escape(key)}" value="{escape(value)}">'
        for key, value in fields.items()
    )
    st.html(
        '<p style="font-size:.875rem;margin:0 0 .5rem">'
        f"Signed in as <strong>{escape(option(name))}</strong></p>"
        f'<form method="post" action="{escape(action)}" style="margin:0">{hidden}'
        f'<button type="submit" style="{style};cursor:pointer;font:inherit">Sign out</button>'
        "</form>"
    )


def progress_bar(fraction: float, label: str, *, caption: str = "") -> None:
    """A progress bar whose accessible name is `label` (st.progress names each "progress").

    `label` is shown above the bar as plain text, the same words screen readers announce.
    `caption`, plain text (a course title may be in it), is a small line above both, in the
    same element: the player's header is one message to the browser, not two.
    """
    percent = round(100 * min(1.0, max(0.0, fraction)))
    name = escape(label)
    small = "font-size:.875rem;color:#555867;margin:0 0 .25rem"  # 7.1:1 on white
    above = f'<p style="{small}">{escape(option(caption))}</p>' if caption else ""
    st.html(
        f'{above}<div style="margin:.25rem 0 .5rem">'
        f'<div aria-hidden="true" style="font-size:.875rem;margin-bottom:.3rem">{name}</div>'
        f'<div role="progressbar" aria-label="{name}" aria-valuenow="{percent:d}"'
        ' aria-valuemin="0" aria-valuemax="100" style="height:.5rem;border-radius:.25rem;'
        'background:#e4e7ec;overflow:hidden">'
        f'<div style="width:{percent:d}%;height:100%;background:#0f6e6e"></div></div></div>'
    )


# Moves keyboard focus (and so a screen reader) to a keyed container: `st.container(key=...)`
# gives it the class st-key-<key>. Optionally the container `hold` ignores the pointer for a
# moment: the second click of a double click must not land on what was just drawn under it.
# Fixed markup, no content or user text; `turn` changes the element each time, so that the
# browser runs it again.
_FOCUS_SCRIPT = """<script data-turn="{turn}">
(() => {{
  const held = "{hold}" ? document.querySelector(".st-key-{hold}") : null;
  if (held) {{
    held.style.pointerEvents = "none";
    setTimeout(() => {{ held.style.pointerEvents = ""; }}, {hold_ms:d});
  }}
  // The region may reach the page after this script does: look again each frame, briefly.
  const until = performance.now() + {hold_ms:d};
  const place = () => {{
    const target = document.querySelector(".st-key-{key}");
    if (!target) {{
      if (performance.now() < until) requestAnimationFrame(place);
      return;
    }}
    target.setAttribute("tabindex", "-1");
    target.setAttribute("role", "region");
    target.setAttribute("aria-label", "{label}");
    target.focus();
  }};
  place();
}})();
</script>"""
HOLD_MS = 600  # desktop systems allow up to 500 ms between the two clicks of a double click


def focus_on(key: str, label: str, turn: str, *, hold: str = "") -> None:
    """Move focus to the container keyed `key`, drawn before this; `label` names it."""
    for name in (key, hold):
        if name and not re.fullmatch(r"[\w-]+", name):
            raise ValueError(f"not a container key: {name!r}")
    script = _FOCUS_SCRIPT.format(
        key=key, label=escape(label), turn=escape(turn), hold=hold, hold_ms=HOLD_MS
    )
    st.html(script, unsafe_allow_javascript=True)
