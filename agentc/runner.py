"""A build to disk, shared by `agentc build`, `--check`, `--dry-run` and `--watch`.

Order: usage problems first (nothing read), then the cache's no-op test, then the pipeline
(`api.build`, all in memory), then the writer, then a new cache record. The CLI only prints.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from agentc import api
from agentc.compiler.diagnostics import Diagnostic, diag, has_errors
from agentc.compiler.frozen import lean
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.discover import Listing, discover, relisted

if TYPE_CHECKING:
    from agentc.cache import Recorded

Mode = Literal["write", "check", "dry-run"]


@lean()
class Outcome:
    said: tuple[Diagnostic, ...] = ()  # the diagnostics (`diagnostics`), unless `recorded` holds them
    recorded: Recorded | None = None  # the last build's record's, when they are this build's too (made when read)
    usage_error: bool = False  # bad options/targets: nothing was read
    failed: bool = False  # errors in the input: nothing was written
    changes: list[tuple[str, str]] = field(default_factory=list)  # (missing|stale|extra, shown path)
    foreign: list[str] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)  # shown path -> unified diff (with --diff)
    unchanged: int = 0
    cached: bool = False  # the no-op test passed: nothing was parsed or written
    roots: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    # What the build made (the project, the cache's record and views), let go with the outcome
    # rather than when `run` returns: the command exits right after without freeing anything
    # (entry._leave), and freeing 1000 agents' IR one object at a time was ~2% of a one-edit rebuild.
    held: tuple = field(default=(), compare=False, repr=False)

    @property
    def clean(self) -> bool:
        return not self.changes

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.recorded.diagnostics() if self.recorded is not None else self.said

    @diagnostics.setter
    def diagnostics(self, value: tuple[Diagnostic, ...]) -> None:
        self.said, self.recorded = value, None


def _key_options(options: BuildOptions) -> str:
    # Where the cache lives, whether it is used and how many processes lower cannot change the output.
    return json.dumps({k: v for k, v in options.as_dict().items() if k not in ("cache", "cache_dir", "jobs")})


def run(options: BuildOptions, mode: Mode = "write", *, want_diff: bool = False, progress=None, force: bool = False,
        report_key: str | None = None) -> Outcome:
    """`force` lets the writer replace files at output paths that agentc did not write. `report_key`:
    the key of the report the caller prints (commands.report_key); when the diagnostics are the
    record's and it keeps that report (`Outcome.recorded`), they are not made."""
    targets, diags = api.resolve_targets(options.targets)
    diags += api.check_layout(options, targets)
    if has_errors(diags):
        return Outcome(said=tuple(diags), usage_error=True)
    out = Path(options.out)
    roots_shown = sorted({options.out_dir(t) if t in options.out_dirs else options.out for t in targets})
    roots_abs = [os.path.abspath(r) for r in roots_shown]
    outcome = Outcome(roots=roots_shown, targets=targets)

    store = last = sources = found = walk = None
    ddiags: list[Diagnostic] = []
    if options.cache:
        from agentc.cache import Cache, build_key

        store = Cache(options.cache_folder(), keep=mode == "write")
        key = build_key(_key_options(options), targets, roots_abs)
        last = store.load_record(roots_abs)
        if _listed(last, options.sources, roots_shown):  # so are its files: made below, unless a no-op
            walk = last["walk"]
    if walk is None:
        listing, walk_ns = Listing(sure=store is not None), time.time_ns()
        found, ddiags = discover(list(options.sources), exclude=roots_shown, listing=listing)
        if listing.sure:
            walk = [os.getcwd(), list(options.sources), roots_shown, walk_ns, listing.folders]
    if store is not None:
        checked_ns = time.time_ns()  # before any recorded file is looked at: a record made again is taken then (_no_op)
        sources = matching(last, key, found)
        outputs = _no_op(last, checked_ns) if sources is not None and not sources[1] else None
        if outputs is not None and _readable(last["diagnostics"], report_key):
            if mode == "write" and outputs is not last["outputs"]:  # some verified by their bytes are settled now
                store.restamp(roots_abs, last, sources=sources[0], outputs=outputs, recorded_ns=checked_ns)
            outcome.held = (store, last)
            outcome.recorded = last["diagnostics"]
            outcome.unchanged = len(last.get("outputs", [])) - len(roots_abs)
            outcome.cached = True
            return outcome
    if found is None:  # the last build's files (_listed): 1000 Found made only when not a no-op
        try:
            found = relisted(options.sources[0], [s[0] for s in last["sources"]], last["scopes"])
        except (TypeError, IndexError, KeyError):
            found = None
        if found is None:  # not as discover spells them (a damaged record): a walk and a full build
            walk = sources = None
            found, ddiags = discover(list(options.sources), exclude=roots_shown)

    from agentc import incremental, writer  # not before: a no-op build writes nothing (the writer's import: ~2M instructions)

    racy = None  # with a record to make: hold what its outputs' digests need (Stage.digest)
    if store is not None and mode == "write":
        from agentc.cache import RACY_NS as racy
    stages = [writer.Stage(r.path, r.scopes, racy=racy) for r in writer.layout(out, {}, targets, options.out_dirs)]
    diffs: list[dict[str, str]] = [{} for _ in stages]
    produced: list[str] = []  # every `<target>/<path>` of this build
    trouble: list[Exception] = []  # an unsafe path or a failed temp write: the first one

    def sink(name: str, files: dict[str, str]) -> None:
        """One target's files to their folder's stage: compared with the disk, changes staged
        as temp files (write mode), and dropped: no build holds every target's text at once."""
        produced.extend(f"{name}/{p}" for p in files)
        if trouble:
            return
        i, rel = _route(name, targets, options.out_dirs)
        try:
            stages[i].add({rel(p): t for p, t in files.items()}, write=mode == "write", force=force,
                          diffs=diffs[i] if want_diff else None)
        except (writer.UnsafePath, OSError) as exc:
            trouble.append(exc)

    try:
        quick = incremental.rebuild(store, last, sources, options, targets, found, ddiags, lazy=not diags) if sources is not None else None
        if quick is not None and quick[4] is not None and not _readable(quick[4], report_key):
            quick = None  # the recorded diagnostics, to be made, are damaged: a full build
        if quick is not None:  # an edit: only the changed agents were read and emitted
            result, same, seen, views, recorded = quick
            # What the rebuild left alone stays as it is. With every target in OUT (one stage),
            # its paths are `<target>/...` as the stage spells them already: ~1000 paths split,
            # routed and joined again one by one were ~4.5M instructions.
            if len(stages) == 1 and not any(t in options.out_dirs for t in targets):
                stages[0].keep(same)
            else:
                kept: dict[int, set[str]] = {}
                routes: dict[str, tuple] = {}  # per target, not per path: ~1000 paths at 1000 agents
                for p in same:
                    name, rest = p.split("/", 1)
                    if name not in routes:
                        routes[name] = _route(name, targets, options.out_dirs)
                    i, rel = routes[name]
                    kept.setdefault(i, set()).add(rel(rest))
                for i, rels in kept.items():  # once per folder: a keep per path rebuilt its sets, ~n^2
                    stages[i].keep(frozenset(rels))
            for name in targets:
                prefix = f"{name}/"
                sink(name, {p[len(prefix):]: t for p, t in result.files.items() if p.startswith(prefix)})
            produced.extend(same)
        else:
            from agentc.compiler.lazyre import prime_yaml

            prime_yaml()  # before a lowering pool forks: YAML may be read, and the targets may write it
            agents, more, seen = api.read_agents(found, cache=store, progress=progress, jobs=options.jobs,
                                               whole=not set(targets) <= api.UNSTRUCTURED)
            _phase(progress, "emitting")
            result = api.build_each(options, api.link(agents, ddiags + more), sink, jobs=options.jobs)
            views = recorded = None
    except BaseException as exc:  # Ctrl-C (or SIGTERM) while emitting: nothing staged stays behind
        for stage in stages:
            stage.abort()
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, writer.Interrupted):
            raise writer.Interrupted(f"interrupted; nothing written in {out.as_posix()}") from exc
        raise
    outcome.held = (store, last, result, views, stages)
    outcome.diagnostics = tuple(diags) + result.diagnostics
    outcome.recorded = recorded  # a rebuild that ended with the recorded diagnostics (then `diags` is empty)
    if not result.ok or trouble:
        for stage in stages:
            stage.abort()
    if not result.ok:
        outcome.failed = True
        return outcome
    if trouble and isinstance(trouble[0], writer.UnsafePath):
        return _unsafe(outcome, trouble[0], out, result.project)
    if trouble:
        return _cannot_write(outcome, trouble[0], out)

    plans = [(stage, stage.finish()) for stage in stages]
    refused = False
    for (stage, todo), shown_diffs in zip(plans, diffs, strict=True):
        for label, paths in (("missing", todo.missing), ("stale", todo.stale), ("extra", todo.extra)):
            for p in paths:
                shown = (stage.out / p).as_posix()
                outcome.changes.append((label, shown))
                if want_diff and label == "stale":
                    outcome.diffs[shown] = shown_diffs[p]
        outcome.foreign += [(stage.out / p).as_posix() for p in todo.foreign]
        outcome.unchanged += len(todo.unchanged)
        for p in todo.taken:
            shown = (stage.out / p).as_posix()
            if force:
                outcome.changes.append(("stale", shown))
            else:
                refused = True
                outcome.diagnostics += (diag("AGC904", Span(file=shown, line=1), f"'{shown}' was not written by agentc; "
                                             "refusing to overwrite it", hint="move it away, or pass --force to replace it"),)
    if refused:  # an AGC904 above: a flag, not a look at each of the (~12 000 at 1000 agents) diagnostics
        for stage in stages:
            stage.abort()
        outcome.failed = True
        return outcome
    if mode == "dry-run" or (mode == "check" and not outcome.clean):
        return outcome
    if mode == "write":
        _phase(progress, "writing")
        try:
            try:
                for stage in stages:
                    stage.commit()
            except BaseException:
                for stage in stages:  # the folders not committed yet: their temps go too
                    stage.abort()
                raise
        except writer.UnsafePath as exc:
            return _unsafe(outcome, exc, out, result.project)
        except OSError as exc:
            return _cannot_write(outcome, exc, out)
    if store is not None and mode == "write":
        store.flush(whole=quick is None)
        if views is None and quick is None:
            views = incremental.views(found, result.project, targets, result.suppressions)
        recorded = _record(store, roots_abs, key, seen, found, stages, outcome.recorded or outcome.diagnostics,
                           last if quick else None, files=sorted(produced), views=views, walk=walk)
        if recorded is not None:  # the new record's: the report kept for them is read or kept there
            outcome.recorded = recorded
    return outcome


