"""The intermediate representation: what agentc knows about an agent, frozen and versioned.

Everything here is data. Collections are tuples, cross-references are agent names resolved
through `ProjectIR`, and nothing points back to its parent. Targets read this and nothing else.
Bump `IR_VERSION` whenever a field changes meaning or disappears.
"""

from __future__ import annotations

from dataclasses import field
from functools import cache, cached_property
from itertools import groupby
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal

from agentc.compiler import native
from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.frozen import frozen, lean
from agentc.compiler.span import Span

if TYPE_CHECKING:
    from pydantic import TypeAdapter

IR_VERSION = "1.2"  # 1.1: AgentIR.key_spans; 1.2: kind "compare", AgentIR.mentions, spans at the name


class Node:
    """The base of every IR node: frozen, keyword-only, slotted stdlib dataclasses (see `node`).

    Not pydantic models: a 1000-agent build makes ~340 nodes per agent, and a model's
    per-instance dict, fields-set and validation made the linked IR ~390 MB and its
    construction a good part of lowering. Values come from the front end, which builds them
    with the right types. Pydantic only works at the edges, through `adapter`: the JSON of
    `ir --json`, the schema of `agentc schema`, and reading the cache back (validated)."""

    __slots__ = ()
    __pydantic_config__ = {"extra": "forbid"}  # pydantic's ConfigDict is this dict


def Field(**kwargs: Any) -> Any:  # noqa: N802 - it stands in for pydantic's Field, by name
    """pydantic.Field, imported when first called. The nodes' annotations are strings (`from
    __future__ import annotations`) that pydantic evaluates only when it builds a schema, so
    a build that never asks for one (no cache, `check`) never imports pydantic (~50 ms)."""
    from pydantic import Field as pydantic_field

    return pydantic_field(**kwargs)


node = frozen
"""Every node's metaclass (`class Item(Node, metaclass=node)`): a frozen, slotted, keyword-only
dataclass with a faster __init__, made once (compiler/frozen.py). kw_only: fields keep their
order (the JSON's and the schema's) even where a required field follows one with a default,
and callers name every field."""


class Item(Node, metaclass=node):
    """A list item or numbered entry: `**title**: text`, or just `text`."""

    text: str
    title: str | None = None
    span: Span


class Mission(Node, metaclass=node):
    text: str
    goals: tuple[Item, ...] = ()
    span: Span


class ChecklistItem(Node, metaclass=node):
    text: str
    checked: Annotated[bool | None, Field(description="True/False for `- [x]`/`- [ ]`, None for a plain bullet")] = None
    span: Span


class Checklist(Node, metaclass=node):
    title: str
    items: tuple[ChecklistItem, ...]
    span: Span


DelegationKind = Literal[
    "delegate", "collaborate", "before", "after", "complements", "consult", "parallel", "compare"
]


class Delegation(Node, metaclass=node):
    """One edge of the delegation graph as written in the source: who, when, how."""

    target: str
    condition: Annotated[str, Field(description="The text that says when to delegate; may be empty")]
    kind: DelegationKind = "delegate"
    pattern: Annotated[str, Field(description="Which written form it came from (D1 arrow, D2 block, M verb, ...)")]
    section: str | None = None
    span: Annotated[Span, Field(description="Where the name is written (line and column of the name)")]


class Mention(Node, metaclass=node):
    """A name written in a weak form ("query context manager", a bare kebab word): the linker
    turns it into a delegation only when the build has an agent of that name."""

    words: Annotated[tuple[str, ...], Field(description="The words after the cue; the linker tries the longest prefix first")]
    kind: DelegationKind = "delegate"
    pattern: str
    condition: str = ""
    section: str | None = None
    span: Span


class CodeBlock(Node, metaclass=node):
    language: str = ""
    code: str
    span: Span


class Turn(Node, metaclass=node):
    role: Literal["context", "user", "assistant", "commentary"]
    text: str


