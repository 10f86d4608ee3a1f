"""The renderer's table: what markdown each kind of text becomes, exactly.

User text must show exactly as typed; course content keeps its markdown but never shows an
image, never links anywhere but https, shows `$` as money and numbers its citations. The
browser test tests/e2e/test_render_browser.py checks what Chromium shows for the same rows.
"""

from __future__ import annotations

import re

import pytest

from modules.course.citations import Bibliography
from modules.course.models import Source
from modules.ui import render
from modules.ui.render import content, option, plain

W = "\u2060"  # word joiner: stops Streamlit turning an address into a link
FSI, PDI, PDF = "\u2068", "\u2069", "\u202c"
RLO = "\u202e"
ARABIC = "محمد الأحمد"

# (typed, plain() for markdown, option() for plain-text places)
USER_TEXT = [
    ("Dev Patel", "Dev Patel", "Dev Patel"),
    ("$5 and $10", r"\$5 and \$10", "$5 and $10"),
    ("[@smith-2020]", r"\[@smith-2020\]", "[@smith-2020]"),
    ("<b>bold</b>", r"\<b>bold\</b>", "<b>bold</b>"),
    ("# h", r"\# h", "# h"),
    ("![x](http://host/x.png)", rf"!\[x\](http{W}://host/x.png)", "![x](http://host/x.png)"),
    ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))", "[x](javascript:alert(1))"),
    ("*x* _y_ ~~z~~", r"\*x\* \_y\_ \~\~z\~\~", "*x* _y_ ~~z~~"),
    ("back\\slash", r"back\\slash", "back\\slash"),
    ("see www.x.org", f"see www{W}.x.org", "see www.x.org"),
    ("Dr. O'Neil-Smith (MD), 3.5!", "Dr. O'Neil-Smith (MD), 3.5!", "Dr. O'Neil-Smith (MD), 3.5!"),
    ("R&D: 10:30, :thumbs_up:", r"R&D: 10:30, \:thumbs\_up\:", "R&D: 10:30, :thumbs_up:"),
    (":material/lock: :smile: :red[x]", rf":{W}material/lock: \:smile\: \:red\[x\]", None),
    ("&#x202E; &amp;", r"\&#x202E; \&amp;", "&#x202E; &amp;"),
    ("Title\n===", "Title  \n\\===", "Title ==="),
    ("1. one\n- two\n> three", "1\\. one  \n\\- two  \n\\> three", "1. one - two > three"),
    ("para\n\n    code?", f"para  \n  \n{chr(0xA0) * 4}code?", "para      code?"),
    ("a | b\n--|--", "a \\| b  \n\\--\\|--", "a | b --|--"),
    ("+ x\n# y\n2) z", "\\+ x  \n\\# y  \n2\\) z", "+ x # y 2) z"),
    (f"{RLO}evil", f"{FSI}{RLO}evil{PDF}{PDI}", f"{FSI}{RLO}evil{PDF}{PDI}"),
    (f"x{PDI} y{PDF}", "x y", "x y"),  # stray closers would end the isolate around the name
    (f"\u2067in{RLO}side", f"{FSI}\u2067in{RLO}side{PDF}{PDI}{PDI}", None),
    (ARABIC, f"{FSI}{ARABIC}{PDI}", f"{FSI}{ARABIC}{PDI}"),
    (f"{ARABIC} (Dr.)", f"{FSI}{ARABIC} (Dr.){PDI}", f"{FSI}{ARABIC} (Dr.){PDI}"),
]


@pytest.mark.parametrize(("typed", "markdown", "shown"), USER_TEXT)
def test_user_text_is_escaped_and_isolated(typed: str, markdown: str, shown: str | None) -> None:
    assert plain(typed) == markdown
    if shown is not None:
        assert option(typed) == shown


def sources() -> Bibliography:
    return Bibliography(
        [Source(id="smith-2020", citation="Smith 2020"), Source(id="lee-2021", citation="Lee")]
    )


