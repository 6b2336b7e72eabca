"""Diagnostics: stable codes, a location for every message, and their text form.

Codes are documented in the README and never reused. Each has a default severity;
`--strict` turns warnings into errors when the run is judged, not here.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import fields, replace
from operator import attrgetter
from pathlib import PurePosixPath
from typing import Iterable, Literal

from agentc.compiler.frozen import frozen
from agentc.compiler.span import Span

Severity = Literal["error", "warning", "info"]

# code -> (default severity, short title). Ranges: 0xx input files, 1xx frontmatter,
# 2xx body, 3xx project graph, 4xx claude/diagram and coding-tool targets, 5xx langgraph, 6xx crewai,
# 7xx openai, 8xx configuration and build, 9xx output writing.
CODES: dict[str, tuple[Severity, str]] = {
    "AGC001": ("error", "file cannot be read"),
    "AGC002": ("error", "file is not valid UTF-8"),
    "AGC003": ("error", "file is empty"),
    "AGC004": ("error", "source path does not exist"),
    "AGC005": ("warning", "no agent files found in a source"),
    "AGC010": ("warning", "suppression comment that suppresses nothing"),
    "AGC011": ("warning", "suppression comment names a code that does not exist"),
    "AGC100": ("error", "no YAML frontmatter"),
    "AGC101": ("warning", "frontmatter is not valid YAML; recovered line by line"),
    "AGC102": ("error", "frontmatter cannot be read even leniently"),
    "AGC103": ("warning", "frontmatter is indented"),
    "AGC104": ("error", "frontmatter is not a mapping"),
    "AGC105": ("error", "frontmatter is never closed"),
    "AGC106": ("error", "YAML alias in frontmatter (refused: aliases can expand exponentially)"),
    "AGC107": ("error", "frontmatter values nest too deep"),
    "AGC108": ("error", "file or frontmatter too large to read"),
    "AGC110": ("error", "missing required key 'name'"),
    "AGC111": ("error", "missing required key 'description'"),
    "AGC112": ("error", "name that Claude Code refuses"),
    "AGC113": ("warning", "name outside Claude Code's naming rules"),
    "AGC140": ("error", "name no target can write (path separator, control character, surrogate, too long)"),
    "AGC141": ("info", "name reserved in generated Python; code targets add the suffix _agent"),
    "AGC114": ("warning", "empty description"),
    "AGC120": ("warning", "unknown key close to a known one"),
    "AGC121": ("info", "unknown key kept as metadata"),
    "AGC122": ("warning", "key given twice"),
    "AGC130": ("error", "value of the wrong type"),
    "AGC131": ("warning", "value outside the documented set"),
    "AGC132": ("warning", "tool that Claude Code does not have"),
    "AGC133": ("info", "legacy tool name"),
    "AGC200": ("warning", "empty body"),
    "AGC201": ("warning", "code fence never closed"),
    "AGC202": ("warning", "<example> block never closed"),
    "AGC301": ("warning", "delegation to an agent that is not in the build"),
    "AGC302": ("warning", "delegation target matches agents in several plugins"),
    "AGC303": ("error", "two agents with one name in one scope"),
    "AGC304": ("warning", "agent delegates to itself"),
    "AGC305": ("info", "delegation cycle"),
    "AGC306": ("info", "one name in several plugins"),
    "AGC307": ("warning", "delegation chain deeper than the target's nesting limit"),
    "AGC308": ("info", "agent can reach itself by delegation; the target's nesting limit stops the loop"),
    "AGC309": ("info", "delegation to an agent built into Claude Code (Explore, Plan, general-purpose, ...)"),
    "AGC401": ("info", "frontmatter key dropped by the target"),
    "AGC402": ("info", "agent renamed to avoid a clash in the output"),
    "AGC403": ("info", "value mapped for the target"),
    "AGC404": ("warning", "svg = true but Graphviz could not render delegation.svg (not installed, failed, or timed out)"),
    "AGC405": ("info", "svg = true but the graph has more edges than svg_max_edges; SVG not rendered"),
    "AGC406": ("error", "an agent's clash-avoiding name is another agent's name"),
    # Coding-tool targets (issue 16): 41x claude plugin bundle, 42x claude-sdk, 43x codex, 44x gemini, 45x copilot.
    "AGC410": ("info", "plugin.json field not configured; a default is written"),
    "AGC420": ("info", "claude-sdk loss report: settings an AgentDefinition cannot express"),
    "AGC430": ("info", "codex loss report: settings a Codex agent file cannot express"),
    "AGC440": ("info", "gemini loss report: settings a Gemini CLI agent cannot express"),
    "AGC450": ("info", "copilot loss report: settings a Copilot custom agent cannot express"),
    "AGC501": ("info", "delegation target not in the build; a placeholder worker stands in"),
    "AGC502": ("info", "delegation target not in the build; its handoff is dropped"),
    "AGC503": ("error", "delegation target not in the build (dangling = error)"),
    "AGC505": ("info", "node renamed to keep graph node names unique"),
    "AGC506": ("info", "agents not reachable from the entry are left out of the graph"),
    "AGC507": ("error", "invalid package name for the generated code"),
    "AGC601": ("info", "crewai: delegation target not in the build; a placeholder agent stands in"),
    "AGC602": ("info", "crewai: delegation to a target not in the build dropped"),
    "AGC603": ("error", "crewai: delegation to a target not in the build (dangling = error)"),
    "AGC604": ("info", "crewai: agents not reachable from the entry are not in the crew"),
    "AGC605": ("info", "crewai: a worker's delegation back to the manager is left out"),
    "AGC606": ("info", "crewai: literal '{request}' in prompt text spaced out"),
    "AGC607": ("info", "crewai: Claude Code tools have no crewAI counterpart"),
    "AGC700": ("info", "openai writes Assistants configs (sunset API); openai-agents writes Agents SDK code"),
    "AGC701": ("warning", "description too long for an assistant; cut at a word boundary"),
    "AGC702": ("error", "prompt too long for assistant instructions"),
    "AGC703": ("warning", "metadata that does not fit an assistant left out"),
    "AGC704": ("warning", "delegation tool name shortened or made unique"),
    "AGC705": ("warning", "name too long for an assistant; truncated"),
    "AGC706": ("warning", "full Claude model id mapped through its family"),
    "AGC707": ("info", "Claude Code settings with no OpenAI counterpart not emitted"),
    "AGC710": ("info", "delegation target not in the build; placeholder agent emitted"),
    "AGC711": ("info", "delegation target not in the build; handoff left out"),
    "AGC712": ("error", "delegation target not in the build (dangling = error)"),
    "AGC790": ("error", "assistant config fails the documented limits"),
    "AGC801": ("error", "unknown configuration key"),
    "AGC802": ("error", "invalid configuration value"),
    "AGC803": ("error", "unknown target"),
    "AGC804": ("error", "entry agent not found or ambiguous"),
    "AGC805": ("warning", "several possible entry agents; the first is the default"),
    "AGC806": ("warning", "agent model has no mapping for the target"),
    "AGC807": ("error", "two targets share one output folder"),
    "AGC808": ("error", "generated file is missing, stale or no longer produced (--check)"),
    "AGC901": ("error", "output path escapes the output folder"),
    "AGC902": ("error", "generated artifact fails its own validation"),
    "AGC903": ("error", "output file cannot be written"),
    "AGC904": ("error", "an output path holds a file agentc did not write (never overwritten without --force)"),
    "AGC905": ("warning", "the output folder is inside a source folder; its files are not read as agents"),
}


class Diagnostic(metaclass=frozen):
    # A frozen slotted dataclass (frozen.py), not a pydantic model, like the IR's nodes: no model to build at
    # every start (~2 ms), and cheaper to make and to hash (a 1000-agent build makes 12 000
    # AGC301s: 35 -> 21 ms). Pydantic still reads, dumps and describes them at the edges (the
    # cache, `ir --json`, `schema`). No docstring: it would become the schema's description.
    __pydantic_config__ = {"extra": "forbid"}  # pydantic's ConfigDict is this dict

    code: str
    severity: Severity
    file: str
    line: int
    col: int
    message: str
    hint: str | None = None
    excerpt: str | None = None

    @property
    def span(self) -> Span:
        return Span(file=self.file, line=self.line, col=self.col)

    def sort_key(self) -> tuple:
        return _SORT_KEY(self)


def diag(
    code: str,
    span: Span,
    message: str,
    *,
    hint: str | None = None,
    excerpt: str | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    """Build a diagnostic with the code's default severity."""
    return Diagnostic(
        code=code,
        severity=severity or CODES[code][0],
        file=span.file,
        line=span.line,
        col=span.col,
        message=message,
        hint=hint,
        excerpt=excerpt,
    )


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The closest choice, for "did you mean ...?" hints."""
    import difflib  # here: a build that suggests nothing never imports it (with heapq: ~2.9M instructions)

    found = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=cutoff)
    return found[0] if found else None


def apply_policy(
    diagnostics: Iterable[Diagnostic], *, strict: bool = False, ignore: Iterable[str] = (),
    select: Iterable[str] = (), per_file_ignores: Mapping[str, Iterable[str]] | None = None,
) -> tuple[Diagnostic, ...]:
    """Keep the selected codes (all when `select` is empty), drop ignored ones (also per file, by
    glob), promote warnings under --strict, sort, and de-duplicate. A code in `select` or
    `ignore` may be a prefix, as in ruff: "AGC3" is every 3xx code."""
    ignored, chosen = tuple(ignore), tuple(select)
    per_file = [(glob, tuple(codes)) for glob, codes in (per_file_ignores or {}).items()]
    if not (chosen or ignored or per_file or strict):  # the usual run: nothing to drop or promote
        return _sorted_unique(diagnostics)
    out = []
    for d in diagnostics:
        if chosen and not d.code.startswith(chosen):
            continue
        if ignored and d.code.startswith(ignored):
            continue
        if per_file and any(d.code.startswith(codes) and file_matches(d.file, glob) for glob, codes in per_file if codes):
            continue
        if strict and d.severity == "warning":
            d = replace(d, severity="error")
        out.append(d)
    return _sorted_unique(out)


# Every field Diagnostic's __eq__ compares (taken from the class, so a new field is never left out),
# and the sort key, read in C: `set(out)` called the Python __hash__ and `sorted` the Python
# sort_key per diagnostic, 12 000 AGC301s a 1000-agent build.
_FIELDS = attrgetter(*(f.name for f in fields(Diagnostic) if f.compare))
_SORT_KEY = attrgetter("file", "line", "col", "code", "message")


def _sorted_unique(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Equal diagnostics once, sorted by `Diagnostic.sort_key`; those whose keys tie (same place, code
    and message, another hint) keep the order they came in."""
    diagnostics = list(diagnostics)
    unique = dict(zip(map(_FIELDS, diagnostics), diagnostics, strict=True))
    return tuple(sorted(unique.values(), key=_SORT_KEY))


