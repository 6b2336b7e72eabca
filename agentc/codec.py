"""The cache's JSON: a lowered file (agent and diagnostics) to JSON and back, validated, by
pydantic-core alone (no pydantic), or by agentc/_codec.c where built (`_dump`, `_load`).

Pydantic makes these same pydantic-core schemas from the IR's dataclasses, but importing it and
generating them cost a build ~50-65 ms (pydantic ~22 ms, its first adapter ~27 ms, the entry
model ~15 ms): a third of a no-op build of 100 agents, and as much again in a one-edit rebuild.
The IR's types are few and plain (str, int, bool, None, Any, Literal, tuple[X, ...], dict,
X | None, nested dataclasses), so the schema is made here from the classes' annotations in a
few ms, the way pydantic makes it: types checked, unknown keys refused. What is read back is
validated, so a damaged or hostile entry raises ValueError (a cache miss), never runs code.
tests/test_cache.py checks the JSON is byte for byte what pydantic writes for the same values.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import types
import typing
from functools import cache, cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from agentc.compiler import native
from agentc.compiler.pycache import FOLDER, Kept

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic_core import SchemaSerializer, SchemaValidator


_CORE_NAMES = ("SchemaSerializer", "SchemaValidator", "to_json", "from_json")


def __getattr__(name: str) -> Any:
    """`codec.SchemaValidator` and the rest of `_CORE_NAMES`: the compiled module's, loaded then (PEP 562)."""
    if name in _CORE_NAMES:
        return getattr(native.pydantic_core(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Schema = dict[str, Any]  # a pydantic-core schema, as core_schema's helpers make it


def _no_field(**_: Any) -> None:
    """Stands in for `Field(description=...)` in the IR's annotations while they are read here:
    the descriptions are the JSON schema's, and calling ir.Field would import pydantic."""


def _hints(cls: type) -> dict[str, Any]:
    """The field types of a dataclass, their `Annotated` descriptions dropped: what
    `typing.get_type_hints(cls)` gives for its fields (tests/test_cache.py compares them).

    Each annotation text is evaluated once per module (`_evaluated`): the IR's ~110 field
    annotations are ~50 texts ("str", "Span", "str | None"), and get_type_hints compiled each
    one anew for every class (the cache's schemas: ~2.9 -> ~1.9 ms at every cached build)."""
    return {f.name: _evaluated(cls.__module__, f.type) for f in dataclasses.fields(cls)}


# Each annotation text compiled once, not once a process, its code kept as Python keeps a
# module's bytecode (compiler/pycache.py): parsing and compiling the ~50 texts was ~5M
# instructions of every build that writes the cache, a one-edit rebuild's included.
_ANNOTATIONS = Kept(os.path.join(FOLDER, f"annotations.{sys.implementation.cache_tag}.marshal"), most=256)


@cache
def _evaluated(module: str, annotation: Any) -> Any:
    """An annotation as written in `module` (a string, under `from __future__ import
    annotations`) as the type it names, `Annotated[X, ...]` as X."""
    if isinstance(annotation, str):
        code = _ANNOTATIONS.get(annotation)
        if code is None:
            code = compile(annotation, "<annotation>", "eval")
            _ANNOTATIONS.put(annotation, code)
        annotation = eval(code, vars(sys.modules[module]), {"Field": _no_field})  # noqa: S307 - agentc's own annotations
    return annotation.__origin__ if typing.get_origin(annotation) is Annotated else annotation


class _Schemas:
    """pydantic-core schemas of the types above; each dataclass once, as a definition. Each is
    the dict pydantic_core.core_schema's helper of that name returns (`any_schema()` is
    {"type": "any"}, ...): that module is not imported (see native.pydantic_core)."""

    def __init__(self, unstored: frozenset[tuple[type, str]] = frozenset(), *, strict: bool = False,
                 unread: frozenset[tuple[type, str]] = frozenset()) -> None:
        self.definitions: dict[str, Schema] = {}
        self.unstored = unstored  # (class, str field) not written, read back as ""
        self.strict = strict  # exact JSON types: no "3" or 3.0 for an int
        self.unread = unread  # (class, field) passed over when read: its default instead

    def of(self, tp: Any) -> Schema:
        simple = {Any: "any", str: "str", bool: "bool", int: "int", type(None): "none"}
        if tp in simple:
            return {"type": simple[tp]}
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            return self._dataclass(tp)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is Literal:
            return {"type": "literal", "expected": list(args)}
        if origin in (Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            inner = self.of(rest[0]) if len(rest) == 1 else {"type": "union", "choices": [self.of(a) for a in rest]}
            return {"type": "nullable", "schema": inner} if len(rest) < len(args) else inner
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return {"type": "tuple", "items_schema": [self.of(args[0])], "variadic_item_index": 0}
        if origin is dict:
            return {"type": "dict", "keys_schema": self.of(args[0]), "values_schema": self.of(args[1])}
        if origin is list:
            return {"type": "list", "items_schema": self.of(args[0])}
        raise TypeError(f"the cache has no schema for {tp!r}")  # a new kind of field in the IR: add it above

    def _dataclass(self, cls: type) -> Schema:
        ref = f"{cls.__module__}.{cls.__qualname__}"
        if ref not in self.definitions:
            self.definitions[ref] = {"type": "any"}  # a placeholder while its fields are made
            hints = _hints(cls)
            fields = []
            for f in dataclasses.fields(cls):
                schema = self.of(hints[f.name])
                field = {"type": "dataclass-field", "name": f.name, "kw_only": f.kw_only is True}
                if (cls, f.name) in self.unread:  # its JSON is parsed past, no object made of it; not written either
                    default = {"default": f.default} if f.default is not dataclasses.MISSING else {"default_factory": f.default_factory}
                    fields.append({**field, "init": False, "schema": {"type": "default", "schema": {"type": "any"}, **default},
                                   "serialization_exclude": True})
                    continue
                if (cls, f.name) in self.unstored:
                    fields.append({**field, "schema": {"type": "default", "schema": schema, "default": ""},
                                   "serialization_exclude": True})
                    continue
                if f.default is not dataclasses.MISSING:
                    schema = {"type": "default", "schema": schema, "default": f.default}
                elif f.default_factory is not dataclasses.MISSING:
                    schema = {"type": "default", "schema": schema, "default_factory": f.default_factory}
                fields.append({**field, "schema": schema})
            # A class with unread fields takes their keys as extra ones, so it cannot refuse unknown
            # keys either: `load_entry(whole=False)` reads only what a worker just wrote, never the cache.
            extra = "ignore" if any(c is cls for c, _ in self.unread) else "forbid"
            self.definitions[ref] = {
                "type": "dataclass", "cls": cls, "fields": [f.name for f in dataclasses.fields(cls)],
                "schema": {"type": "dataclass-args", "dataclass_name": cls.__name__, "fields": fields},
                "slots": "__slots__" in vars(cls), "config": {"extra_fields_behavior": extra, "strict": self.strict},
                "ref": ref}
        return {"type": "definition-ref", "schema_ref": ref}

    def done(self, schema: Schema) -> Schema:
        return {"type": "definitions", "schema": schema, "definitions": list(self.definitions.values())}


def _typed_dict(fields: dict[str, Schema], extra_behavior: str) -> Schema:
    """core_schema.typed_dict_schema of these fields' schemas, each a typed_dict_field."""
    return {"type": "typed-dict", "fields": {k: {"type": "typed-dict-field", "schema": v} for k, v in fields.items()},
            "extra_behavior": extra_behavior}


Plans = dict[type, tuple[tuple[Any, bytes], ...]]


class _Made:
    """A schema's serializer and validator, each made on first use (a build that lowers every
    file never validates an entry, and with the C writer built, nothing asks the serializer),
    and what _codec.dump writes of each of its dataclasses: the fields the serializer writes,
    in order, each as (its slot, or its name when it has none; the JSON before its value).
    The schema itself is made on first use too (`make`), where `plans` are given: writing a
    rebuilt file's entry with the C writer asks for nothing else."""

    def __init__(self, make: Callable[[], tuple[_Schemas, Schema]], plans: Plans | None = None) -> None:
        self._make = make
        if plans is not None:
            self.plans = plans

    @cached_property
    def _schemas(self) -> tuple[_Schemas, Schema]:
        return self._make()

    @cached_property
    def schema(self) -> Schema:
        return self._schemas[1]

    @cached_property
    def plans(self) -> Plans:
        return {definition["cls"]: _plan(definition["cls"], [f["name"] for f in definition["schema"]["fields"]
                                                             if not f.get("serialization_exclude")])
                for definition in self._schemas[0].definitions.values()}

    @cached_property
    def serializer(self) -> SchemaSerializer:
        return native.pydantic_core().SchemaSerializer(self.schema)

    @cached_property
    def validator(self) -> SchemaValidator:
        return native.pydantic_core().SchemaValidator(self.schema)

    @cached_property
    def loader(self) -> Any:
        """_codec.load's plan of this schema, or None where it is not built."""
        return _C.loader(_load_specs(self.schema)) if _C is not None else None


def _plan(cls: type, names: list[str]) -> tuple[tuple[Any, bytes], ...]:
    """_codec.dump's plan of a dataclass: for each field it writes, in order, its slot (or name)
    and the JSON before its value. A field's name is an identifier: no character JSON escapes.
    (to_json here made pydantic-core import decimal, fractions and uuid for its type inference,
    ~3 ms, in every cached build.)"""
    return tuple((_slot(cls, name), f'{"{" if i == 0 else ","}"{name}":'.encode()) for i, name in enumerate(names))


def _slot(cls: type, name: str) -> Any:
    """The slot (member descriptor) that holds field `name` of `cls`'s objects, else the name."""
    found = next((vars(k)[name] for k in cls.__mro__ if name in vars(k)), None)
    return found if type(found) is types.MemberDescriptorType else name


def _dump(value: Any, made: _Made) -> bytes:
    """`made.serializer.to_json(value)`, written by agentc/_codec.c when it is built and knows every
    value (a 1000-agent cold build: its entries ~130 -> ~60 ms, its record ~40 -> ~20 ms);
    pydantic-core, the reference, writes anything else (a float or a date in an agent's
    metadata, ...)."""
    if _C is not None:
        data = _C.dump(value, made.plans)
        if data is not None:
            return data
    return made.serializer.to_json(value)


def _load(data: bytes, made: _Made) -> Any:
    """`made.validator.validate_json(data)`, read by agentc/_codec.c when it is built and the JSON
    is what its `dump` writes (a 1000-agent cold claude build loads the ~500 entries of its
    worker: ~387K -> ~65K instructions each); pydantic-core, the reference, reads anything else
    and raises the ValueError of a damaged entry."""
    if made.loader is not None:
        value = _C.load(data, made.loader)
        if value is not None:
            return value
    return made.validator.validate_json(data)


# The nodes of _codec.load's plan (see its comment in agentc/_codec.c), and how it reads a field.
L_ANY, L_STR, L_INT, L_BOOL, L_NONE, L_LITERAL, L_NULLABLE, L_TUPLE, L_LIST, L_DICT, L_OBJECT, L_RECORD = range(12)
F_READ, F_SKIP, F_ABSENT = range(3)


def _load_specs(schema: Schema) -> tuple:
    """_codec.load's plan of one of `_Schemas`' schemas (`done`'s): its nodes, each referring to
    others by index, the root first; a dataclass once, however many refer to it. TypeError for a
    schema it has no node for."""
    definitions = {d["ref"]: d for d in schema["definitions"]}
    nodes: list[Any] = []
    at: dict[str, int] = {}

    def add(s: Schema) -> int:
        if s["type"] == "definition-ref":
            ref = s["schema_ref"]
            if ref not in at:
                at[ref] = len(nodes)
                nodes.append(None)
                nodes[at[ref]] = of_class(definitions[ref])
            return at[ref]
        i = len(nodes)
        nodes.append(None)
        nodes[i] = node(s)
        return i

    def node(s: Schema) -> tuple:
        kind = s["type"]
        simple = {"any": L_ANY, "str": L_STR, "int": L_INT, "bool": L_BOOL, "none": L_NONE}
        if kind in simple:
            return (simple[kind],)
        if kind == "literal" and all(type(v) is str for v in s["expected"]):
            return (L_LITERAL, tuple(s["expected"]))
        if kind == "nullable":
            return (L_NULLABLE, add(s["schema"]))
        if kind == "tuple" and len(s["items_schema"]) == 1 and s.get("variadic_item_index") == 0:
            return (L_TUPLE, add(s["items_schema"][0]))
        if kind == "list":
            return (L_LIST, add(s["items_schema"]))
        if kind == "dict" and s["keys_schema"] == {"type": "str"}:
            return (L_DICT, add(s["values_schema"]))
        if kind == "typed-dict":
            return (L_RECORD, tuple((key, add(f["schema"])) for key, f in s["fields"].items()))
        raise TypeError(f"_codec.load has no node for {s!r}")

    def of_class(d: Schema) -> tuple:
        cls, fields = d["cls"], []
        for f in d["schema"]["fields"]:
            s, default, factory = f["schema"], None, False
            if s["type"] == "default":  # a default matters only where the JSON has no value
                default, factory = s.get("default_factory"), "default_factory" in s
                default = default if factory else s["default"]
                s = s["schema"]
            mode = F_SKIP if f.get("init") is False else F_ABSENT if f.get("serialization_exclude") else F_READ
            # getattr: a slot's member descriptor (ir._Body gives its slot on the class)
            fields.append((f["name"], getattr(cls, f["name"]), add(s) if mode == F_READ else -1, mode, default, factory))
        return (L_OBJECT, cls, tuple(fields))

    add(schema["schema"])
    return tuple(nodes)


_C = native.load("_codec", "dump", "table", "untable", "load", "loader", package="agentc")


# What lowering found in an agent's body beyond its delegations: `load_entry(whole=False)` leaves
# it out (a claude build reads the frontmatter, the body and the delegations only).
STRUCTURE = ("mission", "use_when", "avoid_when", "checklists", "examples", "failure_modes", "principles",
             "output_format", "changelog", "sections")


@cache
def _entry(whole: bool = True) -> _Made:
    """One lowered file: `{"agent": AgentIR | None, "diagnostics": [Diagnostic, ...], "body_length": int}`,
    the agent without its body (see `load_entry`). Its plans are made from the entry's classes
    themselves (`_entry_plans`), its schema when first asked for."""
    return _Made(lambda: _entry_schema(whole), _entry_plans(whole))


def _entry_excluded(whole: bool) -> tuple[frozenset, frozenset]:
    """(unstored, unread): the (class, field) pairs an entry does not write."""
    from agentc.compiler.ir import AgentIR

    return frozenset({(AgentIR, "body")}), frozenset() if whole else frozenset((AgentIR, name) for name in STRUCTURE)


def _entry_schema(whole: bool) -> tuple[_Schemas, Schema]:
    from agentc.compiler.diagnostics import Diagnostic
    from agentc.compiler.ir import AgentIR

    unstored, unread = _entry_excluded(whole)
    s = _Schemas(unstored=unstored, unread=unread)
    return s, s.done(_typed_dict({
        "agent": s.of(AgentIR | None),
        "diagnostics": s.of(tuple[Diagnostic, ...]),
        "body_length": {"type": "int"},
    }, "forbid"))


def _entry_plans(whole: bool) -> Plans:
    """The plans of `_entry_schema`'s dataclasses, made from the classes an entry holds (the
    IR's nodes, Span, Diagnostic) and their fields, without the schema: making it (the field
    types evaluated, ~20 dataclasses' schemas) was ~5.7M instructions of a one-edit rebuild,
    which writes the rebuilt file's entry and reads none. tests/test_cache.py checks they are
    the schema's own; a class missing here would only be written by pydantic-core."""
    from agentc.compiler import ir
    from agentc.compiler.diagnostics import Diagnostic
    from agentc.compiler.span import Span

    unstored, unread = _entry_excluded(whole)
    classes = [Span, Diagnostic, *(c for c in vars(ir).values() if isinstance(c, type) and issubclass(c, ir.Node)
                                   and c is not ir.Node and c is not ir.ProjectIR)]
    return {cls: _plan(cls, [f.name for f in dataclasses.fields(cls) if (cls, f.name) not in unstored | unread])
            for cls in classes}


def dump_entry(agent, diagnostics, *, whole: bool = True) -> bytes:
    """A lowered file's agent (or None) and diagnostics as JSON, but the agent's body.
    `whole=False`: not its STRUCTURE either, for `load_entry(whole=False)` alone: the entry of
    an agent lowered without it, for a build that never reads it, cached under a key of its own
    (`Cache.ir_key`; an entry of the benchmark's agents: 46 KB, ~2.8M instructions to load;
    without it 5.5 KB, ~0.53M, the body's decode from the source included)."""
    from agentc.compiler.ir import held_body

    length = utf8_length(held_body(agent)) if agent is not None else 0
    return _dump({"agent": agent, "diagnostics": tuple(diagnostics), "body_length": length},
                 _entry(whole))


def load_entry(data: bytes, source: bytes, *, whole: bool = True) -> tuple[Any, tuple]:
    """(agent, diagnostics) from `dump_entry`'s JSON and the bytes of the file it lowered (the
    entry's key is their hash); ValueError when it is not that. `whole=False`: the agent's
    STRUCTURE fields are left at their defaults, unread (~3x faster: they are ~80% of an
    entry's objects); only for a build that never reads them (`dump_entry(whole=False)`).

    An entry does not store the agent's body: it is the file's text after the frontmatter,
    which the build has read anyway (41% of an entry's bytes: a 1000-agent cold build spilled
    and packed ~33 MB less, peak RSS -30 MB). The stored length guards `source_body` against
    ever disagreeing with the reader: a body of another length is a miss, never used."""
    entry = _load(data, _entry(whole))
    agent = entry["agent"]
    if agent is not None:
        body = source_body(source, agent.body_line)
        if utf8_length(body) != entry["body_length"]:
            raise ValueError("the body read from the source is not the one lowered")
        # Set in its slot: the agent was made just now, for this call alone, and dataclasses.replace
        # made it again through __init__ (~62K of the ~205K instructions of a claude build's load).
        type(agent).body.__set__(agent, body)
    return agent, entry["diagnostics"]


# A build record's diagnostics as a table (`_table`): a 1000-agent build records ~12 000 AGC301s
# that share their file, hint and excerpt with others. As objects with their keys, validated by
# pydantic-core, they were a 4.1 MB record read in ~28 ms of every no-op build and one-edit
# rebuild; as a table in JSON, 1.3 MB read in ~9 ms (agentc/_codec.c's untable where built); the
# cache stores the table through marshal (cache._marshalled).
STR, OPTIONAL, INT = 0, 1, 2  # a field's kind; a Literal's is the frozenset of its values


@cache
def _columns(cls: type) -> tuple[tuple[str, ...], tuple[Any, ...], tuple[Any, ...]]:
    """A dataclass's fields as a table stores them: (names, getters for `_C.table`, kinds)."""
    hints = _hints(cls)
    kinds = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        kind = {str: STR, str | None: OPTIONAL, int: INT}.get(tp)
        if kind is None and typing.get_origin(tp) is Literal and all(type(a) is str for a in typing.get_args(tp)):
            kind = frozenset(typing.get_args(tp))
        if kind is None:
            raise TypeError(f"a table has no column for {tp!r}")  # a new kind of field: add it here and in _codec.c
        kinds.append(kind)
    names = tuple(f.name for f in dataclasses.fields(cls))
    return names, tuple(_slot(cls, name) for name in names), tuple(kinds)


def _table(objects: list | tuple, names: tuple[str, ...], kinds: tuple[Any, ...]) -> tuple[list[str], list[int]]:
    """(strings, rows): each object a row of len(kinds) ints, one per field: an INT field's value,
    a str field's index in `strings` (each distinct string once), -1 for None where the field
    is OPTIONAL. ValueError when a value does not fit its field's kind. _codec.c's `table` twin."""
    index: dict[str, int] = {}
    rows: list[int] = []
    for obj in objects:
        for name, kind in zip(names, kinds, strict=True):
            value = getattr(obj, name)
            if kind == INT:
                if type(value) is not int:
                    raise ValueError("an int field holds something else")
                rows.append(value)
            elif value is None and kind == OPTIONAL:
                rows.append(-1)
            elif type(value) is str and (kind in (STR, OPTIONAL) or value in kind):
                rows.append(index.setdefault(value, len(index)))
            else:
                raise ValueError(f"field {name!r} holds {type(value).__name__}, not its kind")
    return list(index), rows


def _untable(cls: type, names: tuple[str, ...], kinds: tuple[Any, ...], strings: Any, rows: Any) -> list:
    """`_table`'s objects again, each cls(**fields); ValueError when `strings` and `rows` are not
    a table of these kinds (a damaged record). _codec.c's `untable` twin."""
    if len(set(names)) != len(names):
        raise TypeError("names must differ")
    if type(strings) is not list or type(rows) is not list:
        raise ValueError("strings and rows must be lists")
    if any(type(s) is not str for s in strings):
        raise ValueError("strings must all be str")
    width = len(names)
    if len(rows) % width:
        raise ValueError("rows do not hold a whole number of rows")
    out = []
    for at in range(0, len(rows), width):
        values = {}
        for name, kind, n in zip(names, kinds, rows[at:at + width], strict=True):
            if type(n) is not int:
                raise ValueError("a row holds something else than an int")
            if kind == INT:
                values[name] = n
            elif n == -1 and kind == OPTIONAL:
                values[name] = None
            elif not 0 <= n < len(strings):
                raise ValueError("a string index out of range")
            elif kind in (STR, OPTIONAL) or strings[n] in kind:
                values[name] = strings[n]
            else:
                raise ValueError("a string outside its field's choices")
        out.append(cls(**values))
    return out


def diagnostics_table(diags: list | tuple) -> dict:
    """A build's diagnostics (Diagnostic objects) as a table: {"strings": [...], "rows": [...]} (`_table`)."""
    from agentc.compiler.diagnostics import Diagnostic

    names, getters, kinds = _columns(Diagnostic)
    strings, rows = _C.table(diags, getters, kinds) if _C is not None else _table(diags, names, kinds)
    return {"strings": strings, "rows": rows}


def dump_json(value: Any) -> bytes:
    """`to_json(value)` for plain JSON values (lists, dicts, str, int, bool, None): the views."""
    if _C is not None:
        data = _C.dump(value, {})
        if data is not None:
            return data
    return native.pydantic_core().to_json(value)


def load_diagnostics(table: Any) -> list:
    """`diagnostics_table`'s diagnostics made again and checked (types, a severity of the three,
    every index in its table); ValueError when `table` is not such a table."""
    from agentc.compiler.diagnostics import Diagnostic

    if type(table) is not dict or set(table) != {"strings", "rows"}:
        raise ValueError("not a table of diagnostics")
    names, _, kinds = _columns(Diagnostic)
    untable = _C.untable if _C is not None else _untable
    return untable(Diagnostic, names, kinds, table["strings"], table["rows"])


def utf8_length(body: str | bytes) -> int:
    """The length of a body's UTF-8, held as a str or as the bytes themselves (`ir.held_body`): an
    entry's `body_length`, whichever way the agent holds its body when it is written or read back
    (its first read turns the bytes into text). A str body is one that is not well-formed or holds
    a CR (rare): encoded only to be measured."""
    return len(body) if type(body) is bytes else len(body.encode("utf-8", "surrogatepass"))


def source_body(source: bytes, body_line: int) -> str | bytes:
    """An agent's body from its file's bytes, as compiler/source.read_source and lower make it
    and the agent holds it (`ir.held_body`): the reader's text (`text_of`) from line `body_line`
    on, which for bytes without a CR is the body's own bytes where they are well-formed UTF-8
    (the reader's own `_held_body`: checked, not decoded)."""
    from agentc.compiler.source import _held_body, body_of, text_of

    if b"\r" not in source:
        return _held_body(source, body_line - 1)
    return body_of(text_of(source), body_line)