CONTENT = [
    ("$5 and $10", r"\$5 and \$10"),
    (r"already \$5", r"already \$5"),
    ("[@lee-2021], then [@smith-2020] and [@lee-2021]", r"\[1\], then \[2\] and \[1\]"),
    ("[@nobody]", r"\[source missing\]"),
    ("<b>bold</b> and a < b", r"\<b>bold\</b> and a \< b"),
    ("# h", "# h"),
    ("**bold** and *x*", "**bold** and *x*"),
    ("![x](http://host/x.png)", rf"\!\[x](http{W}://host/x.png)"),
    ("![x](https://host/x.png)", r"\!\[x](https://host/x.png)"),
    ("[x](javascript:alert(1))", r"\[x](javascript:alert(1))"),
    ("[x](http://host/)", rf"\[x](http{W}://host/)"),
    ("[x](https://host/a_b)", "[x](https://host/a_b)"),
    ('[x](https://host/ "Title")', '[x](https://host/ "Title")'),
    ("[x [y]](javascript:z)", r"\[x \[y]](javascript:z)"),
    ("[x][ref]\n\n[ref]: javascript:z", "\\[x]\\[ref]\n\n\\[ref]: javascript:z"),
    ("<javascript:alert(1)>", r"\<javascript:alert(1)>"),
    (
        "see www.x.org, http://x.org, https://x.org",
        f"see www{W}.x.org, http{W}://x.org, https://x.org",
    ),
    ("back\\slash", "back\\slash"),
    ("`<kbd>` stays code", "`<kbd>` stays code"),
]


@pytest.mark.parametrize(("written", "markdown"), CONTENT)
def test_content_keeps_markdown_but_only_safe_links(written: str, markdown: str) -> None:
    assert content(written, sources()) == markdown


def test_citations_are_numbered_across_one_page() -> None:
    page = sources()
    assert content("[@lee-2021]", page) == r"\[1\]"
    assert content("[@smith-2020] [@lee-2021]", page) == r"\[2\] \[1\]"
    assert [s.id for s in page.cited] == ["lee-2021", "smith-2020"]


def test_a_citation_is_numbered_by_each_page_though_uncited_text_is_made_once() -> None:
    first, second = sources(), sources()
    assert content("$1 [@smith-2020]", first) == r"\$1 \[1\]"
    content("[@lee-2021]", second)
    # The same text on another page: its own number there, not the first page's.
    assert content("$1 [@smith-2020]", second) == r"\$1 \[2\]"
    assert [s.id for s in second.cited] == ["lee-2021", "smith-2020"]
    assert content("$1 <b>", first) == content("$1 <b>", second) == r"\$1 \<b>"


def test_who_is_signed_in_shows_as_typed_beside_the_sign_out_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[str] = []
    monkeypatch.setattr(render.st, "html", lambda body, **_: drawn.append(body))
    name = f"<img src=x onerror=alert(1)> {ARABIC}"
    render.signed_in_as(name, "/auth/logout", {"csrf": 'a"b'})
    (body,) = drawn  # one element: the sidebar draws it on every run
    shown = re.search(r"Signed in as <strong>(.*?)</strong>", body)
    assert shown is not None
    assert shown.group(1) == f"{FSI}&lt;img src=x onerror=alert(1)&gt; {ARABIC}{PDI}"
    assert '<form method="post" action="/auth/logout"' in body
    assert '<input type="hidden" name="csrf" value="a&quot;b">' in body
    assert body.count("<button") == 1 and ">Sign out</button>" in body


def test_a_progress_bars_caption_is_plain_text_in_the_same_element(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[str] = []
    monkeypatch.setattr(render.st, "html", lambda body, **_: drawn.append(body))
    render.progress_bar(2 / 7, "2 of 7 steps done", caption=f"<b>Rounds</b> {ARABIC} · step 3 of 7")
    render.progress_bar(0.5, "Half way")
    with_caption, without = drawn  # one element each: the player's header is one message
    caption = re.search(r"<p [^>]*>(.*?)</p>", with_caption)
    assert caption is not None
    assert caption.group(1) == f"{FSI}&lt;b&gt;Rounds&lt;/b&gt; {ARABIC} · step 3 of 7{PDI}"
    assert caption.end() < with_caption.index('role="progressbar"')  # above the bar
    assert 'aria-label="2 of 7 steps done" aria-valuenow="29"' in with_caption
    assert "<p " not in without and 'aria-valuenow="50"' in without
