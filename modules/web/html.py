"""The HTML of the /auth pages: small forms that look like the app, readable on a phone.

Every piece of text that may come from a person (an address, a name, a message) goes through
`escape` here; nothing else builds HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from modules.services.text import balance_bidi
from modules.web.csrf import CSRF_FIELD

COURSE_NAME = "Leading as an Ally"

# Colours from .streamlit/config.toml (primary) and Streamlit's light theme.
STYLE = """
:root{color-scheme:light;--primary:#0f6e6e;--primary-dark:#0a5252;--text:#31333f;
--muted:#555866;--panel:#f0f2f6;--line:#d5d8de;--danger:#a21d1d}
*{box-sizing:border-box}
body{margin:0;background:var(--panel);color:var(--text);font-size:1rem;line-height:1.5;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.brand{display:inline-flex;align-items:center;gap:.5rem;margin:0 0 1rem;color:var(--primary);
font-weight:700;text-decoration:none;font-size:1.05rem}
.brand span{display:inline-block;width:.75rem;height:.75rem;border-radius:50%;
background:var(--primary)}
.card{background:#fff;border:1px solid var(--line);border-radius:.75rem;padding:1.5rem;
box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.05rem;margin:0 0 .25rem}
p{margin:0 0 1rem}
.field{margin:0 0 1.1rem}
label{display:block;font-weight:600;margin:0 0 .3rem}
.hint{color:var(--muted);font-size:.9rem;margin:-.15rem 0 .35rem}
input[type=email],input[type=password],input[type=text]{width:100%;min-height:2.75rem;
padding:.55rem .75rem;font:inherit;color:inherit;background:#fff;
border:1px solid #9ca1ad;border-radius:.5rem}
input[readonly]{background:var(--panel)}
input:focus{outline:3px solid rgba(15,110,110,.35);outline-offset:1px;border-color:var(--primary)}
button{width:100%;min-height:2.75rem;padding:.6rem 1rem;font:inherit;font-weight:600;
color:#fff;background:var(--primary);border:0;border-radius:.5rem;cursor:pointer}
button:hover{background:var(--primary-dark)}
button:focus-visible{outline:3px solid rgba(15,110,110,.45);outline-offset:2px}
.problem{border:2px solid var(--danger);border-left-width:.4rem;border-radius:.5rem;
padding:.75rem 1rem;margin:0 0 1.25rem;background:#fff7f7}
.problem h2{color:var(--danger)}
.problem p{margin:0}
.notice{border-left:.4rem solid var(--primary);background:#e7f3f3;border-radius:.5rem;
padding:.75rem 1rem;margin:0 0 1.25rem}
.links{margin:1.25rem 0 0;font-size:.95rem}
.links p{margin:0 0 .5rem}
a{color:var(--primary)}
.secondary{display:block;text-align:center;margin-top:.75rem}
a.button{display:flex;align-items:center;justify-content:center;min-height:2.75rem;
padding:.6rem 1rem;font-weight:600;color:#fff;background:var(--primary);border-radius:.5rem;
text-decoration:none;text-align:center}
a.button:hover{background:var(--primary-dark)}
a.button:focus-visible{outline:3px solid rgba(15,110,110,.45);outline-offset:2px}
.divider{display:flex;align-items:center;gap:.75rem;margin:1.25rem 0;color:var(--muted);
font-size:.9rem}
.divider::before,.divider::after{content:"";flex:1;border-top:1px solid var(--line)}
@media (min-width:40rem){main{padding-top:4rem}}
"""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    value: str = ""
    hint: str = ""
    minlength: int | None = None
    maxlength: int | None = None
    readonly: bool = False


@dataclass(frozen=True)
class Form:
    """One form on a card: where it posts, its fields, and what the button says."""

    action: str
    csrf_token: str
    submit: str
    fields: Sequence[Field] = ()
    hidden: Sequence[tuple[str, str]] = ()


def document(title: str, body: str) -> str:
    """A whole page: the app's name as a link home, then `body` on a card."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)} · {COURSE_NAME}</title><style>{STYLE}</style></head>"
        f'<body><main><a class="brand" href="/"><span aria-hidden="true"></span>{COURSE_NAME}'
        f'</a><div class="card"><h1>{escape(title)}</h1>{body}</div></main></body></html>'
    )


@dataclass(frozen=True)
class Name:
    """A person's name or address inside a sentence, set in <bdi>: a right-to-left name shows
    in its own direction, and it cannot reorder the words around it."""

    text: str


def problem(message: str | None) -> str:
    """The error summary, announced by screen readers; empty without a message."""
    if not message:
        return ""
    return (
        '<div class="problem" role="alert" id="problem" tabindex="-1">'
        f"<h2>There is a problem</h2><p>{escape(balance_bidi(message))}</p></div>"
    )


def notice(message: str) -> str:
    return f'<div class="notice" role="status"><p>{escape(message)}</p></div>'


def paragraph(*parts: str | Name) -> str:
    """A paragraph of escaped text; names in it are isolated."""
    return "<p>" + "".join(_inline(part) for part in parts) + "</p>"


def _inline(part: str | Name) -> str:
    if isinstance(part, Name):
        return f"<bdi>{escape(balance_bidi(part.text))}</bdi>"
    return escape(part)


def link(href: str, text: str, css_class: str = "") -> str:
    attribute = f' class="{css_class}"' if css_class else ""
    return f'<a href="{escape(href)}"{attribute}>{escape(text)}</a>'


def divider(text: str) -> str:
    """A line between two ways of doing one thing ("or ...")."""
    return f'<p class="divider">{escape(text)}</p>'


def links(*items: str) -> str:
    """Already-built lines of links under the form."""
    return '<div class="links">' + "".join(f"<p>{item}</p>" for item in items) + "</div>"


def form(spec: Form) -> str:
    hidden = [(CSRF_FIELD, spec.csrf_token), *spec.hidden]
    parts = [f'<form method="post" action="{escape(spec.action)}" novalidate>']
    parts += [f'<input type="hidden" name="{escape(n)}" value="{escape(v)}">' for n, v in hidden]
    parts += [_field(field) for field in spec.fields]
    parts.append(f'<button type="submit">{escape(spec.submit)}</button></form>')
    return "".join(parts)


def with_query(path: str, name: str, value: str) -> str:
    return f"{path}?{name}={quote(value, safe='')}" if value else path


def _field(field: Field) -> str:
    attributes = [
        f'id="{escape(field.name)}"',
        f'name="{escape(field.name)}"',
        f'type="{escape(field.type)}"',
        f'autocomplete="{escape(field.autocomplete)}"',
        "required",
    ]
    if field.value:
        attributes.append(f'value="{escape(field.value)}"')
    if field.minlength:
        attributes.append(f'minlength="{field.minlength}"')
    if field.maxlength:
        attributes.append(f'maxlength="{field.maxlength}"')
    if field.readonly:
        attributes.append("readonly")
    if field.type == "email":
        attributes += ['inputmode="email"', 'autocapitalize="none"', 'spellcheck="false"']
    hint = ""
    if field.hint:
        hint = f'<p class="hint" id="{escape(field.name)}-hint">{escape(field.hint)}</p>'
        attributes.append(f'aria-describedby="{escape(field.name)}-hint"')
    return (
        f'<div class="field"><label for="{escape(field.name)}">{escape(field.label)}</label>'
        f"{hint}<input {' '.join(attributes)}></div>"
    )
