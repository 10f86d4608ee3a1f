"""One renderer, enforced: every string Streamlit reads as markdown is built by modules/ui/render.

An AST walk over modules/ui/**/*.py (render.py aside) looks at each argument that Streamlit
shows as markdown (the body of st.markdown, st.write, st.caption, titles and messages; the
label of every widget, expander, popover, metric and page link; tab names; help texts; radio
options through format_func) and fails unless it is built from:

- string literals, and names or dicts bound only to them (module constants such as PRIVACY);
- calls into render.py (plain, content) or into functions that only return such things;
- f-strings whose holes are such things, or numbers: `len(...)`, or a hole with a numeric or
  date format spec (`{n:d}`, `{share:.0%}`, `{day:%B %-d}`), which fails on a string.

Select box and multiselect options are plain text, not markdown: there a format_func must use
render.option (plain() would show its backslashes). st.html and unsafe_allow_html are for
render.py alone.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "modules" / "ui"
RENDER = UI / "render.py"

# Streamlit functions and the argument that it reads as markdown (positional 0 or keyword).
BODY = {"markdown", "caption", "title", "header", "subheader"}
BODY |= {"success", "info", "warning", "error", "toast"}
LABEL = {"expander", "popover", "status", "metric", "spinner"}
LABEL |= {"button", "form_submit_button", "download_button", "link_button", "checkbox", "toggle"}
LABEL |= {"radio", "selectbox", "multiselect", "select_slider", "slider", "pills"}
LABEL |= {"segmented_control", "text_input", "text_area", "number_input", "date_input"}
LABEL |= {"time_input", "file_uploader", "color_picker", "camera_input", "feedback"}
KEYWORD_ONLY = {"page_link": "label", "progress": "text"}
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control"}  # options shown as markdown
TEXT_OPTIONS = {"selectbox", "multiselect", "select_slider"}  # options shown as plain text
ONLY_IN_RENDER = {"html"}
# Method names too common to vouch for by name alone (str.title, dict.get ...).
UNVOUCHABLE = set(dir(str)) | set(dir(dict)) | set(dir(list)) | set(dir(builtins))
NUMBER_BUILTINS = {"len", "round", "int"}
NUMERIC_SPEC = re.compile(r".*[bcdeEfFgGnoxX%]|.*%.*")


class Place(Enum):
    MARKDOWN = "markdown"  # read as markdown: plain() and content()
    TEXT = "text"  # shown as plain text: option()


BASE = {Place.MARKDOWN: {"plain", "content"}, Place.TEXT: {"option"}}


@dataclass
class Scope:
    """Where names are bound: a function's body, or a module's."""

    bindings: dict[str, list[ast.expr | None]] = field(default_factory=dict)
    parent: Scope | None = None

    def bind(self, name: str, value: ast.expr | None) -> None:
        self.bindings.setdefault(name, []).append(value)  # None: bound to something unknown

    def lookup(self, name: str) -> list[ast.expr | None] | None:
        if name in self.bindings:
            return self.bindings[name]
        return self.parent.lookup(name) if self.parent else None


def scope_of(body: ast.AST, parent: Scope | None, arguments: ast.arguments | None) -> Scope:
    scope = Scope(parent=parent)
    if arguments is not None:
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            scope.bind(argument.arg, None)
    for node in _own_nodes(body):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                _bind_target(scope, target, node.value)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            _bind_target(scope, node.target, node.value)
        elif isinstance(node, ast.AugAssign):
            _bind_target(scope, node.target, None)
        elif isinstance(node, ast.For | ast.comprehension):
            _bind_target(scope, node.target, None)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            _bind_target(scope, node.optional_vars, None)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bind(node.name, None)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                for value in imported(node.module or "", alias.name):
                    renamed = alias.asname and value is None  # `content as rendered`
                    scope.bind(
                        alias.asname or alias.name, ast.Name(alias.name) if renamed else value
                    )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                scope.bind((alias.asname or alias.name).split(".")[0], None)
    return scope


def imported(module: str, name: str) -> list[ast.expr | None]:
    """What `name` is bound to at the top of the project module `module` (None: unknown).

    Only literals carry over (a constant such as DATABASE_DOWN, a table such as ROLE_LABELS):
    the values are read later in the importing module's scope.
    """
    path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    if not module.startswith("modules.") or not path.exists():
        return [None]
    source = ast.parse(path.read_text())
    found: list[ast.expr | None] = []
    for node in source.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            found.append(value if value is not None and _literal(value) else None)
    return found or [None]


def _literal(node: ast.expr | None) -> bool:
    """A string, or a table of strings (its keys may be anything: they are never shown)."""
    match node:
        case ast.Constant(value=str()):
            return True
        case ast.Dict(values=values):
            return all(_literal(v) for v in values)
        case ast.Tuple(elts=elements) | ast.List(elts=elements):
            return all(_literal(e) for e in elements)
    return False


def _bind_target(scope: Scope, target: ast.expr, value: ast.expr | None) -> None:
    if isinstance(target, ast.Name):
        scope.bind(target.id, value)
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            _bind_target(scope, element, None)


def _own_nodes(body: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `body`, not descending into nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(node))


@dataclass
class Rules:
    """What counts as built by the renderer, with the functions vouched for so far."""

    vouched: dict[Place, set[str]]

    def allowed(
        self, node: ast.expr | None, scope: Scope, place: Place, seen: frozenset[int] = frozenset()
    ) -> bool:
        if node is None or id(node) in seen:
            return False
        seen = seen | {id(node)}
        match node:
            case ast.Constant(value=str() | int() | float()):
                return True
            case ast.JoinedStr(values=values):
                return all(self._hole(v, scope, place, seen) for v in values)
            case ast.BinOp(op=ast.Add(), left=left, right=right):
                return self.allowed(left, scope, place, seen) and self.allowed(
                    right, scope, place, seen
                )
            case ast.IfExp(body=body, orelse=orelse):
                return self.allowed(body, scope, place, seen) and self.allowed(
                    orelse, scope, place, seen
                )
            case ast.Call(
                func=ast.Attribute(value=ast.Name(id=name), attr="get"), args=[_, default]
            ):
                bound = scope.lookup(name)  # a lookup in a table of literals, a literal default
                tables = bool(bound) and all(self._table(v, scope, place, seen) for v in bound)
                return tables and self.allowed(default, scope, place, seen)
            case ast.Call(func=func):
                return self.called(func, scope) in self.vouched[place]
            case ast.Name(id=name):
                # A name built up in steps (text = f"{text} ..."): a binding already being
                # checked is assumed rendered, so the name passes when each binding adds only
                # rendered text to it; one binding that is not keeps failing it.
                bound = scope.lookup(name)
                return bool(bound) and all(
                    id(v) in seen or self.allowed(v, scope, place, seen) for v in bound
                )
            case ast.Subscript(value=ast.Name(id=name)):
                bound = scope.lookup(name)
                return bool(bound) and all(self._table(v, scope, place, seen) for v in bound)
            case ast.List(elts=elements) | ast.Tuple(elts=elements):
                return all(self.allowed(e, scope, place, seen) for e in elements)
        return False

    def formatter(self, node: ast.expr, scope: Scope, place: Place) -> bool:
        """A format_func whose every output is allowed."""
        match node:
            case ast.Lambda(args=arguments, body=body):
                return self.allowed(body, scope_of(node, scope, arguments), place)
            case ast.Attribute(value=ast.Name(id=name), attr="__getitem__"):
                bound = scope.lookup(name)
                return bool(bound) and all(self._table(v, scope, place, frozenset()) for v in bound)
            case ast.Attribute(value=table, attr="__getitem__"):
                return self._table(table, scope, place, frozenset())
            case ast.Name(id=name) | ast.Attribute(attr=name):
                return name in self.vouched[place]
        return False

    @staticmethod
    def called(func: ast.expr, scope: Scope) -> str | None:
        """The name of the function called; through an import's `as`."""
        match func:
            case ast.Name(id=name):
                bound = scope.lookup(name) or []
                if len(bound) == 1 and isinstance(bound[0], ast.Name):
                    return bound[0].id
                return name
            case ast.Attribute(attr=name) if name not in UNVOUCHABLE:
                return name
        return None

    def _hole(self, node: ast.expr, scope: Scope, place: Place, seen: frozenset[int]) -> bool:
        if isinstance(node, ast.Constant):
            return True
        assert isinstance(node, ast.FormattedValue)
        if node.conversion != -1:
            return False
        if isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(
                str(v.value) for v in node.format_spec.values if isinstance(v, ast.Constant)
            )
            if NUMERIC_SPEC.fullmatch(spec):
                return True
        return self.number(node.value, scope, seen) or self.allowed(node.value, scope, place, seen)

    def number(self, node: ast.expr | None, scope: Scope, seen: frozenset[int]) -> bool:
        """An int for sure: a count from len(), arithmetic on counts, a name bound to one."""
        if node is None or id(node) in seen:
            return False
        seen = seen | {id(node)}
        match node:
            case ast.Constant(value=int()):
                return True
            case ast.Call(func=ast.Name(id=name)):
                return name in NUMBER_BUILTINS
            case ast.BinOp(left=left, right=right, op=ast.Add() | ast.Sub() | ast.Mult()):
                return self.number(left, scope, seen) and self.number(right, scope, seen)
            case ast.Name(id=name):
                bound = scope.lookup(name)
                return bool(bound) and all(self.number(v, scope, seen) for v in bound)
        return False

    def _table(
        self, node: ast.expr | None, scope: Scope, place: Place, seen: frozenset[int]
    ) -> bool:
        """A dict whose every value is allowed (a lookup table such as QUALITY_LABEL)."""
        match node:
            case ast.Dict(values=values):
                return all(self.allowed(v, scope, place, seen) for v in values)
            case ast.DictComp(value=value, generators=generators):
                inner = scope_of(ast.Module(body=[], type_ignores=[]), scope, None)
                for generator in generators:
                    _bind_target(inner, generator.target, None)
                return self.allowed(value, inner, place, seen)
        return False


