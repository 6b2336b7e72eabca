"""`agentc build` and `agentc check` without typer: their bodies, and a parser for their usual argv.

Importing typer and building its click command cost ~20 ms of every run (a third of a no-op
build of 100 agents). `parse` reads the argv of a plain build or check (known options, each
with its value) into exactly the keywords typer would pass; anything else (help, a misspelt
option, a missing or bad value, a cluster like `-qv`, --watch, shell completion) gets None
and goes to the full CLI, so every message about bad input is still typer's own.
tests/test_commands.py proves `parse` equal to typer's parse, and its table to the CLI's options.

The bodies live here so both ways run the same code; `agentc.cli` declares the options (help
texts and all) and hands its arguments over.
"""

import errno
import os
import sys
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

import agentc
from agentc import api, config, formats
from agentc.compiler import lazyre
from agentc.compiler.diagnostics import Diagnostic, diag, has_errors
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span

if TYPE_CHECKING:  # imported by `build` alone: `check`, `ir` and `graph` write nothing (the writer loads hashlib)
    from agentc import runner

VERSION = agentc.__version__

# --- the argv of a plain build or check -------------------------------------------------------

FLAG, VALUE, MANY = "flag", "value", "many"  # True when given; the last one given; each one given, in order
_COMMON = {
    "--strict": ("strict", FLAG), "--output-format": ("output_format", VALUE), "--color": ("color", VALUE),
    "--config": ("config_file", VALUE), "--quiet": ("quiet", FLAG), "-q": ("quiet", FLAG),
    "--verbose": ("verbose", FLAG), "-v": ("verbose", FLAG), "--statistics": ("statistics", FLAG),
    "--no-statistics": ("statistics", FLAG), "--select": ("select", MANY), "--ignore": ("ignore", MANY),
    "--extend-ignore": ("extend_ignore", MANY), "--diff": ("show_diff", FLAG),
}
# Each command's options as typer declares them in agentc.cli (--watch and its two are left to typer).
OPTIONS = {
    "build": {**_COMMON, "--target": ("target", MANY), "-t": ("target", MANY), "--out": ("out", VALUE), "-o": ("out", VALUE),
              "--out-dir": ("out_dir", MANY), "--check": ("check", FLAG), "--dry-run": ("dry_run", FLAG),
              "--entry": ("entry", VALUE), "--dangling": ("dangling", VALUE), "--plugin": ("plugin", FLAG),
              "--keep-unknown-keys": ("keep_unknown_keys", FLAG), "--no-cache": ("no_cache", FLAG),
              "--jobs": ("jobs", VALUE), "-j": ("jobs", VALUE), "--force": ("force", FLAG)},
    "check": {**_COMMON, "--fix": ("fix", FLAG)},
}
# What typer passes for an option not given (a FLAG's is False, a MANY's None, as is the sources').
DEFAULTS = {
    "build": {"output_format": "text", "color": "auto", "watch_": False, "interval": 0.5, "watch_cycles": None, "statistics": None},
    "check": {"output_format": "text", "color": "auto", "statistics": None},
}
_CONVERT = {"jobs": int}  # click's INT: int(value), as here


def parse(argv: list[str]) -> tuple[str, dict] | None:
    """(command, its keyword arguments) for a plain `build`/`check` argv; None leaves it to typer."""
    if not argv or argv[0] not in OPTIONS or os.environ.get("_AGENTC_COMPLETE"):
        return None
    name, table = argv[0], OPTIONS[argv[0]]
    values: dict = {"sources": None}
    for dest, kind in table.values():
        values[dest] = False if kind == FLAG else None
    values.update(DEFAULTS[name])
    rest = argv[1:]
    while rest:
        arg = rest.pop(0)
        if arg == "--":  # the rest are sources, whatever they look like
            if rest:
                values["sources"] = (values["sources"] or []) + rest
            break
        if arg[:1] != "-" or arg == "-":
            values["sources"] = (values["sources"] or []) + [arg]
            continue
        opt, eq, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if opt not in table:
            return None
        dest, kind = table[opt]
        if kind == FLAG:
            if eq:  # click: "does not take a value"
                return None
            values[dest] = opt != "--no-statistics"
            continue
        if eq:
            value = attached
        elif rest:
            value = rest.pop(0)  # click takes the next argument as the value, whatever it looks like
        else:
            return None  # click: "requires an argument"
        if dest in _CONVERT:
            try:
                value = _CONVERT[dest](value)
            except ValueError:
                return None  # click: "is not a valid integer"
        values[dest] = (values[dest] or []) + [value] if kind == MANY else value
    return name, values


