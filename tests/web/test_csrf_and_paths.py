"""Pure checks: CSRF tokens and which `next` paths count as this site's."""

from __future__ import annotations

import pytest

from modules.web import csrf
from modules.web.next_path import safe_next_path, sign_in_path

KEY = "test-key"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/", "/"),
        ("/player?module=a&step=b", "/player?module=a&step=b"),
        ("/a:b", "/a:b"),
        (None, None),
        ("", None),
        ("//evil.com", None),
        ("///evil.com", None),
        ("https://evil.com", None),
        ("/\\evil.com", None),
        ("\\\\evil.com", None),
        ("/\t/evil.com", None),
        ("/\n/evil.com", None),
        ("/ /evil.com", None),
        ("evil.com/", None),
        ("javascript:alert(1)", None),
        ("/" + "a" * 2001, None),
    ],
)
def test_only_paths_on_this_site_are_safe(value: str | None, expected: str | None) -> None:
    assert safe_next_path(value) == expected


def test_a_token_is_accepted_only_when_cookie_and_field_match_and_are_signed() -> None:
    token = csrf.new_token(KEY)
    other = csrf.new_token(KEY)
    assert csrf.accepts(KEY, token, token)
    assert not csrf.accepts(KEY, token, other)
    assert not csrf.accepts(KEY, token, None)
    assert not csrf.accepts(KEY, None, token)
    assert not csrf.accepts("another key", token, token)
    unsigned = token.split(".")[0] + ".0"
    assert not csrf.accepts(KEY, unsigned, unsigned)


@pytest.mark.parametrize("token", ["", "no-dot", ".sig", "x" * 300])
def test_malformed_tokens_are_not_valid(token: str) -> None:
    assert not csrf.is_valid(KEY, token)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/player?module=a&step=b", "/auth/login?next=%2Fplayer%3Fmodule%3Da%26step%3Db"),
        ("/progress", "/auth/login?next=%2Fprogress"),
        ("/", "/auth/login"),
        (None, "/auth/login"),
        ("//evil.example", "/auth/login"),
        ("https://evil.example", "/auth/login"),
        ("/\\evil.example", "/auth/login"),
    ],
)
def test_the_sign_in_link_carries_only_a_path_on_this_site(
    target: str | None, expected: str
) -> None:
    assert sign_in_path(target) == expected


def test_the_sign_up_link_carries_the_same_next() -> None:
    assert sign_in_path("/cohorts", "/auth/signup") == "/auth/signup?next=%2Fcohorts"