@dataclass(frozen=True)
class Function:
    name: str
    node: ast.FunctionDef
    scope: Scope


def ui_files() -> list[Path]:
    return sorted(p for p in UI.rglob("*.py") if p != RENDER)


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def functions(module: ast.Module, module_scope: Scope) -> Iterator[Function]:
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef):
            yield Function(node.name, node, scope_of(node, module_scope, node.args))


def vouched_functions() -> dict[Place, set[str]]:
    """render.py's functions, then every ui function whose returns are all allowed."""
    rules = Rules({place: set(names) for place, names in BASE.items()})
    candidates: list[Function] = []
    for path in ui_files():
        module = parsed(path)
        candidates += functions(module, scope_of(module, None, None))
    changed = True
    while changed:
        changed = False
        for place in Place:
            by_name: dict[str, list[bool]] = {}
            for function in candidates:
                returns = [
                    n.value
                    for n in _own_nodes(function.node)
                    if isinstance(n, ast.Return) and n.value is not None
                ]
                ok = bool(returns) and all(rules.allowed(r, function.scope, place) for r in returns)
                by_name.setdefault(function.name, []).append(ok)
            for name, verdicts in by_name.items():
                if all(verdicts) and name not in rules.vouched[place] and name not in UNVOUCHABLE:
                    rules.vouched[place].add(name)
                    changed = True
    return rules.vouched