def _route(name: str, targets: list[str], out_dirs: dict[str, str]):
    """(index of the target's stage, its path -> the path within that folder), as writer.layout
    orders the folders: the shared OUT first (paths `<target>/...`), then each out_dirs folder."""
    shared = [t for t in targets if t not in out_dirs]
    if name not in out_dirs:
        return 0, lambda p: f"{name}/{p}"
    own = [t for t in targets if t in out_dirs]
    return (1 if shared else 0) + own.index(name), lambda p: p


def _cannot_write(outcome: Outcome, exc: Exception, out: Path) -> Outcome:
    outcome.diagnostics += (diag("AGC903", Span(file=out.as_posix(), line=1), f"cannot write output: {exc}"),)
    outcome.failed = True
    return outcome


def _phase(progress, label: str) -> None:
    if progress is not None and hasattr(progress, "phase"):
        progress.phase(label)


def _unsafe(outcome: Outcome, exc: Exception, out: Path, project=None) -> Outcome:
    """AGC901, at the source line the path was made from when one is recognisable in it (an
    agent's name, or its plugin's name), else at the path itself."""
    rel = str(exc)
    span, hint = Span(file=rel, line=1), None
    agents = list(getattr(project, "agents", ()) or ())
    by_scope = [a for a in agents if a.scope and a.scope in rel]  # a plugin name is the likelier culprit
    by_name = [a for a in agents if a.name and a.name in rel]
    if by_scope:
        span, hint = by_scope[0].span, f"the path holds the name of this agent's plugin, '{by_scope[0].scope}'"
    elif by_name:
        span, hint = by_name[0].where("name"), "the path is made from this agent's name"
    outcome.diagnostics += (diag("AGC901", span, f"refusing to write '{rel}' outside {out.as_posix()}", hint=hint),)
    outcome.failed = True
    return outcome


