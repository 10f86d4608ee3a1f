"""The README's course map is what `python -m modules course-map` prints for content/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    blocks = README.split("```bash\n")[1:3]
    commands = [block.split("```")[0].strip() for block in blocks]
    assert commands == [
        "python3 -m pip install -r requirements.txt && python3 -m streamlit run app.py",
        "python3 -m pip install -r requirements-dev.txt && python3 -m pytest",
    ]


def test_course_map_matches_the_content() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "modules", "course-map"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    in_readme = README.split("<!-- course-map:start -->")[1].split("<!-- course-map:end -->")[0]
    assert in_readme.strip() == printed, "run: python -m modules course-map, and paste it"


def test_every_setting_is_documented() -> None:
    source = (ROOT / "modules" / "settings.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'"(ALLY_[A-Z_]+)"', source))
    assert keys, "no settings found"
    assert {k for k in keys if k not in README} == set()