def is_logger(receiver: ast.expr) -> bool:
    text = ast.unparse(receiver)
    return "log" in text.lower()


def problems_in(path: Path, rules: Rules) -> Iterator[str]:
    module = parsed(path)
    module_scope = scope_of(module, None, None)
    where = path.relative_to(ROOT)
    for call in (n for n in ast.walk(module) if isinstance(n, ast.Call)):
        if not isinstance(call.func, ast.Attribute) or is_logger(call.func.value):
            continue
        scope = _innermost_scope(module, call, module_scope)
        for problem in call_problems(call, call.func.attr, scope, rules):
            yield f"{where}:{call.lineno}: {problem}: {ast.unparse(call)[:110]}"


def _innermost_scope(module: ast.Module, target: ast.AST, module_scope: Scope) -> Scope:
    """The scope of the innermost function (or lambda) around `target`."""
    chain: list[ast.FunctionDef | ast.Lambda] = []

    def visit(node: ast.AST, path: list[ast.FunctionDef | ast.Lambda]) -> bool:
        if node is target:
            chain.extend(path)
            return True
        inner = [*path, node] if isinstance(node, ast.FunctionDef | ast.Lambda) else path
        return any(visit(child, inner) for child in ast.iter_child_nodes(node))

    visit(module, [])
    scope = module_scope
    for node in chain:
        scope = scope_of(node, scope, node.args)
    return scope


def call_problems(call: ast.Call, name: str, scope: Scope, rules: Rules) -> Iterator[str]:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if keywords.get("unsafe_allow_html") is not None:
        yield "unsafe_allow_html outside render.py"
    if name in ONLY_IN_RENDER:
        yield f"st.{name} outside render.py"
    texts: list[ast.expr] = []
    if name == "write":
        texts += call.args
    elif name in BODY | LABEL and (call.args or keywords):
        keyword = "body" if name in BODY else "text" if name == "spinner" else "label"
        first = call.args[0] if call.args else keywords.get(keyword)
        texts += [first] if first is not None else []
    elif name in KEYWORD_ONLY and KEYWORD_ONLY[name] in keywords:
        texts.append(keywords[KEYWORD_ONLY[name]])
    elif name == "tabs" and call.args:
        texts.append(call.args[0])
    if name in BODY | LABEL | KEYWORD_ONLY.keys() and "help" in keywords:
        texts.append(keywords["help"])
    for text in texts:
        if not rules.allowed(text, scope, Place.MARKDOWN):
            yield f"{name}() is given text that did not come from render.py"
    formatter = keywords.get("format_func")
    if formatter is not None and name in MARKDOWN_OPTIONS | TEXT_OPTIONS:
        place = Place.MARKDOWN if name in MARKDOWN_OPTIONS else Place.TEXT
        if not rules.formatter(formatter, scope, place):
            wanted = "content or plain" if place is Place.MARKDOWN else "option"
            yield f"{name}(format_func=...) does not use render.{wanted}"
    elif name in MARKDOWN_OPTIONS and len(call.args) > 1:
        if not rules.allowed(call.args[1], scope, Place.MARKDOWN):
            yield f"{name}() options are shown as markdown: give a format_func from render.py"


