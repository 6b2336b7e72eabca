"""One typed options model for a build: read from `[tool.agentc]`, overridden by CLI flags.

A frozen dataclass rather than a pydantic model: every command makes one, and building the
model (40 fields) cost ~5 ms at every start. Values already in their final form (a tuple of
strings for `sources`, a bool for `strict`, a default...) are taken as they are; anything else
(a config file's lists and numbers, a bad flag, an unknown key) goes through a pydantic model
made from these fields on first use, which coerces it or raises pydantic's ValidationError
as the model did.
"""

# No `from __future__ import annotations`: the fields' types are read at run time (`_final`, `_model`).

from dataclasses import MISSING, field, fields
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Literal, get_args, get_origin

from agentc.compiler.frozen import lean


def option(default: Any = MISSING, *, factory: Callable[[], Any] | None = None, description: str | None = None,
           **limits: Any) -> Any:
    """A field: its default (or `factory`), its description (the hint when a value is refused)
    and the limits pydantic checks (ge, le, gt, pattern) when values are validated."""
    meta = {"description": description, "limits": limits}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@lean(frozen=True, init=False)
class BuildOptions:
    """What a build is asked for: its sources, targets, output folder and options (checked, see
    the module's docstring). Written, not made from __init__'s signature: that read it through
    inspect, which a build otherwise never imports (agentc.entry._defer_inspect)."""

    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ("all",)
    out: str = "build"
    strict: bool = False
    ignore: tuple[str, ...] = option((), description="diagnostic codes (or prefixes: AGC3) to leave out")
    extend_ignore: tuple[str, ...] = option((), description="more codes to leave out, on top of ignore")
    select: tuple[str, ...] = option((), description="report only these codes (or prefixes); default: all")
    per_file_ignores: dict[str, tuple[str, ...]] = option(factory=dict, description="glob -> codes left out "
                                                        "for the files it matches (a glob without '/' matches file names)")
    entry: str | None = option(None, description="entry agent for framework targets; default: the agent nobody delegates to")
    dangling: Literal["stub", "drop", "error"] = option("stub", description="what framework targets do with a target not in the build")
    model_map: dict[str, dict[str, str]] = option(factory=dict, description="per target: agent model -> target model id")
    keep_unknown_keys: bool = option(False, description="claude: keep frontmatter keys Claude Code does not know")
    plugin: bool = option(False, description="claude: emit a plugin bundle (.claude-plugin/plugin.json + agents/)")
    plugin_name: str | None = None
    # Plugin manifest fields `claude plugin validate --strict` wants (issue 16); AGC410 when a default is used.
    plugin_version: str | None = option(None, description="claude: plugin.json version (default 0.1.0)")
    plugin_author: str | None = option(None, description="claude: plugin.json author name (default: agentc)")
    plugin_license: str | None = option(None, description="claude: plugin.json license, an SPDX id (default: none written)")
    package: str | None = option(None, description="langgraph: Python package name of the generated code; default <entry>_team")
    checkpointer: Literal["memory", "sqlite", "postgres", "none"] = option(
        "memory", description="langgraph: where the generated CLI and app keep threads (postgres: the URI in $AGENTC_POSTGRES_URI)")
    recursion_limit: int = option(50, ge=1, description="langgraph: super-steps per request before the graph stops")
    # Production defaults of the code targets (langgraph, openai-agents, crewai); each target's
    # README section says how it applies them. Overridable when the team is built in code.
    retries: int = option(2, ge=0, le=20, description="code targets: retries of a model call that failed with a transient "
                        "error (rate limit, timeout, 5xx, connection), with exponential backoff and jitter")
    timeout_s: float = option(120.0, gt=0, description="code targets: seconds one model call may take before it counts as failed")
    fallback_models: dict[str, list[str]] = option(factory=dict, description="per target: model ids tried in order "
                                                 "when an agent's own model still fails after its retries")
    delegate_context: Literal["brief", "history"] = option("brief", description="code targets: what a delegate reads: "
                                                         "the caller's brief (task + context), or the whole conversation")
    model_factory: str | None = option(None, pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$", description="code targets: "
                                     "'module:function' returning each agent's chat model (env AGENTC_MODEL_FACTORY wins)")
    prices: dict[str, tuple[float, float]] = option(factory=dict, description="code targets: model id -> "
                                                  "[USD per 1M input tokens, USD per 1M output tokens], for a cost estimate")
    guardrail: Literal["enforce", "warn", "off"] = option("enforce", description="openai-agents, crewai: the completion "
                                                        "checklist as an output guardrail: retry with feedback, log, or off")
    serve: bool = option(True, description="langgraph, openai-agents: generate the HTTP app (<package>/server.py, FastAPI)")
    max_request_bytes: int = option(65536, ge=256, description="HTTP app: largest request body accepted (413 above)")
    delegation: Literal["tools", "handoffs"] = option("tools", description="openai-agents: delegates as tools whose answer "
                                                    "returns to the caller (tools), or one-way handoffs")
    max_rpm: int | None = option(None, ge=1, description="crewai: requests per minute per agent and for the crew")
    out_dirs: dict[str, str] = option(factory=dict, description="per target: its own output folder instead of OUT/<target>")
    svg: bool = option(False, description="diagram: also render delegation.svg with Graphviz (opt-in: the output "
                     "must not depend on whether a machine has dot)")
    svg_timeout_s: float = option(5.0, gt=0, description="diagram: seconds dot may take before the SVG is skipped")
    svg_max_edges: int = option(500, ge=0, description="diagram: no SVG for graphs with more edges than this")
    cache: bool = option(True, description="reuse work from the last build (never changes the output)")
    jobs: int = option(0, ge=0, le=256, description="processes that lower the sources the cache does not hold and, "
                       "with two targets or more, emit the targets (Linux; never changes the output): more is "
                       "faster on the wall clock, at some more CPU; 0 (automatic): lowering in one per 150 agents, up "
                       "to the CPUs (at most 8), so builds of fewer than 300 agents use one, as does any build while the CPUs "
                       "are busy, and emitting in one")
    cache_dir: str | None = option(None, description="where the build cache lives (it gitignores itself); "
                                 "default: .agentc-cache beside the config file, else in OUT")


    def __init__(self, **values: Any) -> None:
        """Options from keyword values, checked (see the module's docstring); raises pydantic's
        ValidationError (a ValueError) for a value it refuses or a key that is no option."""
        for name in values.keys() & FIELDS.keys():  # a config file's lists and numbers, made what pydantic makes of them
            lax = _lax_of(name)
            if lax is not None:
                values[name] = lax(values[name])
        if not all(name in FIELDS and _final_of(name)(value) for name, value in values.items()):
            values = _validated(values)
        for name, default in _DEFAULTS.items():
            object.__setattr__(self, name, values[name] if name in values else default())

    def as_dict(self) -> dict[str, Any]:
        """Every option by name, as `BuildOptions(**...)` takes them back."""
        return {name: getattr(self, name) for name in _DEFAULTS}

    def policy(self) -> dict:
        """The keyword arguments of `apply_policy` these options ask for."""
        return {"strict": self.strict, "ignore": self.ignore + self.extend_ignore, "select": self.select,
                "per_file_ignores": self.per_file_ignores}

    def cache_folder(self) -> str:
        return self.cache_dir or f"{self.out.rstrip('/') or '.'}/.agentc-cache"

    def out_dir(self, target: str) -> str:
        """The folder target `target` writes into."""
        return self.out_dirs.get(target) or f"{self.out.rstrip('/') or '.'}/{target}"


