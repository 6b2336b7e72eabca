"""The cache's JSON: a lowered file (agent and diagnostics) to JSON and back, validated, by
pydantic-core alone (no pydantic).

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
import sys
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic_core import SchemaSerializer, SchemaValidator
from pydantic_core import core_schema as cs


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


@cache
def _evaluated(module: str, annotation: Any) -> Any:
    """An annotation as written in `module` (a string, under `from __future__ import
    annotations`) as the type it names, `Annotated[X, ...]` as X."""
    if isinstance(annotation, str):
        annotation = eval(annotation, vars(sys.modules[module]), {"Field": _no_field})  # noqa: S307 - agentc's own annotations
    return annotation.__origin__ if typing.get_origin(annotation) is Annotated else annotation


class _Schemas:
    """pydantic-core schemas of the types above; each dataclass once, as a definition."""

    def __init__(self, unstored: frozenset[tuple[type, str]] = frozenset(), *, strict: bool = False) -> None:
        self.definitions: dict[str, cs.CoreSchema] = {}
        self.unstored = unstored  # (class, str field) not written, read back as ""
        self.strict = strict  # exact JSON types: no "3" or 3.0 for an int

    def of(self, tp: Any) -> cs.CoreSchema:
        simple: dict[Any, Callable[[], cs.CoreSchema]] = {Any: cs.any_schema, str: cs.str_schema, bool: cs.bool_schema, int: cs.int_schema,
                  type(None): cs.none_schema}
        if tp in simple:
            return simple[tp]()
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            return self._dataclass(tp)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is Literal:
            return cs.literal_schema(list(args))
        if origin in (Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            inner = self.of(rest[0]) if len(rest) == 1 else cs.union_schema([self.of(a) for a in rest])
            return cs.nullable_schema(inner) if len(rest) < len(args) else inner
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return cs.tuple_schema([self.of(args[0])], variadic_item_index=0)
        if origin is dict:
            return cs.dict_schema(self.of(args[0]), self.of(args[1]))
        if origin is list:
            return cs.list_schema(self.of(args[0]))
        raise TypeError(f"the cache has no schema for {tp!r}")  # a new kind of field in the IR: add it above

    def _dataclass(self, cls: type) -> cs.CoreSchema:
        ref = f"{cls.__module__}.{cls.__qualname__}"
        if ref not in self.definitions:
            self.definitions[ref] = cs.any_schema()  # a placeholder while its fields are made
            hints = _hints(cls)
            fields = []
            for f in dataclasses.fields(cls):
                schema = self.of(hints[f.name])
                if (cls, f.name) in self.unstored:
                    fields.append(cs.dataclass_field(f.name, cs.with_default_schema(schema, default=""),
                                                     kw_only=f.kw_only is True, serialization_exclude=True))
                    continue
                if f.default is not dataclasses.MISSING:
                    schema = cs.with_default_schema(schema, default=f.default)
                elif f.default_factory is not dataclasses.MISSING:
                    schema = cs.with_default_schema(schema, default_factory=f.default_factory)
                fields.append(cs.dataclass_field(f.name, schema, kw_only=f.kw_only is True))
            self.definitions[ref] = cs.dataclass_schema(
                cls, cs.dataclass_args_schema(cls.__name__, fields), [f.name for f in dataclasses.fields(cls)],
                slots="__slots__" in vars(cls), config={"extra_fields_behavior": "forbid", "strict": self.strict}, ref=ref)
        return cs.definition_reference_schema(ref)

    def done(self, schema: cs.CoreSchema) -> cs.CoreSchema:
        return cs.definitions_schema(schema, list(self.definitions.values()))


@cache
def _entry() -> tuple[SchemaSerializer, SchemaValidator]:
    """One lowered file: `{"agent": AgentIR | None, "diagnostics": [Diagnostic, ...], "body_length": int}`,
    the agent without its body (see `load_entry`)."""
    from agentc.compiler.diagnostics import Diagnostic
    from agentc.compiler.ir import AgentIR

    s = _Schemas(unstored=frozenset({(AgentIR, "body")}))
    schema = s.done(cs.typed_dict_schema({
        "agent": cs.typed_dict_field(s.of(AgentIR | None)),
        "diagnostics": cs.typed_dict_field(s.of(tuple[Diagnostic, ...])),
        "body_length": cs.typed_dict_field(cs.int_schema()),
    }, extra_behavior="forbid"))
    return SchemaSerializer(schema), SchemaValidator(schema)


def dump_entry(agent, diagnostics) -> bytes:
    """A lowered file's agent (or None) and diagnostics as JSON, but the agent's body."""
    return _entry()[0].to_json({"agent": agent, "diagnostics": tuple(diagnostics),
                                "body_length": len(agent.body) if agent is not None else 0})


def load_entry(data: bytes, source: bytes) -> tuple[Any, tuple]:
    """(agent, diagnostics) from `dump_entry`'s JSON and the bytes of the file it lowered (the
    entry's key is their hash); ValueError when it is not that.

    An entry does not store the agent's body: it is the file's text after the frontmatter,
    which the build has read anyway (41% of an entry's bytes: a 1000-agent cold build spilled
    and packed ~33 MB less, peak RSS -30 MB). The stored length guards `source_body` against
    ever disagreeing with the reader: a body of another length is a miss, never used."""
    entry = _entry()[1].validate_json(data)
    agent = entry["agent"]
    if agent is not None:
        body = source_body(source, agent.body_line)
        if len(body) != entry["body_length"]:
            raise ValueError("the body read from the source is not the one lowered")
        agent = dataclasses.replace(agent, body=body)
    return agent, entry["diagnostics"]


@cache
def _record() -> tuple[SchemaSerializer, SchemaValidator]:
    """A build record (cache.py): its `diagnostics` as Diagnostic objects, checked with exact
    types (the rows are agentc's own output: a "3", true or 3.0 for a line is a damaged record),
    every other key as plain JSON."""
    from agentc.compiler.diagnostics import Diagnostic

    s = _Schemas(strict=True)
    schema = s.done(cs.typed_dict_schema({"diagnostics": cs.typed_dict_field(s.of(list[Diagnostic]))},
                                         extra_behavior="allow"))
    return SchemaSerializer(schema), SchemaValidator(schema)


def dump_record(record: dict) -> bytes:
    """A build record as JSON. A 1000-agent build records ~12 000 diagnostics: through their
    schema ~6 ms, against ~16 ms for pydantic-core's inference of the dataclasses."""
    return _record()[0].to_json(record)


def load_record(data: bytes) -> dict:
    """A build record from `dump_record`'s JSON, its diagnostics made and checked in the same
    pass (1000 agents: ~20 ms, against ~40 ms to parse the JSON and then check the rows);
    ValueError when it is not one."""
    return _record()[1].validate_json(data)


def source_body(source: bytes, body_line: int) -> str:
    """An agent's body from its file's bytes, as compiler/source.read_source and lower make it:
    the reader's text (`text_of`) from line `body_line` on."""
    from agentc.compiler.source import body_of, text_of

    return body_of(text_of(source), body_line)