def main(argv: list[str]) -> bool:
    """Run a plain build or check as typer would (its exit code by SystemExit); False when `argv`
    is not one and nothing ran."""
    parsed = parse(argv)
    if parsed is None or not (_plain(sys.stdout) and _plain(sys.stderr)):
        return False
    name, values = parsed
    try:  # what typer does around a command (typer.core._main)
        (build if name == "build" else check)(**values)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout, sys.stderr = _Pacified(sys.stdout), _Pacified(sys.stderr)
        sys.exit(1)
    sys.exit(0)


def guard(run: Callable[[], object]) -> None:
    """`run()` the command: SIGTERM cleans up like Ctrl-C, and no input ever gets a traceback."""
    # `signal`'s C core: the module itself wraps the same calls in enums, and making its three
    # IntEnums (Signals, Handlers, Sigmasks) cost every command ~3M instructions (~1% of a no-op).
    import _signal

    _signal.signal(_signal.SIGTERM, _terminate)
    try:
        run()
    except SystemExit:
        raise
    except KeyboardInterrupt as exc:
        print(f"agentc: {exc or 'interrupted; nothing written'}", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # never a traceback for any input: say what broke and how to report it
        print(f"agentc: internal error: {type(exc).__name__}: {exc}\nplease report this with the input that caused it", file=sys.stderr)
        sys.exit(3)


def _terminate(signum, frame) -> None:  # noqa: ANN001 - a signal handler's signature
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: the writer removes its temp files


def _plain(stream) -> bool:
    """A text stream that click's echo writes to as it is (it re-wraps one whose encoding is ASCII)."""
    import codecs

    encoding = getattr(stream, "encoding", None)
    if not encoding or getattr(stream, "errors", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


class _Pacified:
    """click's PacifyFlushWrapper: after a broken pipe, flushing at exit says nothing more."""

    def __init__(self, stream) -> None:
        self.wrapped = stream

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str):
        return getattr(self.wrapped, name)


_ANSI = lazyre.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # click's _ansi_re


def echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """click's echo for a plain text stream: a newline, ANSI codes stripped off a terminal, a flush."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if not _plain(stream):  # what click does there (a UTF-8 wrapper) is its own business
        from typer import echo as typer_echo

        typer_echo(message, err=err, nl=nl)
        return
    out = message + "\n" if nl else message
    if out:
        if "\033" in out and not _isatty(stream):
            out = _ANSI.sub("", out)
        stream.write(out)
    stream.flush()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except Exception:
        return False


# --- the bodies ---------------------------------------------------------------------------------

def report(diags: tuple[Diagnostic, ...] | list[Diagnostic] | None, fmt: str = "text", color: str = "auto",
           verbosity: int = formats.VERBOSE, statistics: bool | None = None, *, recorded=None) -> None:
    """Print the diagnostics in `fmt`. `recorded` (a cache.Recorded, `diags` then None): a build
    record's diagnostics, whose report is kept beside the record (`report_key`) as the bytes the
    stream wrote: written as kept (a 1000-agent no-op build: ~12 000 warnings not read, made and
    formatted again, nor their ~1.5 MB of text decoded and encoded again), else made and kept
    (`_made`)."""
    stream = sys.stderr if fmt == "text" else sys.stdout
    key = report_key(fmt, color, verbosity, statistics) if recorded is not None else None
    if key is not None:
        kept = recorded.report(key)
        chunks = [kept] if kept is not None else _made(recorded, key, fmt, formats.use_color(sys.stderr, color) if fmt == "text"
                                                         else False, verbosity, statistics, stream.errors)
        stream.flush()
        for chunk in chunks:
            stream.buffer.write(chunk)
        stream.buffer.flush()
    else:
        diags = formats.relative_paths(recorded.diagnostics() if recorded is not None else diags)
        if fmt == "text":
            text = formats.text(list(diags), formats.use_color(sys.stderr, color), verbosity=verbosity, statistics=statistics)
        else:
            text = formats.render(list(diags), fmt, version=VERSION)
        stream.write(text)
    sys.stdout.flush()
    sys.stderr.flush()


def _made(recorded, key: str, fmt: str, colored: bool, verbosity: int, statistics: bool | None,
          errors: str) -> list[bytes | memoryview]:
    """The report of `recorded` under `key`, as the stream encodes it (report_key: UTF-8, no newline
    translated), kept with it: its chunks, one after another. A format of formats.SPLICED is made as a part per run of the
    record's diagnostics (one a file) and a tail made of their counts, which are kept beside it:
    a rebuild whose edit changed a few files' diagnostics (Recorded.replaced) takes the other
    files' parts from the report kept for the last build's, as they are (at 1000 agents ~12 000
    warnings not made, formatted and encoded again: ~1.5 MB of text)."""
    if fmt not in formats.SPLICED:
        data = [formats.render(formats.relative_paths(recorded.diagnostics()), fmt, version=VERSION).encode("utf-8", errors)]
        recorded.keep_report(key, data)
        return data

    def made(diags: list[Diagnostic]) -> bytes:
        return formats.part(formats.relative_paths(diags), fmt, colored, verbosity).encode("utf-8", errors)

    base = recorded.spliced_from(key)
    if base is not None:
        old, lengths, counts = base
        at = [0, *accumulate(lengths)]
        pieces, sizes, start, end = [], [], 0, 0  # [start, end): old bytes not yet in `pieces`
        for i, source in enumerate(recorded.sources):
            if source is None:
                pieces += (old[start:end], made(recorded.fresh[i]))
                sizes.append(len(pieces[-1]))
                start = end
            else:
                if at[source] != end:
                    pieces.append(old[start:end])
                    start = at[source]
                end = at[source + 1]
                sizes.append(lengths[source])
        pieces.append(old[start:end])
        pieces = [p for p in pieces if len(p)]
        counts = dict(counts)
        for sign, diags in ((-1, recorded.dropped), (1, [d for run in recorded.fresh.values() for d in run])):
            for pair, n in formats.tally(diags).items():
                counts[pair] = counts.get(pair, 0) + sign * n
        counts = {pair: n for pair, n in counts.items() if n}
    else:
        diags, pieces, at = formats.relative_paths(recorded.diagnostics()), [], 0
        for n in recorded.sizes():
            pieces.append(formats.part(diags[at:at + n], fmt, colored, verbosity).encode("utf-8", errors))
            at += n
        sizes, counts = list(map(len, pieces)), formats.tally(diags)
        pieces = [b"".join(pieces)]  # one chunk to write and check, not one a file
    pieces.append(formats.tail(counts, fmt, verbosity, statistics).encode("utf-8", errors))
    recorded.keep_report(key, pieces, sizes, counts)
    return pieces


def report_key(fmt: str, color: str, verbosity: int, statistics: bool | None) -> str | None:
    """What `report` prints depends on beyond the diagnostics: the flags, whether the text is
    coloured, the working folder (paths under it are shown relative to it), agentc's version
    (SARIF names it), and the stream's encoding errors. None where `report` keeps no report: on
    a stream other than the process's own, or one whose bytes are not the text's UTF-8 (another
    encoding, which may keep a state as UTF-16's byte order mark; a newline written as os.linesep
    where that is not "\\n")."""
    import codecs

    stream = sys.stderr if fmt == "text" else sys.stdout
    if (stream is not (sys.__stderr__ if fmt == "text" else sys.__stdout__) or os.linesep != "\n"
            or not hasattr(stream, "buffer") or codecs.lookup(stream.encoding).name != "utf-8"):
        return None
    colored = formats.use_color(sys.stderr, color) if fmt == "text" else False
    return repr((fmt, colored, verbosity, statistics, os.getcwd(), VERSION, stream.errors))


def fail_usage(diags, fmt: str, color: str = "auto") -> None:
    report(diags, fmt, color)  # usage errors are always shown in full, whatever -q says
    sys.exit(2)


def codes(values: list[str] | None) -> tuple[str, ...] | None:
    """--select AGC3,AGC121 --select AGC1: comma lists, repeatable, upper-cased."""
    if not values:
        return None
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


def verbosity(quiet: bool, verbose: bool) -> int:
    if quiet and verbose:
        echo("--quiet and --verbose exclude each other", err=True)
        sys.exit(2)
    return formats.QUIET if quiet else formats.VERBOSE if verbose else formats.DEFAULT


def check_format(fmt: str, color: str) -> None:
    if fmt not in formats.FORMATS:
        echo(f"unknown output format '{fmt}': use " + ", ".join(formats.FORMATS), err=True)
        sys.exit(2)
    if color not in ("auto", "always", "never"):
        echo(f"unknown --color '{color}': use auto, always or never", err=True)
        sys.exit(2)


def options(sources: list[str], config_file: str | None = None, **flags) -> tuple[BuildOptions, list[Diagnostic], Path | None]:
    """Options from the config file (found, or given), then the sources and flags on top."""
    values: dict = {}
    diags: list[Diagnostic] = []
    found = Path(config_file) if config_file else config.find_config(Path.cwd())
    if config_file and not found.is_file():
        diags.append(diag("AGC802", Span(file=config_file, line=1), f"config file '{config_file}' does not exist"))
        found = None
    elif found is not None:
        values, diags = config.load(found)
        if values or not diags:  # the cache of a configured project lives beside its config, like ruff's
            values.setdefault("cache_dir", config.relative(found.parent / ".agentc-cache"))
    elif not sources:
        diags.append(diag("AGC802", Span(file="<command line>", line=1), "no sources given and no configuration found",
                          hint="pass agent files or folders, run `agentc init`, or add [tool.agentc] sources = [\"agents\"] to pyproject.toml"))
    if sources:
        values["sources"] = tuple(sources)
    values.update({k: v for k, v in flags.items() if v not in (None, [], (), {})})
    try:
        return BuildOptions(**values), diags, found
    except ValueError as exc:  # pydantic's ValidationError: a flag value it refuses (e.g. --dangling maybe)
        flagged = {k for k, v in flags.items() if v not in (None, [], (), {})}
        bad = [(k, m) for k, m in config.explain(exc)]
        return BuildOptions(), diags + [diag("AGC802", Span(file="<command line>" if k in flagged else "<configuration>", line=1),
                                             f"{'--' + k.replace('_', '-') if k in flagged else k}: {m}") for k, m in bad], found


def _out_dirs(pairs: list[str] | None) -> tuple[dict[str, str], list[Diagnostic]]:
    found, diags = {}, []
    for pair in pairs or []:
        name, sep, folder = pair.partition("=")
        if not sep or not name or not folder:
            diags.append(diag("AGC802", Span(file="<command line>", line=1), f"--out-dir '{pair}': expected TARGET=FOLDER"))
        else:
            found[name] = folder
    return found, diags


def build(sources, target, out, out_dir, check, show_diff, dry_run, strict, entry, dangling, plugin, keep_unknown_keys,
          output_format, color, no_cache, jobs, force, config_file, watch_, interval, watch_cycles, quiet, verbose,
          statistics, select, ignore, extend_ignore) -> None:
    """`agentc build` (agentc.cli.build says what each argument is); exits by SystemExit."""
    from agentc import runner

    check_format(output_format, color)
    level = verbosity(quiet, verbose)
    dirs, ddiags = _out_dirs(out_dir)
    flags = dict(targets=tuple(target or ()), out=out, strict=strict or None, entry=entry, dangling=dangling,
                 plugin=plugin or None, keep_unknown_keys=keep_unknown_keys or None, out_dirs=dirs,
                 cache=False if no_cache else None, select=codes(select), ignore=codes(ignore),
                 extend_ignore=codes(extend_ignore), jobs=jobs)
    opts, diags, found = options(sources or [], config_file, **flags)
    diags += ddiags
    if has_errors(diags):
        fail_usage(diags, output_format, color)
    if watch_:
        if check or dry_run:
            echo("--watch builds; it cannot be combined with --check or --dry-run", err=True)
            sys.exit(2)
        from agentc import watch

        def once():
            now, more, _ = options(sources or [], config_file, **flags)  # the config may have changed
            outcome = runner.run(now, "write", force=force) if not has_errors(more) else runner.Outcome(usage_error=True)
            return tuple(more) + outcome.diagnostics, (tuple(more), outcome)

        def show(pair, changed):
            more, outcome = pair
            if changed:
                report(more + outcome.diagnostics, output_format, color, level, statistics)
            summarise(outcome, "write", output_format)

        echo(f"watching {', '.join(opts.sources) or '.'} (Ctrl-C to stop)", err=True)
        watch.loop(once, lambda: options(sources or [], config_file, **flags)[0].sources,
                   [found] if found else [], show, interval=interval, cycles=watch_cycles)
        sys.exit(0)
    mode = "check" if check else "dry-run" if dry_run else "write"
    from agentc.progress import Progress

    progress = Progress(sys.stderr)
    whole = not diags  # the report is the outcome's diagnostics alone (see below)
    try:
        outcome = runner.run(opts, mode, want_diff=show_diff, progress=progress, force=force,
                             report_key=report_key(output_format, color, level, statistics) if whole else None)
    except KeyboardInterrupt as exc:  # typer would exit 130 in silence
        progress.close()
        echo(f"agentc: {exc or 'interrupted; nothing written'}", err=True)
        sys.exit(130)
    finally:
        progress.close()
    if outcome.usage_error:
        fail_usage(tuple(diags) + outcome.diagnostics, output_format, color)
    out_of_date = tuple(diag("AGC808", Span(file=path, line=1), f"{label}: generated file " + {
        "missing": "does not exist yet", "stale": "differs from what agentc would write",
        "extra": "is no longer produced"}[label], hint="run `agentc build` and commit the result")
        for label, path in outcome.changes) if check and output_format != "text" else ()
    if whole and not out_of_date and outcome.recorded is not None:
        report(None, output_format, color, level, statistics, recorded=outcome.recorded)
    else:
        report(tuple(diags) + outcome.diagnostics + out_of_date, output_format, color, level, statistics)
    sys.exit(summarise(outcome, mode, output_format))


def summarise(outcome: "runner.Outcome", mode: str, fmt: str) -> int:
    """Print what the build did or would do; return the exit code."""
    lines_to_stdout = fmt in ("text", "github")
    say = (lambda s: echo(s)) if lines_to_stdout else (lambda s: echo(s, err=True))
    if outcome.usage_error:
        return 2
    if outcome.failed:
        echo("build failed: nothing written", err=True)
        return 1
    where = ", ".join(outcome.roots)
    if mode in ("check", "dry-run"):
        for label, path in outcome.changes:
            say(f"{label}: {path}")
            if path in outcome.diffs:
                say(outcome.diffs[path].rstrip("\n"))
        for path in outcome.foreign:
            say(f"not written by agentc (left alone): {path}")
        if mode == "check":
            echo(f"{where}: " + ("up to date" if outcome.clean else f"{len(outcome.changes)} file(s) out of date"), err=True)
            return 0 if outcome.clean else 1
        return 0
    if outcome.cached:
        echo(f"up to date: {outcome.unchanged} file(s) unchanged -> {where} (cached; nothing read or written)", err=True)
        return 0
    count = {k: sum(1 for label, _ in outcome.changes if label == k) for k in ("missing", "stale", "extra")}
    echo(f"wrote {count['missing'] + count['stale']} file(s), {outcome.unchanged} unchanged, {count['extra']} removed "
         f"-> {where} ({', '.join(outcome.targets)})", err=True)
    return 0


def load(sources: list[str], opts: BuildOptions | None = None) -> tuple:
    """The linked project and its diagnostics after suppressions and the options' policy."""
    project = api.load_project(sources)
    return project, api.judge(project.diagnostics, opts or BuildOptions(), project)


def check(sources, strict, output_format, color, config_file, quiet, verbose, statistics, select, ignore, extend_ignore,
          fix, show_diff) -> None:
    """`agentc check` (agentc.cli.check says what each argument is); exits by SystemExit."""
    check_format(output_format, color)
    level = verbosity(quiet, verbose)
    opts, cdiags, _ = options(sources or [], config_file, strict=strict or None, select=codes(select),
                              ignore=codes(ignore), extend_ignore=codes(extend_ignore))
    if has_errors(cdiags):
        fail_usage(cdiags, output_format, color)
    if fix or show_diff:
        from agentc import fix as fixer
        from agentc.discover import discover

        found, _ = discover(list(opts.sources))
        paths = [Path(f.path) for f in found]
        plans = fixer.plan([(p.as_posix() if not p.is_absolute() else str(p), p.read_bytes()) for p in paths])
        if show_diff:
            sys.stdout.write("".join(p.diff() for p in plans))
            echo(f"{sum(len(p.changes) for p in plans)} fix(es) in {len(plans)} file(s) (nothing written; --fix applies them)", err=True)
            sys.exit(1 if plans else 0)
        fixer.write_all(plans)
        for p in plans:
            for c in p.changes:
                echo(f"fixed {c.file}:{c.line}: {c.code} {c.what}", err=True)
        echo(f"{sum(len(p.changes) for p in plans)} fix(es) in {len(plans)} file(s)", err=True)
    project, diags = load(list(opts.sources), opts)
    diags = tuple(cdiags) + diags
    report(diags, output_format, color, level, statistics)
    if not diags:
        echo(f"{len(project.agents)} agent(s), {len(project.edges)} delegation(s): no problems", err=True)
    sys.exit(1 if has_errors(diags) else 0)