FIELDS = MappingProxyType({f.name: f for f in fields(BuildOptions)})
"""Each option's dataclass field: `.type`, and `.metadata["description"]` (None when undocumented)."""


def _default(f) -> Callable[[], Any]:
    return f.default_factory if f.default is MISSING else (lambda: f.default)


_DEFAULTS = {name: _default(f) for name, f in FIELDS.items()}


def _strs(v: Any, kind: type) -> bool:
    return type(v) is kind and all(type(s) is str for s in v)


def _str_dict(v: Any, value: Callable[[Any], bool]) -> bool:
    return type(v) is dict and all(type(k) is str and value(x) for k, x in v.items())


# The config tables taken without pydantic: each value's shape, and how the options' own copy of
# it is made (pydantic copied them; `per_file_ignores` lists become tuples, as pydantic makes them).
_TABLES: dict[Any, tuple[Callable[[Any], bool], Callable[[Any], Any]]] = {
    dict[str, str]: (lambda x: type(x) is str, lambda x: x),
    dict[str, dict[str, str]]: (lambda x: _str_dict(x, lambda y: type(y) is str), dict),
    dict[str, list[str]]: (lambda x: _strs(x, list), list),
    dict[str, tuple[str, ...]]: (lambda x: _strs(x, list) or _strs(x, tuple), tuple),
}


