"""Build typed models from loaded YAML, reporting every field problem at its line."""

from __future__ import annotations

import dataclasses
import difflib
import typing
from typing import Any, Literal, TypeVar, get_args, get_origin

from modules.course import loading
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
from modules.course.problems import Report, located, where

M = TypeVar("M", bound=Located)


class _Invalid(Exception):
    """A value could not be read; its problem is already in the report."""


def read_course(data: loading.Mapping, report: Report) -> Course | None:
    return _Reader(report).model(Course, data, "")


def read_module(data: loading.Mapping, report: Report) -> Module | None:
    """Read a module; a step with problems is left out so the other steps can be checked."""
    reader = _Reader(report)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, loading.Sequence):
        return reader.model(Module, data, "")
    if not raw_steps:
        report.error(data.line_of("steps"), "required", "'steps' is empty; add at least one step")
    steps = (reader.step(raw, raw_steps.line_of(i), i) for i, raw in enumerate(raw_steps))
    return reader.model(Module, data, "", preset={"steps": tuple(s for s in steps if s)})


class _Reader:
    def __init__(self, report: Report) -> None:
        self.report = report

    def step(self, raw: Any, line: int, index: int) -> Step | None:
        label = f"step {index + 1}"
        if isinstance(raw, loading.Mapping) and isinstance(raw.get("id"), str):
            label = f"step '{raw['id']}'"
        if not isinstance(raw, loading.Mapping):
            self.report.error(line, "type", f"{label}: must be a mapping of fields, {_kind(raw)}")
            return None
        step_type = raw.get("type")
        cls = STEP_TYPES.get(step_type) if isinstance(step_type, str) else None
        if cls is None:
            types_ = ", ".join(STEP_TYPES)
            if step_type is None:
                message = f"missing required field 'type' (one of: {types_})"
            else:
                message = f"type {step_type!r} is not a step type (one of: {types_})"
            self.report.error(raw.line_of("type"), "type", located(label, message))
            return None
        if isinstance(raw.get("id"), str):
            label = f"{cls.TYPE} '{raw['id']}'"
        return self.model(cls, raw, label, extra_allowed=("type",))

    def model(
        self,
        cls: type[M],
        data: Any,
        context: str,
        *,
        line: int = 1,
        extra_allowed: tuple[str, ...] = (),
        preset: dict[str, Any] | None = None,
    ) -> M | None:
        if not isinstance(data, loading.Mapping):
            self.report.error(line, "type", located(context, f"must be a mapping, {_kind(data)}"))
            return None
        fields = _fields(cls)
        ok = self._unknown_fields(cls, data, context, set(fields) | set(extra_allowed))
        values: dict[str, Any] = dict(preset or {})
        hints = _hints(cls)
        for name, spec in fields.items():
            if name in values:
                continue
            if name not in data:
                if is_required(spec):
                    self.report.error(
                        data.line, "required", located(context, f"missing required field '{name}'")
                    )
                    ok = False
                continue
            try:
                values[name] = self._value(hints[name], data[name], data, name, context, spec)
            except _Invalid:
                ok = False
        if not ok:
            return None
        lines = dict(data.value_lines)
        for name, raw in data.items():
            if isinstance(raw, loading.Sequence):
                lines.update({f"{name}[{i}]": item for i, item in enumerate(raw.item_lines)})
        return cls(line=data.line, lines=lines, **values)

    def _unknown_fields(
        self, cls: type[Located], data: loading.Mapping, context: str, allowed: set[str]
    ) -> bool:
        ok = True
        for key in data:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(key, sorted(allowed), n=1)
            guess = f"; did you mean '{hint[0]}'?" if hint else ""
            kind = "this step type" if issubclass(cls, Step) else f"a {cls.KIND}"
            names = ", ".join(sorted(allowed))
            message = f"unknown field '{key}'{guess} (allowed in {kind}: {names})"
            if cls is Decision and key in ("ending", "coaching"):
                message = f"'{key}' belongs on an ending, which has no choices"
            self.report.error(data.line_of(key), "unknown-field", located(context, message))
            ok = False
        return ok

    def _value(
        self,
        hint: Any,
        value: Any,
        parent: loading.Mapping,
        name: str,
        context: str,
        spec: dataclasses.Field[Any],
    ) -> Any:
        line = parent.line_of(name)
        optional, hint = unwrap_optional(hint)
        if value is None:
            if optional:
                return None
            self._fail(line, "required", context, f"'{name}' is empty")
        origin = get_origin(hint)
        if origin is tuple:
            return self._sequence(get_args(hint)[0], value, line, name, context, spec)
        return self._single(hint, value, line, name, context, spec)

    def _sequence(
        self,
        item_hint: Any,
        value: Any,
        line: int,
        name: str,
        context: str,
        spec: dataclasses.Field[Any],
    ) -> tuple[Any, ...]:
        if not isinstance(value, loading.Sequence):
            self._fail(line, "type", context, f"'{name}' must be a list, {_kind(value)}")
        items: list[Any] = []
        ok = True
        for index, item in enumerate(value):
            try:
                items.append(
                    self._single(item_hint, item, value.line_of(index), name, context, spec, index)
                )
            except _Invalid:
                ok = False
        if not ok:
            raise _Invalid
        return tuple(items)

    def _single(
        self,
        hint: Any,
        value: Any,
        line: int,
        name: str,
        context: str,
        spec: dataclasses.Field[Any],
        index: int | None = None,
    ) -> Any:
        shown = name if index is None else f"{name} item {index + 1}"
        if _is_model(hint):
            return self._model_item(hint, value, line, context, index)
        if hint is str:
            return self._text(value, line, shown, context, bool(spec.metadata.get("slug")))
        if hint is bool:
            if not isinstance(value, bool):
                self._fail(
                    line, "type", context, f"'{shown}' must be true or false, {_kind(value)}"
                )
            return value
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self._fail(
                    line, "type", context, f"'{shown}' must be a whole number, {_kind(value)}"
                )
            return value
        if hint is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self._fail(line, "type", context, f"'{shown}' must be a number, {_kind(value)}")
            return float(value)
        if get_origin(hint) is Literal:
            allowed = get_args(hint)
            if value not in allowed:
                names = ", ".join(allowed)
                self._fail(
                    line, "type", context, f"'{shown}' must be one of {names}, {_kind(value)}"
                )
            return value
        raise TypeError(f"no reader for {hint!r}")  # pragma: no cover - a models.py mistake

    def _model_item(
        self, hint: Any, value: Any, line: int, context: str, index: int | None
    ) -> Located:
        cls: type[Located] = _node_class(value) if hint == (Decision | Ending) else hint
        kind = cls.KIND
        label = f"{kind} {index + 1}" if index is not None else kind
        if isinstance(value, loading.Mapping) and isinstance(value.get("id"), str):
            label = f"{kind} '{value['id']}'"
        result = self.model(cls, value, where(context, label), line=line)
        if result is None:
            raise _Invalid
        return result

    def _text(self, value: Any, line: int, name: str, context: str, slug: bool) -> str:
        if not isinstance(value, str):
            self._fail(
                line, "type", context, f"'{name}' must be text, {_kind(value)}{_quote_hint(value)}"
            )
        if not value.strip():
            self._fail(line, "required", context, f"'{name}' is empty")
        if slug and not (SLUG.match(value) and len(value) <= SLUG_MAX):
            self._fail(
                line,
                "id",
                context,
                f"'{name}' {value!r} is not a valid id: use 1-{SLUG_MAX} lowercase letters,"
                " digits and single hyphens, like 'speak-up-2'",
            )
        return value

    def _fail(self, line: int, rule: str, context: str, message: str) -> typing.NoReturn:
        self.report.error(line, rule, located(context, message))
        raise _Invalid


