"""Safe YAML loading that remembers the line of every mapping, list and scalar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

try:  # libyaml makes composing about 20x faster; the pure-Python loader gives the same nodes.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_EXPANDED_NODES = 1_000_000
"""An alias bomb ('billion laughs') is refused before it is expanded past this many nodes."""

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SHORT_TAG_PREFIX = "tag:yaml.org,2002:"


class LoadError(Exception):
    """The file cannot be read as a YAML mapping; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Mapping(dict[str, Any]):
    """A YAML mapping that knows its own line and the line of each field (its key's line)."""

    line: int
    value_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.value_lines.get(key, self.line)


class Sequence(list[Any]):
    """A YAML list that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def load_file(path: Path) -> Mapping:
    """Read a YAML file that must hold one mapping, or raise LoadError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(1, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(line, "the file is not UTF-8 text; save it as UTF-8") from None
    return load_text(text)


def load_text(text: str) -> Mapping:
    """Parse YAML text holding one mapping, or raise LoadError."""
    if not text.strip() or all(
        line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()
    ):
        raise LoadError(1, "the file is empty; a module or course file is a YAML mapping")
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "quoted scalar" in str(exc.context) and exc.context_mark is not None:
            mark = exc.context_mark  # where the unclosed quote opened
        line = mark.line + 1 if mark else 1
        raise LoadError(line, f"YAML syntax: {_yaml_problem(exc, text)}") from None
    except yaml.YAMLError as exc:
        raise LoadError(1, f"YAML syntax: {exc}") from None
    if root is None:
        raise LoadError(1, "the file is empty; a module or course file is a YAML mapping")
    if "&" in text:  # without an anchor there can be no alias to expand
        _check_expansion(root)
    value = _Builder().build(root)
    if not isinstance(value, Mapping):
        kind = "a list" if isinstance(value, Sequence) else "a single value"
        raise LoadError(
            _line(root),
            f"the file holds {kind}; it must be a mapping of fields (id: ..., title: ...)",
        )
    return value


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or str(exc)
    mark = exc.problem_mark
    lines = text.splitlines()
    char = ""
    if mark is not None and mark.line < len(lines) and mark.column < len(lines[mark.line]):
        char = lines[mark.line][mark.column]
    if "cannot start any token" in problem and char in "@`":
        return (
            f"found '{char}' where a value starts: text that begins with {char} or [@...]"
            " must be in quotes"
        )
    if char == "\t" or "tab character" in problem:
        return "found a tab: YAML indents with spaces, not tabs"
    if "quoted scalar" in str(exc.context):
        return "a quoted text that starts here is never closed"
    if "mapping values are not allowed" in problem:
        return f"{problem}: text holding ': ' must be in quotes"
    if "flow sequence" in str(exc.context) or "flow node" in problem:
        return f"{problem}: text that begins with [ must be in quotes"
    parts = [p for p in (exc.context, exc.problem) if p]
    return "; ".join(parts)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _check_expansion(root: yaml.Node) -> None:
    """Refuse recursive aliases and documents that aliases blow up past MAX_EXPANDED_NODES.

    Aliases make the node graph a DAG; sizes are memoised per node, so this costs time in
    proportion to the distinct nodes, not to the expanded document.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, Iterator[yaml.Node]]] = [(root, _children(root))]
    on_path.add(id(root))
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.discard(id(node))
            total = 1 + sum(sizes[id(c)] for c in _children(node))
            if total > MAX_EXPANDED_NODES:
                raise LoadError(
                    _line(node),
                    f"aliases (*name) expand this document past {MAX_EXPANDED_NODES:,} values;"
                    " write the content out instead of repeating anchors",
                )
            sizes[id(node)] = total
        elif id(child) in on_path:
            raise LoadError(_line(child), "an alias (*name) refers to a value that contains it")
        elif id(child) not in sizes:
            on_path.add(id(child))
            stack.append((child, _children(child)))


class _Builder:
    """Turns composed nodes into Mapping, Sequence and plain scalars, refusing unsafe tags."""

    def __init__(self) -> None:
        self._constructor = SafeConstructor()

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, _MAP_TAG)
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ_TAG)
            return self._sequence(node)
        assert isinstance(node, yaml.ScalarNode)
        if node.tag not in _SCALAR_TAGS:
            self._refuse_tag(node)
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as exc:
            raise LoadError(_line(node), f"cannot read the value {node.value!r}: {exc}") from None
        if isinstance(value, dt.date | dt.datetime):
            return DateValue(node.value, value)
        if isinstance(value, str) and node.style == "|":
            return LiteralText(value, _line(node) + 1)
        return value

    def _mapping(self, node: yaml.MappingNode) -> Mapping:
        result = Mapping()
        result.line = _line(node)
        result.value_lines = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LoadError(
                    _line(key_node), "merge keys (<<) are not supported; write the fields out"
                )
            key = self.build(key_node)
            if not isinstance(key, str):
                raise LoadError(
                    _line(key_node), f"field names must be text, not {key_node.value!r}"
                )
            if key in key_lines:
                raise LoadError(
                    _line(key_node),
                    f"field '{key}' appears twice in this mapping (first at line {key_lines[key]})",
                )
            key_lines[key] = _line(key_node)
            result[key] = self.build(value_node)
            result.value_lines[key] = _line(key_node)
        return result

    def _sequence(self, node: yaml.SequenceNode) -> Sequence:
        result = Sequence(self.build(item) for item in node.value)
        result.line = _line(node)
        result.item_lines = [_line(item) for item in node.value]
        return result

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            self._refuse_tag(node)

    @staticmethod
    def _refuse_tag(node: yaml.Node) -> None:
        tag = str(node.tag)
        shown = "!!" + tag[len(_SHORT_TAG_PREFIX) :] if tag.startswith(_SHORT_TAG_PREFIX) else tag
        raise LoadError(
            _line(node),
            f"the YAML tag '{shown}' is not allowed; content holds only text, numbers,"
            " true/false, lists and mappings",
        )


class LiteralText(str):
    """Text from a literal block (|): `first_line` is the line of its first character."""

    first_line: int

    def __new__(cls, value: str, first_line: int) -> LiteralText:
        text = super().__new__(cls, value)
        text.first_line = first_line
        return text


class DateValue:
    """A plain date YAML read as a timestamp: kept so the validator can say 'put it in quotes'."""

    def __init__(self, source: str, value: dt.date | dt.datetime) -> None:
        self.source = source
        self.value = value

    def __repr__(self) -> str:
        return self.source