def _listed(record: dict | None, sources: tuple[str, ...], exclude: list[str]) -> bool:
    """Whether the last build's files (its record's sources and scopes) are this build's: it
    walked these sources from this folder, leaving out these folders, and every folder it listed
    has the stat it had then, taken more than RACY_NS after the folder last changed
    (discover.Listing). Else a walk."""
    from agentc.cache import unsettled

    try:
        cwd, walked, left_out, walk_ns, folders = record["walk"]
        if walked != list(sources) or left_out != exclude or cwd != os.getcwd() or type(folders) is not list:
            return False
        return bool(folders) and not unsettled(folders, walk_ns) and len(record["scopes"]) == len(record["sources"])
    except (KeyError, TypeError, ValueError):  # no walk kept, or a damaged record: a walk
        return False


def matching(record: dict | None, key: str, found) -> tuple[list, list[int]] | None:
    """When `record` is the last build's of this very build (its key, source paths and plugin
    scopes): its source entries brought up to date and the indices of the changed ones
    (cache.refreshed); else None. The no-op test and an incremental rebuild both start from
    them: a one-edit rebuild of 1000 agents stat'ed its sources and hashed the edited one twice.
    `found` None: the record's own files (`_listed`)."""
    from agentc.cache import refreshed

    try:
        if not record or record.get("key") != key:
            return None
        if found is not None and [s[0] for s in record["sources"]] != [f.path for f in found]:
            return None  # a file appeared, vanished or moved
        if found is not None and record.get("scopes") != [f.scope for f in found]:
            return None  # a plugin was renamed (its plugin.json is not a source file)
        return refreshed(record["sources"], int(record["recorded_ns"]))
    except (KeyError, TypeError, ValueError):  # a damaged record is no record
        return None