_FIELDS: dict[type[Located], dict[str, dataclasses.Field[Any]]] = {}
_HINTS: dict[type[Located], dict[str, Any]] = {}


def _fields(cls: type[Located]) -> dict[str, dataclasses.Field[Any]]:
    if cls not in _FIELDS:
        _FIELDS[cls] = {f.name: f for f in content_fields(cls)}
    return _FIELDS[cls]


def _hints(cls: type[Located]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _node_class(value: Any) -> type[Decision] | type[Ending]:
    if isinstance(value, loading.Mapping) and "ending" in value:
        return Ending
    return Decision


def _is_model(hint: Any) -> bool:
    if hint == (Decision | Ending):
        return True
    return isinstance(hint, type) and issubclass(hint, Located)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "but YAML reads this value as true/false"
    if isinstance(value, int | float):
        return f"but YAML reads {value!r} as a number"
    if isinstance(value, loading.DateValue):
        return f"but YAML reads {value.source} as a date"
    if isinstance(value, loading.Sequence):
        return "not a list"
    if isinstance(value, loading.Mapping):
        return "not a mapping"
    if value is None:
        return "but it is empty"
    return f"not {value!r}"


def _quote_hint(value: Any) -> str:
    if isinstance(value, bool | int | float | loading.DateValue):
        return ": put it in quotes"
    if isinstance(value, loading.Sequence):
        return " (text that begins with [ must be in quotes)"
    if isinstance(value, loading.Mapping):
        return " (text holding ': ' must be in quotes)"
    return ""