class Example(Node, metaclass=node):
    """A few-shot example: a worked request, a dialogue, or a one-line interaction."""

    kind: Literal["worked", "dialogue", "interaction"]
    title: str
    request: str | None = None
    reasoning: str | None = None
    result: str | None = None
    code: tuple[CodeBlock, ...] = ()
    turns: tuple[Turn, ...] = ()
    span: Span


class FailureMode(Node, metaclass=node):
    mode: str
    prevention: str | None = None
    recovery: str | None = None
    columns: Annotated[dict[str, str], Field(description="Every cell by its header")] = field(default_factory=dict)
    span: Span


class OutputFormat(Node, metaclass=node):
    title: str
    text: str
    steps: tuple[str, ...] = ()
    span: Span


class ChangelogEntry(Node, metaclass=node):
    version: str
    date: str | None = None
    items: tuple[str, ...] = ()
    span: Span


SectionRole = Literal[
    "mission", "use_when", "avoid_when", "delegation", "checklist", "decision", "capabilities",
    "examples", "failure_modes", "principles", "output_format", "changelog", "metadata",
    "standards", "other",
]


class Section(Node, metaclass=node):
    title: str
    level: Annotated[int, Field(description="1-4 for headings; labels sit one below their heading")]
    kind: Literal["heading", "label"]
    role: SectionRole
    span: Span
    end_line: int