def file_matches(file: str, glob: str) -> bool:
    """A per-file-ignores glob: with a '/' it matches the path as shown (relative to the
    working folder); without one it matches the file name, as ruff's do. '**/' may match no folder."""
    if PurePosixPath(file).is_absolute():
        try:
            file = PurePosixPath(os.path.relpath(file)).as_posix()
        except ValueError:
            pass
    path = PurePosixPath(file)
    if "/" not in glob:
        return fnmatch.fnmatchcase(path.name, glob)
    return fnmatch.fnmatchcase(path.as_posix(), glob) or ("**/" in glob and fnmatch.fnmatchcase(path.as_posix(), glob.replace("**/", "")))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    # `in` over attrgetter's map compares in C: a generator made a Python step per diagnostic, and
    # a 1000-agent build asks this of its ~12 000 AGC301s three times (~5M instructions a one-edit rebuild).
    return "error" in map(_SEVERITY, diagnostics)


_SEVERITY = attrgetter("severity")


def head_line(d: Diagnostic) -> str:
    """`file:line:col: severity[CODE]: message`: a diagnostic on one line."""
    where = d.file if d.file.startswith("<") else f"{d.file}:{d.line}:{d.col}"  # <command line> is no file
    return f"{where}: {d.severity}[{d.code}]: {d.message}"


def format_text(d: Diagnostic) -> str:
    """`file:line:col: severity[CODE]: message`, the source line with a caret, and a hint."""
    out = [head_line(d)]
    if d.excerpt is not None:
        gutter = f"{d.line:>5} | "
        out.append(gutter + d.excerpt)
        out.append(" " * (len(gutter) + max(d.col - 1, 0)) + "^")
    if d.hint:
        out.append(f"  = hint: {d.hint}")
    return "\n".join(out)


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in diagnostics:
        counts[d.severity] += 1
    return summary_of(counts)


def summary_of(counts: Mapping[str, int]) -> str:
    """`summary` from the count of each severity."""
    return f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
