"""Diagnostics for people and for machines: text (coloured on a terminal), JSON, GitHub, SARIF.

Every renderer takes the same sorted diagnostics and returns text; choosing the stream is the
CLI's job. The machine formats are built as data and dumped, never templated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from itertools import groupby
from operator import attrgetter
from pathlib import Path, PurePosixPath
from types import MemberDescriptorType

from agentc.compiler import native
from agentc.compiler.diagnostics import CODES, Diagnostic, format_text, head_line, summary_of

FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_SGR = {"error": "1;31", "warning": "1;33", "info": "1;36", "bold": "1", "dim": "2", "hint": "32"}


def use_color(stream, choice: str = "auto") -> bool:
    """Colour only on a terminal and only without NO_COLOR (https://no-color.org), unless forced."""
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR", ""):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _paint(text: str, style: str, on: bool) -> str:
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if on else text


QUIET, DEFAULT, VERBOSE = -1, 0, 1


def text(diags: Sequence[Diagnostic], color: bool = False, *, verbosity: int = VERBOSE,
         statistics: bool | None = None) -> str:
    """The human format, ruff-style: signal first.

    verbosity -1 (`-q`): errors in full and the summary; 0 (default): errors in full, warnings
    one line each, infos only counted; 1 (`-v`): everything with excerpt and hint. A per-code
    table comes before the summary when there is more than one diagnostic (or when forced).
    It is what `part` gives of each file's diagnostics, then `tail` of their counts."""
    if not diags:
        return ""
    # One count of each (code, severity) for the table, the summary and what is hidden (`tally`).
    counts = tally(diags)
    return _shown(diags, color, verbosity, any(severity == "error" for _, severity in counts)) + tail(counts, "text", verbosity,
                                                                                                       statistics)


# The formats printed as a part per file, one after another, then a tail made of the counts of
# each (code, severity) alone: a report of them is the last one with a few files' parts made again.
SPLICED = ("text", "github")


def part(diags: Sequence[Diagnostic], fmt: str, color: bool = False, verbosity: int = VERBOSE) -> str:
    """What `fmt` (of SPLICED) prints of these diagnostics, all of one file, before its tail."""
    if fmt == "github":
        return github(diags)
    return _shown(diags, color, verbosity, any(d.severity == "error" for d in diags))


def tail(counts: dict[tuple[str, str], int], fmt: str, verbosity: int = VERBOSE, statistics: bool | None = None) -> str:
    """What `fmt` (of SPLICED) prints after the diagnostics' parts, from the count of each (code,
    severity) of them (`tally`): for text, the per-code table and the summary line."""
    total = sum(counts.values())
    if fmt == "github" or not total:
        return ""
    per_severity = {"error": 0, "warning": 0, "info": 0}
    for (_, severity), n in counts.items():
        per_severity[severity] += n
    shown = _shown_at(verbosity)
    blocks = [_table(counts)] if (statistics if statistics is not None else total > 1) else []
    hidden = [f"{per_severity[severity]} {what}" for severity, what in (("warning", "warning(s)"), ("info", "info"))
              if not shown[severity] and per_severity[severity]]
    blocks.append(summary_of(per_severity) + (f" ({', '.join(hidden)} not shown; -v shows everything)" if hidden else ""))
    return "\n".join(blocks) + "\n"


def _shown_at(verbosity: int) -> dict[str, bool]:
    """Per severity, whether `verbosity` prints its diagnostics (`text`: errors always,
    warnings but under -q, infos under -v)."""
    return {"error": True, "warning": verbosity > QUIET, "info": verbosity >= VERBOSE}


def _shown(diags: Sequence[Diagnostic], color: bool, verbosity: int, errors: bool) -> str:
    """The text of the diagnostics `verbosity` shows, each ended by a newline; `errors`: whether
    any is an error (else the shown ones are their head lines, uncoloured, joined in C)."""
    shown = _shown_at(verbosity)
    if color or verbosity >= VERBOSE:
        blocks = [_one(d, color, full=d.severity == "error" or verbosity >= VERBOSE) for d in diags if shown[d.severity]]
    elif not errors:  # no errors: the shown ones on their head line, uncoloured
        heads = _heads(diags, frozenset(severity for severity, on in shown.items() if on))
        blocks = [heads] if heads else []
    else:  # errors in full, the others on their head line, uncoloured: what `_one` gives, less a call each
        blocks = [format_text(d) if d.severity == "error" else head_line(d) for d in diags if shown[d.severity]]
    return "\n".join(blocks) + "\n" if blocks else ""


_CODE_SEVERITY = attrgetter("code", "severity")


def tally(diags: Sequence[Diagnostic]) -> dict[tuple[str, str], int]:
    """`Counter(map(_CODE_SEVERITY, diags))` as a dict, a run of equal pairs counted at once:
    by agentc/_codec.c where built, else here, its reference. The diagnostics come sorted by
    file, so a 1000-agent build's ~12 000 AGC301 warnings are a few runs, where Counter made and
    looked up a tuple per diagnostic (the report of every such build, no-op included: 59.9M ->
    38.4M instructions)."""
    if _C is not None and type(diags) in (list, tuple):
        return _C.tally(diags, _TALLY_FIELDS)
    counts: dict[tuple[str, str], int] = {}
    for pair, run in groupby(map(_CODE_SEVERITY, diags)):
        counts[pair] = counts.get(pair, 0) + len(list(run))
    return counts


def _heads(diags: Sequence[Diagnostic], severities: frozenset[str]) -> str:
    """The head line of each diagnostic of these severities, joined by newlines: by
    agentc/_codec.c where built (a 1000-agent build shows ~12 000 AGC301 warnings on every
    build, no-op included: ~5.3 -> ~1 ms), else here, its reference."""
    if _C is not None and type(diags) in (list, tuple):
        try:
            return _C.heads(diags, _HEAD_FIELDS, severities)
        except UnicodeEncodeError:  # a lone surrogate (from a file name) has no UTF-8: made here
            pass
    return "\n".join([head_line(d) for d in diags if d.severity in severities])


def _head_fields() -> tuple:
    """What `_C.heads` reads of a diagnostic, in its order: each field's slot, else its name."""
    names = ("file", "line", "col", "severity", "code", "message")
    slots = [next((vars(k)[n] for k in Diagnostic.__mro__ if n in vars(k)), None) for n in names]
    return tuple(s if type(s) is MemberDescriptorType else n for s, n in zip(slots, names, strict=True))


_C = native.load("_codec", "heads", "tally", package="agentc")
_HEAD_FIELDS = _head_fields()
_TALLY_FIELDS = (_HEAD_FIELDS[4], _HEAD_FIELDS[3])  # code, severity


def _one(d: Diagnostic, color: bool, *, full: bool) -> str:
    """A diagnostic as text: the head line alone, or with its excerpt, caret and hint."""
    plain = format_text(d) if full else head_line(d)
    if not color:
        return plain
    head, _, rest = plain.partition("\n")
    loc, sep, msg = head.partition(f" {d.severity}[{d.code}]: ")
    head = f"{_paint(loc, 'bold', True)}{' ' if sep else ''}{_paint(f'{d.severity}[{d.code}]', d.severity, True)}: {msg}"
    rest = "\n".join(_paint(ln, "hint", True) if ln.startswith("  = hint:") else
                     _paint(ln, "dim", True) if ln.strip() == "^" else ln for ln in rest.splitlines())
    return head + ("\n" + rest if rest else "")


def statistics_table(diags: Sequence[Diagnostic]) -> str:
    """Count per code, most frequent first (ruff's --statistics): count, code, severity, title."""
    return _table(tally(diags))


def _table(counts: dict[tuple[str, str], int]) -> str:
    """`statistics_table` from the count of each (code, severity)."""
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    width = len(str(rows[0][1])) if rows else 1
    return "\n".join(f"{n:>{width}}  {code}  {sev:<7}  {CODES.get(code, (None, ''))[1]}".rstrip()
                     for (code, sev), n in rows)


def relative_paths(diags: Sequence[Diagnostic], base: str | None = None) -> list[Diagnostic]:
    """Absolute paths under the working folder made relative to it, in every format: GitHub
    attaches annotations only to repository-relative paths, and people read short ones."""
    root = os.path.abspath(base or os.getcwd())
    # Per file, once: a build's warnings share a few hundred files (dict.fromkeys lists them in
    # C). When none moves (relative paths, as most builds name their sources), the same list:
    # ~12 000 diagnostics at 1000 agents, read twice in Python on every build (~4M instructions).
    shown = dict.fromkeys(map(_FILE, diags))
    for file in shown:
        shown[file] = _relative(file, root) if _is_file(file) and os.path.isabs(file) else None
    if all(moved is None for moved in shown.values()):
        return list(diags)
    return [d if shown[d.file] is None else _moved(d, shown[d.file]) for d in diags]


_FILE = attrgetter("file")


def _relative(file: str, root: str) -> str | None:
    """`file` (absolute) relative to `root` as a posix path, or None when it is not below it.

    A POSIX path already in normal form below `root` is its own tail: relpath and the Path
    round trip (~25 us a file, ~25 ms of a 1000-agent build's report) give exactly that, and
    tests/test_formats.py checks the two ways agree. Anything else takes the long way."""
    under = root.rstrip("/") + "/"
    if os.sep == "/" and file.startswith(under) and os.path.normpath(file) == file:
        tail = file[len(under):]
        if tail and not tail.startswith(("/", "..")):  # "//x" is normal too; "..x" was always left absolute
            return tail
    try:
        rel = os.path.relpath(file, root)
    except ValueError:  # another drive on Windows
        return None
    return None if rel.startswith("..") else PurePosixPath(*Path(rel).parts).as_posix()


def _moved(d: Diagnostic, file: str) -> Diagnostic:
    """`replace(d, file=file)`, made directly: a 1000-agent build shows ~12 000 diagnostics, and
    dataclasses.replace looks up and copies every field by name (~1.5 -> ~0.8 us each).
    tests/test_formats.py checks it against replace, field by field."""
    return Diagnostic(code=d.code, severity=d.severity, file=file, line=d.line, col=d.col, message=d.message,
                      hint=d.hint, excerpt=d.excerpt)


def as_json(diags: Sequence[Diagnostic]) -> str:
    return json.dumps([{k: v for k, v in asdict(d).items() if k != "excerpt"} for d in diags], indent=2, ensure_ascii=False) + "\n"


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github(diags: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…,col=…::…` per diagnostic."""
    out = []
    for d in diags:
        level = {"error": "error", "warning": "warning", "info": "notice"}[d.severity]
        props = []
        if _is_file(d.file):
            props += [f"file={_gh_prop(d.file)}", f"line={d.line}", f"col={d.col}"]
        props.append(f"title={_gh_prop(f'{d.code} {CODES.get(d.code, (None, d.code))[1]}')}")
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(f"::{level} {','.join(props)}::{_gh_data(message)}")
    return "".join(line + "\n" for line in out)


def sarif(diags: Sequence[Diagnostic], version: str) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it: one run, every agentc code as a rule."""
    codes = sorted(CODES)
    index = {c: i for i, c in enumerate(codes)}
    rules = [{
        "id": c,
        "name": _rule_name(CODES[c][1]),
        "shortDescription": {"text": CODES[c][1]},
        "defaultConfiguration": {"level": _level(CODES[c][0])},
    } for c in codes]
    results = []
    for d in diags:
        result: dict = {
            "ruleId": d.code,
            "level": _level(d.severity),
            "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if _is_file(d.file):
            location = {"artifactLocation": {"uri": _uri(d.file)},
                        "region": {"startLine": max(d.line, 1), "startColumn": max(d.col, 1)}}
            if not PurePosixPath(d.file).is_absolute():
                location["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "agentc", "version": version, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(diags: Sequence[Diagnostic], fmt: str, *, version: str = "", color: bool = False) -> str:
    if fmt == "json":
        return as_json(diags)
    if fmt == "github":
        return github(diags)
    if fmt == "sarif":
        return sarif(diags, version)
    return text(diags, color)


def _level(severity: str) -> str:
    return {"error": "error", "warning": "warning", "info": "note"}[severity]


def _rule_name(title: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in title).split()
    return "".join(w[:1].upper() + w[1:] for w in words)


def _is_file(name: str) -> bool:
    return bool(name) and not name.startswith("<")


def _uri(name: str) -> str:
    from urllib.parse import quote

    p = PurePosixPath(name)
    return ("file://" if p.is_absolute() else "") + quote(p.as_posix(), safe="/")

