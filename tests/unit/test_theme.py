"""modules/web/theme.py: the theme message is built once per section and is the same message."""

from __future__ import annotations

from streamlit.proto.NewSession_pb2 import CustomThemeConfig

from modules.web import theme
from tests.child_process import printed_by

SECTIONS = ("theme", "theme.light", "theme.dark", "theme.sidebar")


class Counted:
    """Streamlit's own builder, counting its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, message: CustomThemeConfig, section: str = "theme") -> None:
        self.calls.append(section)
        theme.STREAMLITS_OWN(message, section)


def built(populate, section: str) -> CustomThemeConfig:  # type: ignore[no-untyped-def]
    message = CustomThemeConfig()
    populate(message, section)
    return message


def test_each_section_is_walked_once_and_every_message_is_the_same() -> None:
    theme.forget()
    walk = Counted()
    cached = theme.once(walk)
    for _ in range(3):
        for section in SECTIONS:
            assert built(cached, section) == built(theme.STREAMLITS_OWN, section)
    assert walk.calls == list(SECTIONS)
    theme.forget()


def test_a_new_parse_of_the_config_builds_it_again() -> None:
    theme.forget()
    walk = Counted()
    cached = theme.once(walk)
    built(cached, "theme")
    theme.forget()
    built(cached, "theme")
    assert walk.calls == ["theme", "theme"]
    theme.forget()


def test_the_app_sends_the_projects_theme_from_the_cache() -> None:
    # In a child process: installing changes Streamlit for the whole process.
    probe = (
        "from streamlit.runtime import app_session\n"
        "from streamlit.proto.NewSession_pb2 import CustomThemeConfig\n"
        "original = app_session._populate_theme_msg\n"
        "import app\n"
        "m = CustomThemeConfig()\n"
        "app_session._populate_theme_msg(m)\n"
        "print(app_session._populate_theme_msg is not original, m.primary_color)\n"
    )
    assert printed_by(probe) == ["True", "#0f6e6e"]
