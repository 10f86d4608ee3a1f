"""JSON Schemas of the content format, built from the models, for editors with YAML support."""

from __future__ import annotations

import typing
from typing import Any, Literal, get_args, get_origin

from modules.course.models import (
    SLUG,
    SLUG_MAX,
    STEP_TYPES,
    Course,
    Decision,
    Ending,
    Located,
    Module,
    Step,
    content_fields,
    is_required,
    unwrap_optional,
)

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def course_schema() -> dict[str, Any]:
    return _document(Course, "Ally course (content/course.yaml)")


def module_schema() -> dict[str, Any]:
    return _document(Module, "Ally course module (content/modules/<id>.yaml)")


def _document(root: type[Located], title: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    body = _object(root, defs)
    return {"$schema": SCHEMA_DIALECT, "title": title, **body, "$defs": defs}


def _object(cls: type[Located], defs: dict[str, Any], step_type: str = "") -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    if step_type:
        properties["type"] = {"const": step_type, "description": "the step type"}
        required.append("type")
    for spec in content_fields(cls):
        optional, hint = unwrap_optional(hints[spec.name])
        prop = _value(hint, defs, bool(spec.metadata.get("slug")))
        properties[spec.name] = {**prop, "description": spec.metadata["doc"]}
        if spec.metadata.get("minimum") is not None:
            properties[spec.name]["minimum"] = spec.metadata["minimum"]
        if is_required(spec) and not optional:
            required.append(spec.name)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _value(hint: Any, defs: dict[str, Any], slug: bool) -> dict[str, Any]:
    if get_origin(hint) is tuple:
        return {"type": "array", "items": _value(get_args(hint)[0], defs, slug)}
    if hint == (Decision | Ending):
        return {"oneOf": [_ref(Decision, defs), _ref(Ending, defs)]}
    if hint is Step:
        return {"oneOf": [_ref(cls, defs, cls.TYPE) for cls in STEP_TYPES.values()]}
    if isinstance(hint, type) and issubclass(hint, Located):
        return _ref(hint, defs)
    if get_origin(hint) is Literal:
        return {"enum": list(get_args(hint))}
    if hint is str:
        if slug:
            return {"type": "string", "pattern": SLUG.pattern, "maxLength": SLUG_MAX}
        return {"type": "string", "minLength": 1}
    return {"type": {bool: "boolean", int: "integer", float: "number"}[hint]}


def _ref(cls: type[Located], defs: dict[str, Any], step_type: str = "") -> dict[str, Any]:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # placeholder first: models refer to each other
        defs[name] = _object(cls, defs, step_type)
    return {"$ref": f"#/$defs/{name}"}
