"""What a certificate of completion says: when the course was completed, and its code.

Pure: the completion rule is modules.course.completion's; this only asks it and finds the
moment the last required step made it true.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from modules.course.completion import course_complete, module_complete, required_steps
from modules.course.models import CourseContent

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped from paper survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 x 5 = 80 random bits: guessing one code takes ~10^24 tries
_READ_AS = {"O": "0", "I": "1", "L": "1"}  # what people type for the digits they see
_SEPARATORS = frozenset(" -_.\t")

StepTimes = Mapping[tuple[str, str], datetime]  # (module id, step id) -> when completed


def new_code() -> str:
    """A fresh verification code (store it as is; show it with `spaced`)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def spaced(code: str) -> str:
    """The code in groups of four, as printed: 7K3M-..."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(text: str) -> str | None:
    """The stored form of a typed or linked code, or None when it cannot be one."""
    if len(text) > 64:
        return None
    kept = "".join(c for c in text.upper() if c not in _SEPARATORS)
    code = "".join(_READ_AS.get(c, c) for c in kept)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def course_completed_at(content: CourseContent, completed: StepTimes) -> datetime | None:
    """When the course became complete (every listed module, by the one rule), else None.

    A module's moment is its last required step's; a module with no required steps adds none.
    A module hidden for errors cannot be complete, so neither can the course.
    """
    done_modules: list[str] = []
    moments: list[datetime] = []
    for module_id in content.course.modules:
        module = content.modules.get(module_id)
        if module is None:
            continue
        steps = {step for (mod, step) in completed if mod == module_id}
        if not module_complete(module, steps):
            continue
        done_modules.append(module_id)
        moments += [completed[module_id, step] for step in required_steps(module)]
    if not course_complete(content.course, done_modules):
        return None
    return max(moments, default=None)
