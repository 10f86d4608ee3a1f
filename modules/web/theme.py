"""The theme part of Streamlit's `new_session` message, built once per process, not per run.

Every script run, a fragment's included, starts with a `new_session` message, and Streamlit
1.67 builds its theme each time from the config: six sections, each a walk over every option
of `[theme]` (`AppSession._create_new_session_message`, `_populate_theme_msg`). That was 6% of
the interpreter's time at N=100 in bench/load.py (~0.85 ms of a 3.2 ms trivial click) for a
message that is the same on every run. Here each section's message is made once and merged
into each new message; a new parse of the config (a changed config.toml) starts afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streamlit import config
from streamlit.runtime import app_session

from modules.web.once import once_per_process

# Streamlit's own builder, as imported (before theme_built_once replaces it).
STREAMLITS_OWN = app_session._populate_theme_msg
_made: dict[str, Any] = {}  # section -> its CustomThemeConfig message


@once_per_process
def theme_built_once() -> None:
    """Install the cache in this process, before the server takes sessions."""
    app_session._populate_theme_msg = once(STREAMLITS_OWN)
    config.on_config_parsed(forget, force_connect=True)


def once(populate: Callable[..., None]) -> Callable[..., None]:
    """`populate(message, section)` run once per section, its result merged in after that."""

    def populate_from_cache(message: Any, section: str = "theme") -> None:
        made = _made.get(section)
        if made is None:
            made = type(message)()
            populate(made, section)
            _made[section] = made
        message.MergeFrom(made)

    return populate_from_cache


def forget() -> None:
    """Build the theme again on the next run (the config was parsed again)."""
    _made.clear()