def _readable(recorded: Recorded, report_key: str | None) -> bool:
    """Whether the recorded diagnostics can be reported: their report is kept for `report_key`
    (or, for those a rebuild replaced a few files' of, the report of those they came from: read
    here, before the new record replaces it), or they are made (now) from a table that is not damaged."""
    if report_key is not None and (recorded.report(report_key) is not None or recorded.spliced_from(report_key) is not None):
        return True
    try:
        recorded.diagnostics()
    except ValueError:
        return False
    return True


def _no_op(record: dict, checked_ns: int) -> list | None:
    """When every output of the record, `matching` this build with no source changed, is as it
    was written: its output entries as a record taken at `checked_ns` keeps them (cache.settled;
    not the record's own list when some are settled now), else None."""
    from agentc.cache import settled

    try:
        return settled(record["outputs"], int(record["recorded_ns"]), checked_ns)
    except (KeyError, TypeError, ValueError):  # a damaged record is no record
        return None


def _record(store, roots_abs, key, seen, found, stages, diags, last, *, files, views, walk) -> Recorded | None:
    """`stage.same`: per folder, the paths an incremental rebuild left alone; their entries are `last`'s.
    `diags`: the build's diagnostics, or the last record's `Recorded` when they are its. `walk`: what
    finding the sources read (`_listed`), None when it cannot tell. Returns the new record's
    diagnostics as a `Recorded`, None when no record was kept."""
    from agentc import writer
    from agentc.cache import RACY_NS, output_digest, stat_of

    before = {entry[0]: entry for entry in last["outputs"]} if last else {}
    outputs, fresh = [], []  # fresh: (entry, its stage or None for a manifest, path in the stage)
    for stage in stages:
        # str paths as `stage.out / rel` spells them (a Path per file was ~4% of a one-edit
        # rebuild): the folder's `os.path.join(base, "")` and `rel`, a relative path (the
        # writer's guard refused any other), one after the other: a Python join per file was
        # ~5.6M instructions of a 1000-agent one-edit rebuild.
        start = os.path.join(stage.guard.base, "")
        for rel in sorted(stage.paths):
            path = start + rel
            if rel in stage.same:
                outputs.append(before[path])
            else:  # a file written into a twin has its stat from the write (Stage.stats): no stat here
                outputs.append([path, stage.stats.get(rel) or stat_of(path), None])
                fresh.append((outputs[-1], stage, rel))
        manifest = str(stage.out / writer.MANIFEST)
        outputs.append([manifest, stat_of(manifest), None])
        fresh.append((outputs[-1], None, manifest))
    # A digest is read only while a stat is within RACY_NS of the record's time, which is taken
    # after this clock reading: only such files are hashed. The others have none: a later change
    # of their stat is a change (a full build), never "unchanged".
    settled = time.time_ns() - RACY_NS
    for entry, stage, rel in fresh:
        if entry[1] is None:
            store.forget(roots_abs)
            return None
        if entry[1][1] >= settled:
            try:
                entry[2] = stage.digest(rel) if stage is not None else output_digest(Path(rel).read_bytes())
            except OSError:
                store.forget(roots_abs)
                return None
    recorded = store.save_record(roots_abs, {
        "key": key,
        "sources": seen,
        "scopes": [f.scope for f in found] if len(seen) == len(found) else None,
        "outputs": outputs,
        "diagnostics": diags,  # stored beside it as a table per file (Cache.save_record)
        "files": files,  # every `<target>/<path>` produced
        "walk": walk if len(seen) == len(found) else None,
    }, views)  # per source, what an incremental rebuild needs of its agent (None: no such rebuild)
    if last is None:  # an incremental rebuild used only the changed files' entries: the others stay
        store.prune_ir()
    return recorded