def _table(shape: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: _str_dict(v, shape)


# Values taken as they are, by a field's type (numbers with bounds: `_within`).
_PLAIN: dict[Any, Callable[[Any], bool]] = {
    str: lambda v: type(v) is str,
    bool: lambda v: type(v) is bool,
    str | None: lambda v: v is None or type(v) is str,
    tuple[str, ...]: lambda v: _strs(v, tuple),
    **{kind: _table(shape) for kind, (shape, _) in _TABLES.items()},
}


def _final(f) -> Callable[[Any], bool]:
    """Whether a value of field `f` is already what validation would make of it: its default
    (of the same type), a plain value of a field without limits, or a number within its field's
    bounds (`-j 2` made every build import pydantic and build the model: ~0.1 s of CPU)."""
    default = _default(f)()
    limits = f.metadata.get("limits")
    plain = _within(f.type, limits) if limits else _PLAIN.get(f.type)
    if plain is None and get_origin(f.type) is Literal:
        choices = get_args(f.type)
        plain = lambda v: type(v) is str and v in choices  # noqa: E731 - one line, like the table's
    return lambda v: (type(v) is type(default) and v == default) or (plain is not None and plain(v))


def _within(kind: Any, limits: dict[str, Any]) -> Callable[[Any], bool] | None:
    """An int (not a bool), a float or, for `int | None`, None, inside bounds ge, le, gt:
    pydantic takes it unchanged. None for other types and limits (a pattern)."""
    number = {int: int, float: float, int | None: int}.get(kind)
    if number is None or not set(limits) <= {"ge", "le", "gt"}:
        return None
    ge, le, gt = limits.get("ge"), limits.get("le"), limits.get("gt")
    return lambda v: ((v is None and kind == int | None)
                      or (type(v) is number and (ge is None or v >= ge) and (le is None or v <= le) and (gt is None or v > gt)))


def _lax(f) -> Callable[[Any], Any] | None:
    """What pydantic makes of a TOML value of field `f` where that is plain: a list of strings
    a tuple (`targets = ["claude"]`), a whole number a float (`timeout_s = 30`), a table the
    options' own copy (`_TABLES`); anything else unchanged, for `_final` to judge.
    A config file with any of them made every command import pydantic (~50 ms)."""
    if f.type == tuple[str, ...]:
        return lambda v: tuple(v) if _strs(v, list) else v
    if f.type is float:  # exactly: every int up to 2**53 is a float, as pydantic converts it
        return lambda v: float(v) if type(v) is int and abs(v) <= 1 << 53 else v
    if f.type in _TABLES:
        shape, copy = _TABLES[f.type]
        return lambda v: {k: copy(x) for k, x in v.items()} if _str_dict(v, shape) else v
    return None


# Each field's checks, made the first time a value of it is given: a command gives a few of the
# 40 (making all of them at import was ~0.6M instructions of every command).
@lru_cache(maxsize=None)
def _final_of(name: str) -> Callable[[Any], bool]:
    return _final(FIELDS[name])


@lru_cache(maxsize=None)
def _lax_of(name: str) -> Callable[[Any], Any] | None:
    return _lax(FIELDS[name])


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """The values as pydantic makes them (lists to tuples, 3 to 3.0); raises ValidationError."""
    return dict(_model()(**values))


@lru_cache(maxsize=1)
def _model():
    """The pydantic model of these fields, made on first use: same names, types, defaults,
    descriptions and limits; unknown keys refused; a boolean is true or false only
    (`strict = "yes"` or `1` is a mistake, not true)."""
    from pydantic import ConfigDict, Field, create_model

    spec = {}
    for name, f in FIELDS.items():
        default = {"default": f.default} if f.default is not MISSING else {"default_factory": f.default_factory}
        strict = {"strict": True} if f.type is bool else {}
        spec[name] = (f.type, Field(**default, description=f.metadata.get("description"), **strict, **f.metadata.get("limits", {})))
    return create_model("BuildOptions", __config__=ConfigDict(frozen=True, extra="forbid"), **spec)