class AgentIR(Node, metaclass=node):
    """One agent: its frontmatter, typed, and the structure found in its body."""

    id: Annotated[str, Field(description="Unique in the project: `name`, or `plugin:name` in a plugin layout")]
    name: str
    scope: Annotated[str | None, Field(description="The plugin the file belongs to, if any")] = None
    file: str
    span: Span
    description: str
    model: Annotated[str | None, Field(description="As written: sonnet/opus/haiku/inherit/full id")] = None
    tools: Annotated[tuple[str, ...] | None, Field(description="None = inherit every tool")] = None
    disallowed_tools: tuple[str, ...] | None = None
    color: str | None = None
    effort: str | None = None
    max_turns: int | None = None
    skills: tuple[str, ...] | None = None
    memory: str | None = None
    permission_mode: str | None = None
    isolation: str | None = None
    background: bool | None = None
    initial_prompt: str | None = None
    mcp_servers: Any = None
    hooks: Any = None
    metadata: Annotated[dict[str, Any], Field(description="Frontmatter keys agentc does not know")] = field(default_factory=dict)
    key_spans: Annotated[dict[str, Span], Field(description="Where each frontmatter key is written")] = field(default_factory=dict)
    body: Annotated[str, Field(description="The full markdown body, byte for byte: the system prompt")]
    body_line: Annotated[int, Field(description="1-based line of the file where the body starts")]
    mission: Mission | None = None
    use_when: tuple[Item, ...] = ()
    avoid_when: tuple[Item, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    delegations: tuple[Delegation, ...] = ()
    mentions: Annotated[tuple[Mention, ...], Field(description="Weak references the linker resolves against the build")] = ()
    examples: tuple[Example, ...] = ()
    failure_modes: tuple[FailureMode, ...] = ()
    principles: tuple[Item, ...] = ()
    output_format: OutputFormat | None = None
    changelog: tuple[ChangelogEntry, ...] = ()
    sections: tuple[Section, ...] = ()

    def where(self, key: str) -> Span:
        """The span of a frontmatter key, or of the agent when the key is absent."""
        return self.key_spans.get(key, self.span)

    @property
    def delegate_targets(self) -> tuple[str, ...]:
        """Distinct delegation targets in order of first mention."""
        return tuple(dict.fromkeys(d.target for d in self.delegations))



class _Body:
    """`AgentIR.body`, read through its slot: an agent lowered from a file holds its body as the
    file's UTF-8 bytes where they are well-formed (compiler/source.py's `_held_body`), and the first
    read of `.body` decodes them and holds the text from then on. A body with one arrow in it is a
    2-byte-wide str, twice the bytes (~62 KB a 32-KB seed agent), and a claude build never reads
    it: it writes the bytes as they are (`held_body`), links and judges on them (1000 seed agents:
    peak RSS ~115 -> ~82 MB, a third fewer page faults). Anything else (a str, pydantic's
    validation, `dataclasses.replace`) is stored as it is given."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, agent: Any, cls: Any = None) -> Any:
        if agent is None:  # the class's attribute is the slot, as on any slotted class: what reads the
            return self.slot  # slot itself finds it there (compiler/_graph.c reads the bytes; pydantic)
        body = self.slot.__get__(agent, cls)
        if type(body) is bytes:  # decoded once: a build of other targets reads it again, each of them
            body = _utf8_text(body)
            self.slot.__set__(agent, body)
        return body

    def __set__(self, agent: Any, value: Any) -> None:
        self.slot.__set__(agent, value)

    def __delete__(self, agent: Any) -> None:
        self.slot.__delete__(agent)


def _utf8_text_py(data: bytes) -> str:
    """A body held as bytes, as text. _markdown.c's utf8_text: ~165 000 -> ~35 000 instructions a seed body."""
    return str(data, "utf-8", "replace")


_utf8_text = getattr(native.load("_markdown", "utf8_text"), "utf8_text", _utf8_text_py)
_HELD = vars(AgentIR)["body"].__get__  # the slot the frozen __init__ (compiler/_frozen.c too) sets
type.__setattr__(AgentIR, "body", _Body(vars(AgentIR)["body"]))


def held_body(agent: AgentIR) -> str | bytes:
    """`agent.body` as the agent holds it: a str, or its UTF-8 bytes, not decoded."""
    return _HELD(agent)


class Edge(Node, metaclass=node):
    """A delegation resolved against the project: `target_id` is None when it dangles."""

    source: str
    target: str
    target_id: str | None
    condition: str
    kind: DelegationKind
    span: Span


_SOURCE = attrgetter("source")


@lean(frozen=True, kw_only=True)  # not slotted: the indexes below live in its __dict__
class ProjectIR(Node):
    ir_version: str = IR_VERSION
    agents: tuple[AgentIR, ...]
    edges: tuple[Edge, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    def agent(self, agent_id: str) -> AgentIR:
        try:
            return self._by_id[agent_id]
        except KeyError:
            raise KeyError(agent_id) from None

    def edges_from(self, agent_id: str) -> tuple[Edge, ...]:
        return self._edges_by_source.get(agent_id, ())

    # Indexes built once per (frozen) project: targets walk the graph per agent, and a linear
    # scan per call made a 1000-agent team quadratic in its edges. `dataclasses.replace` makes
    # a new instance, so a copy with other agents or edges indexes itself afresh.
    @cached_property
    def _by_id(self) -> dict[str, AgentIR]:
        return {a.id: a for a in reversed(self.agents)}  # reversed: the first of equal ids wins, as before

    @cached_property
    def _edges_by_source(self) -> dict[str, tuple[Edge, ...]]:
        # A run of edges at a time: link appends each agent's edges together, so there is one run
        # per agent (a setdefault and an append per edge: 13.4M instructions at 1000 agents).
        grouped: dict[str, tuple[Edge, ...]] = {}
        for source, edges in groupby(self.edges, key=_SOURCE):
            run = tuple(edges)
            grouped[source] = grouped[source] + run if source in grouped else run
        return grouped

    @cached_property
    def derived(self) -> dict[str, Any]:
        """What the targets work out from this project once and share (e.g. each agent's
        handoffs, asked for by six targets), kept for as long as the project lives."""
        return {}


@cache
def adapter(cls: type) -> TypeAdapter:
    """Pydantic's view of an IR class, built once: validation, JSON and schema at the edges."""
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


def dump(obj: Node, **kwargs: Any) -> Any:
    """An IR node as JSON data (dicts, lists, str...), as `model_dump(mode="json")` gave it."""
    return adapter(type(obj)).dump_python(obj, mode="json", **kwargs)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a ProjectIR (`agentc schema`)."""
    return adapter(ProjectIR).json_schema()
