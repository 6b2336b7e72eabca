"""Frontmatter read by PyYAML: its loaders bounded, libyaml where it agrees with them.

Only a block compiler/frontmatter.py cannot read itself (anything but `key: plain value`
lines) comes here, so a build of such agents (the benchmark's, most one-edit rebuilds) never
imports PyYAML: ~40M instructions, ~8% of a one-edit rebuild of 1000 agents.
"""

from __future__ import annotations

from typing import Any

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.frontmatter import _UNUSUAL, MAX_DEPTH, Entry, _put, _rows
from agentc.compiler.lazyre import lazy_compile, load_yaml
from agentc.compiler.span import Span

yaml = load_yaml()
YAMLError = yaml.YAMLError


class Refused(yaml.YAMLError):
    """YAML agentc will not read, whatever the parser could do: an alias (nested aliases expand
    exponentially downstream, the "billion laughs"), or nesting past MAX_DEPTH (a deep enough flow
    collection exhausts Python's stack)."""

    def __init__(self, code: str, message: str, mark) -> None:
        super().__init__(message)
        self.code, self.message, self.problem_mark = code, message, mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with aliases refused and nesting bounded, so reading frontmatter
    takes time and memory linear in its size."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise Refused("AGC106", f"YAML alias '*{event.anchor}' in frontmatter", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise Refused("AGC107", f"frontmatter values nest deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _or_text(construct):  # noqa: ANN001, ANN202 - a PyYAML constructor
    """A constructor for YAML 1.1's implicit int, float and date that keeps the scalar's text
    when Python cannot build the value: "0x_" and "0b_" resolve as ints with no digits, and
    "2024-13-45" as a date past December. YAML 1.2 reads these as strings, and so does agentc;
    the typed fields then say what they wanted."""

    def lenient(loader, node):  # noqa: ANN001, ANN202
        try:
            return construct(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    return lenient


_Loader.add_constructor("tag:yaml.org,2002:int", _or_text(yaml.SafeLoader.construct_yaml_int))
_Loader.add_constructor("tag:yaml.org,2002:float", _or_text(yaml.SafeLoader.construct_yaml_float))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _or_text(yaml.SafeLoader.construct_yaml_timestamp))


def safe_load(text: str) -> Any:
    """`yaml.safe_load` with aliases refused and nesting bounded (raises `Refused`)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# libyaml reads a frontmatter block ~10x faster than PyYAML's pure-Python parser. It is used only
# where both are known to agree: text of ordinary printable characters (no tab, control character or BOM,
# none of YAML 1.1's extra line breaks), and, as libyaml's own event stream shows, no alias, no
# anchor, no explicit tag and nesting well within MAX_DEPTH. Anything else, and any YAML error
# (whose position feeds AGC101), goes to the pure-Python `_Loader`, which says exactly what is wrong.
if hasattr(yaml, "CSafeLoader"):

    class _CLoader(yaml.CSafeLoader):
        """libyaml's safe loader, building values as `_Loader` does."""

        yaml_constructors = dict(_Loader.yaml_constructors)
else:
    _CLoader = None  # PyYAML built without libyaml
_FAST_DEPTH = 8  # collections nested this deep (real files use 2) are left to the bounded loader
# A block scalar header as PyYAML reads it (libyaml also takes e.g. ">#-", which PyYAML refuses).
_HEADER = lazy_compile(r"[|>](?:[+-][1-9]?|[1-9][+-]?)?(?: +(?:#.*)?)?$")


def _libyaml_agrees(text: str) -> bool:
    """True if libyaml may read `text`: nothing in it where the two loaders could differ."""
    if _CLoader is None or _UNUSUAL.search(text):
        return False
    depth = 0
    rows: list[str] | None = None
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None:
                return False
            if isinstance(event, yaml.ScalarEvent) and event.style in ("|", ">"):
                rows = rows or text.split("\n")
                mark = event.start_mark
                if not _HEADER.match(rows[mark.line], mark.column):
                    return False
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > _FAST_DEPTH:
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return False
    return True


def strict(file: str, block: list[str], first: int, indent: int, out: list[Diagnostic]) -> dict:
    """The entries of the one mapping YAML reads from `block` (raises `Refused` or YAMLError)."""
    rows = _rows(block)  # only a YAML loader's marks need them (~1/7 of read_frontmatter when made for every block)
    text = "\n".join(block)
    if _libyaml_agrees(text):
        fast: list[Diagnostic] = []
        try:
            entries = _entries(file, block, first, indent, fast, rows, _CLoader(text))
        except yaml.YAMLError:
            pass  # the pure-Python loader below reports it with its own position
        else:
            out += fast
            return entries
    return _entries(file, block, first, indent, out, rows, _Loader(text))


def _entries(file: str, block: list[str], first: int, indent: int, out: list[Diagnostic], rows: list[int], loader) -> dict:  # noqa: ANN001 - a PyYAML loader
    """The keys of the one mapping `loader` reads, each with the span of its key."""
    try:
        root = loader.get_single_node()
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            out.append(
                diag(
                    "AGC104",
                    Span(file=file, line=first),
                    "frontmatter is not a mapping of keys to values",
                    hint="write it as 'key: value' lines",
                    excerpt=block[0] if block else None,
                )
            )
            return {}
        entries: dict[str, Entry] = {}
        for key_node, value_node in root.value:
            key = loader.construct_object(key_node, deep=True)
            value = loader.construct_object(value_node, deep=True)
            row = rows[min(key_node.start_mark.line, len(rows) - 1)]
            span = Span(file=file, line=first + row, col=key_node.start_mark.column + 1 + indent)
            _put(entries, Entry(key=str(key), value=value, span=span), block[row], out)
        return entries
    finally:
        loader.dispose()