def all_problems() -> list[str]:
    rules = Rules(vouched_functions())
    return [problem for path in ui_files() for problem in problems_in(path, rules)]


def test_every_markdown_string_on_every_page_comes_from_the_renderer() -> None:
    assert all_problems() == []


# The checker itself: it must catch each way a stored value could slip past.

CAUGHT = [
    'st.markdown(f"Welcome, {name}.")',
    "st.markdown(name)",
    "st.write(plan.cue)",
    'st.caption("To: " + email)',
    'st.expander(f"{reminder.name} · {count} overdue")',
    'st.tabs(["Dashboard", cohort.name])',
    "st.success(message)",
    "st.error(str(error))",
    'st.button(f"Start: {module.title}")',
    'st.page_link("pages/x.py", label=module.title)',
    "st.progress(0.5, text=step.title)",
    "st.metric(cohort.name, 3)",
    'st.radio("Pick", ids, format_func=labels.__getitem__)',
    'st.selectbox("Who", ids, format_func=lambda i: plain(names[i]))',
    'st.markdown(f"{name!r}")',
    'st.markdown(f"{name:>20}")',
    'st.markdown(f"{option(name)}")',
    'st.title(" ".join(parts))',
    'OUTCOMES = {"done": "Done"}\nst.error(OUTCOMES.get(outcome, outcome))',  # stored default
    'st.html("<b>hi</b>")',
    "st.markdown(plain(x), unsafe_allow_html=True)",
    "left.caption(note)",
    'st.checkbox("Agree", help=cohort.name)',
    't = plain(a)\nt = f"{t} {b}"\nst.markdown(t)',  # built up in steps, one of them raw
    't = b\nt = f"{t} {plain(a)}"\nst.markdown(t)',
]
ALLOWED = [
    'st.markdown("**Your assignments**")',
    'st.markdown(f"Welcome, {plain(name)}.")',
    'st.caption(f"{len(due)} learner(s) · {share:.0%} · {day:%B %-d} · {days:d}")',
    "st.expander(content(module.title, bibliography))",
    "st.error(plain(str(error)))",
    'st.tabs(["Dashboard", "People"])',
    'st.radio("Pick", ids, format_func=lambda i: content(texts[i], bib))',
    'st.selectbox("Who", ids, format_func=lambda i: option(names[i]))',
    'st.button("Review" if done else "Open")',
    'log.error("database %s", url)',
    "title.strip()",
    't = plain(a)\nt = f"{t}\\n\\n{content(b, bib)}"\nst.markdown(t)',  # built up in steps
]


def check(source: str, rules: Rules | None = None) -> list[str]:
    module = ast.parse(source)
    scope = scope_of(module, None, None)
    rules = rules or Rules({place: set(names) for place, names in BASE.items()})
    call = module.body[-1]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert isinstance(call.value.func, ast.Attribute)
    if is_logger(call.value.func.value):
        return []
    return list(call_problems(call.value, call.value.func.attr, scope, rules))


@pytest.mark.parametrize("source", CAUGHT)
def test_the_check_catches(source: str) -> None:
    assert check(source) != []


@pytest.mark.parametrize("source", ALLOWED)
def test_the_check_allows(source: str) -> None:
    assert check(source) == []


def test_names_and_tables_bound_to_literals_are_allowed() -> None:
    source = (
        'PRIVACY = "Only you can read this."\n'
        'QUALITY = {"best": "Strong move", "poor": "Backfired"}\n'
        'st.caption(PRIVACY + " " + QUALITY[quality])'
    )
    assert check(source) == []
    assert check("PRIVACY = cohort.name\nst.caption(PRIVACY)") != []
    assert check('WHY = {"admin": "Administrators only."}\nst.error(WHY.get(role, "No."))') == []


def test_functions_are_vouched_for_only_when_every_return_is_rendered() -> None:
    module = ast.parse(
        "def good(p):\n    return f'{option(p.name)} <{option(p.email)}>'\n"
        "def bad(p):\n    if p:\n        return option(p.name)\n    return p.email\n"
    )
    scope = scope_of(module, None, None)
    rules = Rules({place: set(names) for place, names in BASE.items()})
    for function in functions(module, scope):
        returns = [n.value for n in ast.walk(function.node) if isinstance(n, ast.Return)]
        verdict = all(rules.allowed(r, function.scope, Place.TEXT) for r in returns)
        assert verdict == (function.name == "good")
