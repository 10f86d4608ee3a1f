"""A module's content version: a hash of what it says, blind to comments and layout."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from modules.course.models import Located, content_fields


def content_version(model: Located) -> str:
    """16 hex digits that change when any documented field of `model` changes."""
    canonical = json.dumps(_plain(model), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, Located):
        plain = {f.name: _plain(getattr(value, f.name)) for f in content_fields(type(value))}
        step_type = getattr(value, "TYPE", "")
        return {**plain, "type": step_type} if step_type else plain
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
