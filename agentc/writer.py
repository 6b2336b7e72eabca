"""The one module that touches the disk.

Writes are atomic (temp file, then rename), only inside the output folder, and only of files
agentc produced. A manifest records what agentc wrote, so a later build may remove a file it
wrote before and no longer produces, and never anything else.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from dataclasses import field
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]  # json's C quoting, or its Python twin
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import TYPE_CHECKING

from agentc.cache import output_digest, read_with_stat, stat_key
from agentc.compiler.frozen import lean

if TYPE_CHECKING:  # `agentc --version` imports the writer (through the runner) and no target code
    from agentc.targets import FileText

MANIFEST = ".agentc-manifest.json"
TEMP = ".agentc-tmp"  # temp files are `.<name>.agentc-tmp`: recognisable, so a killed run's are swept


def _temp_of(path: str) -> str:
    """The temp file beside `path`, both as str (the stage's per-file work makes no Path objects)."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}{TEMP}")


def temp_of(path: Path) -> Path:
    return Path(_temp_of(os.fspath(path)))


def _is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM while writing: temp files are gone; says how far the build got."""


class UnsafePath(ValueError):
    """A generated path that would land outside the output folder."""


@lean()
class Plan:
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # produced before by agentc, no longer
    foreign: list[str] = field(default_factory=list)  # in a target folder, not written by agentc
    unchanged: list[str] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)  # an output path holding a file agentc did not write
    litter: list[str] = field(default_factory=list)  # temp files of a build that was killed

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def safe_path(out: Path, rel: str) -> Path:
    return _Guard(out)(rel)


_BAD_PARTS = frozenset(("", ".", ".."))


class _Guard:
    """`safe_path` for many paths of one folder: the folder and each parent directory are
    resolved once (resolving every path in full took 1.5 s of writing 2,600 files)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.base = "" if os.fspath(out) == "." else os.fspath(out)  # paths as Path spells them: no "./"
        self.root = os.path.realpath(out)
        self.inside = self.root.rstrip(os.sep) + os.sep
        # Per folder of the relative paths asked for: what its paths' full paths start with, that
        # folder as os.path.dirname gives it, and what its paths' real paths start with. A file's
        # paths are then two concatenations: os.path.join, split and dirname (Python functions)
        # cost ~12K instructions a file.
        self.folders: dict[str, tuple[str, str, str]] = {}
        # Folders the build made and holds only its own temp files in: a file there cannot be
        # a symlink, so its lstat is skipped (one syscall per file of a cold build).
        self.ours: set[str] = set()

    def __call__(self, rel: str) -> Path:
        return Path(self.full(rel))

    def full(self, rel: str) -> str:
        """The checked path of `rel` in the output folder, as a str."""
        return self.place(rel)[0]

    def place(self, rel: str) -> tuple[str, str]:
        """(`full(rel)`, the folder it is in: its os.path.dirname)."""
        # A relative POSIX path in canonical form: no empty part (so no leading "/", "//" or
        # trailing "/"), no "." and no "..". Exactly what PurePosixPath(rel) refused before
        # (absolute, "..", no parts, or not equal to its as_posix()), without its parsing.
        if not _BAD_PARTS.isdisjoint(rel.split("/")):
            raise UnsafePath(rel)
        folder, _, name = rel.rpartition("/")
        known = self.folders.get(folder)
        if known is None:  # the folder's first path: its joins, and the folder's realpath once
            full = os.path.join(self.base, rel)
            parent = os.path.dirname(full)
            known = self.folders[folder] = (full[:len(full) - len(name)], parent, os.path.join(os.path.realpath(parent), ""))
        start, parent, real_start = known
        real = real_start + name
        if parent not in self.ours and os.path.islink(real):
            real = os.path.realpath(real)
        if real != self.root and not real.startswith(self.inside):
            raise UnsafePath(rel)
        return start + name, parent


def _manifest(out: Path) -> tuple[list[str], str | None]:
    """The files the manifest in `out` lists, and its text (None: no manifest, or not one that can be read)."""
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return [], None
    try:
        data = json.loads(text)
        return [f for f in data.get("files", []) if isinstance(f, str)], text
    except (ValueError, AttributeError):
        return [], text


@lean(frozen=True)
class Root:
    """One output folder with its own manifest. `scopes` are the top-level folders of it this
    build governs (a target name each); `("",)` means the whole folder belongs to one target."""

    path: Path
    files: dict[str, str]
    scopes: tuple[str, ...]


def layout(out: Path, files: dict[str, str], targets: list[str], out_dirs: dict[str, str]) -> list[Root]:
    """Split `<target>/<path>` files into output folders: OUT for most, out_dirs[target] for some.

    A target with its own folder writes its paths straight into it and keeps its manifest
    there; the others share OUT (`OUT/<target>/...`) and OUT's manifest, as before."""
    shared = [t for t in targets if t not in out_dirs]
    roots = []
    if shared:
        roots.append(Root(out, {p: t for p, t in files.items() if p.split("/", 1)[0] in shared}, tuple(shared)))
    for t in targets:
        if t in out_dirs:
            prefix = f"{t}/"
            roots.append(Root(Path(out_dirs[t]), {p[len(prefix):]: x for p, x in files.items() if p.startswith(prefix)}, ("",)))
    return roots


def _governed(rel: str, scopes: list[str] | tuple[str, ...]) -> bool:
    return "" in scopes or rel.split("/", 1)[0] in scopes


def plan(out: Path, files: dict[str, str], targets: list[str] | tuple[str, ...], same: frozenset[str] = frozenset()) -> Plan:
    """Compare what would be written with what is on disk. Reads only.

    `targets` are the top-level folders of `out` this build governs; `""` governs all of it.
    `same`: paths this build also produces, known (by the build cache) to be on disk as they
    would be written; they are neither read nor written, and stay in the manifest."""
    stage = Stage(out, targets, same)
    stage.add(files, write=False)
    return stage.finish()


HELD = 64 << 20  # bytes of recent files' parts a Stage holds unhashed (see Stage._hold)


def _size(parts: tuple[bytes, ...]) -> int:
    return sum(map(len, parts))


class Stage:
    """One output folder's part of a build, target by target: each file is compared with the
    disk as it comes and, when it changed, written to its temp file beside its final path (or,
    in a target folder the build makes, into the folder's twin: see `_twin`), so the build need
    not hold every target's text at once. Nothing is visible until `commit` renames the temps
    (and twins) into place; `abort` removes them. A build with an error never commits."""

    def __init__(self, out: Path, targets: list[str] | tuple[str, ...], same: frozenset[str] = frozenset(),
                 *, racy: int | None = None) -> None:
        """`racy` (the build cache's RACY_NS): keep what `digest` needs of each file added."""
        self.out, self.targets, self.racy = out, tuple(targets), racy
        # What the manifest lists, and its text: read once, here. Only this stage writes it
        # during the build (`commit`), which keeps `manifest_text` as what is on disk: reading
        # and parsing its 1000 paths twice more in `commit` was ~3M instructions.
        owned, self.manifest_text = _manifest(out)
        self.owned = set(owned)
        self.todo = Plan()
        self.paths: set[str] = set()  # every path this build produces here
        # The build cache reads an output's digest only while its mtime is within `racy` of the
        # record (a stat it cannot trust yet): hashing all of them (sha256) was 372 MB and ~0.3 s
        # CPU of a 1000-agent every-target build. So a file's parts are held while its mtime is that
        # recent, and hashed only if it still is when the record is made (see `digest`).
        self.recent: dict[str, tuple[bytes, ...]] = {}
        self.order: deque[tuple[int, str]] = deque()  # (mtime, path) of `recent`, oldest first
        self.held = 0  # bytes in `recent`
        self.digests: dict[str, str] = {}  # path -> digest of a file whose mtime is ahead of the clock
        # Per file, paths are str and os calls (a Path per file cost ~30 us of 8 000 files' staging).
        self.temps: dict[str, tuple[str, str]] = {}  # path -> (temp, final) of each staged change
        self.twins: dict[str, str | None] = {}  # target -> its folder's twin, or None (see `_twin`)
        self.twinned: dict[str, str] = {}  # path -> where it is written in its target's twin
        # path -> the stat (cache.stat_key) of a file written into a twin, with `racy`: renaming
        # the twin changes none of it, so the record takes it from here (renaming a file itself
        # changes its ctime: those are stat'ed once in place).
        self.stats: dict[str, list[int]] = {}
        self.folders: set[str] = set()  # folders known to exist
        self.made: list[Path] = []  # folders this stage created, deepest last: `abort` removes them
        self.guard = _Guard(out)
        self.same: frozenset[str] = frozenset()
        self.keep(same)

    def keep(self, same: frozenset[str]) -> None:
        """Paths this build produces that the build cache knows are on disk as they would be
        written: neither read nor written, and kept in the manifest."""
        self.same |= same
        self.paths |= same
        self.todo.unchanged += sorted(same)

    def add(self, files: dict[str, FileText], *, write: bool, force: bool = False,
            diffs: dict[str, str] | None = None) -> None:
        """Classify `files` (missing, stale, unchanged, taken); with `write`, stage each change
        (a taken file only with `force`). `diffs` collects rel -> unified diff of stale files.
        A Chunks file is compared, hashed and written piece by piece, never joined."""
        from agentc.targets import as_text, pieces  # here, not at the top: `agentc --version` loads no target code

        hold = self.racy is not None
        for rel, text in sorted(files.items()):
            path, folder = self.guard.place(rel)
            parts = pieces(text)
            self.paths.add(rel)
            twin = self._twin(rel) if write else None
            if twin is not None:  # a folder the twin becomes: nothing there yet, so the guard need not look for a symlink
                self.guard.ours.add(folder)
            # A folder this stage made (or will, from a twin) holds none of its final files yet: nothing to read there.
            current, mtime = (None, 0) if folder in self.guard.ours else _read(path)
            if current is not None and _same(current, parts):
                self.todo.unchanged.append(rel)
                if hold:
                    self._hold(rel, parts, mtime)
                continue
            kind = self.todo.missing if current is None else self.todo.stale if rel in self.owned else self.todo.taken
            kind.append(rel)
            if diffs is not None and current is not None and rel in self.owned:
                diffs[rel] = _diff(current.decode("utf-8", errors="replace"), as_text(text), rel)
            if write and (kind is not self.todo.taken or force):
                if twin is None:
                    self._folder(folder)
                    tmp = _temp_of(path)
                    self.temps[rel] = (tmp, path)  # before writing: a half-written temp is removed too
                else:  # in the twin, under the path below the target's folder (a `_twin` rel has one)
                    below = rel.partition("/")[2]
                    tmp = twin + os.sep + below  # os.path.join(twin, below): `twin` ends in a name
                    made = tmp[:len(tmp) - len(below.rpartition("/")[2]) - 1]  # os.path.dirname(tmp)
                    self._folder(made)
                    self.twinned[rel] = tmp
                written = _put(tmp, parts, stat=hold)
                if written is not None:
                    self._hold(rel, parts, written[1])  # a rename (of the file or of its twin folder) keeps its mtime
                    if twin is not None:
                        self.stats[rel] = written

    def _twin(self, rel: str) -> str | None:
        """Where the files of `rel`'s target are written when the build makes that target's folder
        (`OUT/<target>`, not there yet): in its twin `OUT/.<target>.agentc-tmp`, under their own
        paths, which `commit` renames into place in one go; a temp file and a rename for each
        file cost the kernel ~15-30 ms of CPU per 1000 files. None (each file gets its temp file)
        for a folder that is there, a folder of its own (out_dirs), or a twin that is there
        already (a killed build's: `finish` sweeps it)."""
        top, sep, _ = rel.partition("/")
        if not sep or top not in self.targets:
            return None
        if top not in self.twins:
            root, twin = os.path.join(self.guard.base, top), os.path.join(self.guard.base, f".{top}{TEMP}")
            self.twins[top] = twin if not (os.path.lexists(root) or os.path.lexists(twin)) else None
        return self.twins[top]

    def _filled(self) -> list[tuple[str, str, int]]:
        """(twin, its final folder, how many files it holds) of each twin written into, in order."""
        counts: dict[str, int] = {}
        for rel in self.twinned:
            top = rel.partition("/")[0]
            counts[top] = counts.get(top, 0) + 1
        return [(twin, os.path.join(self.guard.base, top), counts[top]) for top, twin in self.twins.items() if top in counts]

    def _drop_twin(self, twin: str) -> None:
        """Remove the files written into `twin` and the folders made for them, `twin` last."""
        inside = twin + os.sep
        for path in self.twinned.values():
            if path.startswith(inside):
                _unlink(path)
        for folder in reversed(self.made):
            name = os.fspath(folder)
            if name == twin or name.startswith(inside):
                try:
                    folder.rmdir()
                except OSError:
                    pass

    def _hold(self, rel: str, parts: tuple[bytes, ...], mtime: int) -> None:
        """Hold a produced file's parts while its mtime is within `racy` of the clock; the files
        that left that window are dropped unhashed: the record made later trusts their stat.
        Past HELD bytes (a slow, loaded machine writes more in the window), the oldest is hashed."""
        now = time.time_ns()
        settled = now - self.racy
        order, recent = self.order, self.recent
        while order and order[0][0] < settled:
            self.held -= _size(recent.pop(order.popleft()[1]))
        if mtime > now:  # ahead of this clock (another machine's disk): it stays racy, hashed now, not held
            self.digests[rel] = _digest(parts)
        elif mtime >= settled:
            recent[rel] = parts
            order.append((mtime, rel))
            self.held += _size(parts)
            while self.held > HELD:
                old = order.popleft()[1]
                self.digests[old] = _digest(recent[old])
                self.held -= _size(recent.pop(old))

    def digest(self, rel: str) -> str | None:
        """The digest (cache.output_digest) of what was produced at `rel`, for a record that cannot trust its stat yet;
        None when its parts were dropped (its mtime was settled: a later change of stat is a change)."""
        if rel in self.digests:
            return self.digests[rel]
        parts = self.recent.get(rel)
        return None if parts is None else _digest(parts)

    def _folder(self, name: str) -> None:
        """Make the folder `name` and its missing parents, noting which were made: files come
        target by target (part by part), so a build may stage some before a later one turns out
        unsafe. The guard learns the made ones: they hold nothing but this stage's temps."""
        if name in self.folders:
            return
        folder = Path(name)
        missing = []
        for f in (folder, *folder.parents):
            if f.is_dir():
                break
            missing.append(f)
        self.made += reversed(missing)  # before they are made: a Ctrl-C while making them leaves none
        self.guard.ours.update(os.fspath(f) for f in missing)
        folder.mkdir(parents=True, exist_ok=True)
        self.folders.add(name)

    def finish(self) -> Plan:
        """The plan, once every target was added: files agentc wrote before and no longer
        produces, files it did not write, and a killed run's temp files."""
        result, out, targets, produced = self.todo, self.out, self.targets, self.paths
        ours = {_temp_of(rel) for rel in self.temps}
        result.extra = sorted(f for f in self.owned - produced if _governed(f, targets) and _exists(out, f))
        seen: set[str] = set()
        base = os.fspath(out)
        # Produced paths read as files (the cache's `same` are among the unchanged) hold nothing
        # for the loop below, which passes them by: listed, they are not asked what they are.
        known = {*result.unchanged, *result.stale, *result.taken}
        for rel in _neighbours(base, produced, targets, known) + [_temp_of(MANIFEST)]:
            name = rel.rpartition("/")[2]
            if _is_temp(name):
                if rel not in ours and os.path.isfile(os.path.join(base, rel)) and rel not in seen:
                    seen.add(rel)
                    result.litter.append(rel)
            elif rel not in produced and rel not in self.owned and rel not in seen and not name.startswith(".agentc"):
                seen.add(rel)
                result.foreign.append(rel)
        for t in targets:  # a killed build's twins (`_twin`): this stage wrote into none of them
            name = f".{t}{TEMP}"
            if t and self.twins.get(t) is None and os.path.isdir(os.path.join(base, name)) and not os.path.islink(os.path.join(base, name)):
                result.litter.append(name)
        for part in (result.missing, result.stale, result.unchanged, result.taken, result.foreign, result.litter):
            part.sort()
        return result

    def commit(self) -> None:
        """Make the staged files visible: rename each temp into place, then retire the files
        agentc wrote before and no longer produces. Ctrl-C: the temps not yet renamed are gone."""
        out, todo = self.out, self.todo
        for rel in todo.litter:
            if _is_temp(rel) and "/" not in rel and os.path.isdir(out / rel):  # a killed build's twin (`finish`)
                import shutil

                shutil.rmtree(out / rel, ignore_errors=True)
            else:
                (out / rel).unlink(missing_ok=True)
        moves = self._filled() + [(tmp, path, 1) for tmp, path in self.temps.values()]
        total, done, moved = sum(n for _, _, n in moves), 0, 0
        try:
            if moves and not self.paths <= self.owned:
                # Claim the new files before they appear: a run stopped mid-rename (Ctrl-C, SIGKILL)
                # leaves files the next build knows as its own, not "a file agentc did not write".
                self.manifest_text = _put_manifest(out, self.owned | self.paths, self.manifest_text, self.racy)
            for tmp, path, n in moves:
                os.replace(tmp, path)
                moved += 1
                done += n
        except BaseException as exc:
            for tmp, _, _ in moves[moved:]:
                if tmp in self.twins.values():
                    self._drop_twin(tmp)
                else:
                    _unlink(tmp)
            if isinstance(exc, KeyboardInterrupt):
                raise Interrupted(f"interrupted; {'nothing written' if not done else f'{done} of {total} file(s) written'}"
                                  f" in {out.as_posix()}") from exc
            raise
        self.temps, self.twinned, self.made = {}, {}, []  # the folders made hold this build's files now
        self.guard.ours.clear()
        for rel in todo.extra:
            self.guard(rel).unlink(missing_ok=True)
        # Listed files of other builds' targets stay listed. Only those this build does not
        # produce can be such (the others are listed anyway): ~1000 paths not each tested.
        kept = {f for f in self.owned - self.paths if not _governed(f, self.targets)}
        self.manifest_text = _put_manifest(out, kept | self.paths, self.manifest_text, self.racy)

    def abort(self) -> None:
        """Remove every staged temp file, and the folders made for them: nothing of this build
        becomes visible."""
        for tmp in [tmp for tmp, _ in self.temps.values()] + list(self.twinned.values()):
            _unlink(tmp)
        self.temps, self.twinned = {}, {}
        for folder in reversed(self.made):
            try:
                folder.rmdir()
            except OSError:  # not empty: something else is in it now
                pass
        self.made, self.folders = [], set()
        self.guard.ours.clear()


def _read(path: str) -> tuple[bytes | None, int]:
    """A file's bytes and mtime, or (None, 0) when it cannot be read (none there, a folder)."""
    try:
        stat, data = read_with_stat(path)
    except OSError:
        return None, 0
    return data, stat[1]


# What open(path, "wb") asks for, without its buffer: Python's buffered open() also stats the
# file, asks whether it is a terminal and where it stands (3 syscalls and ~4 us a file: staging
# the 880 temps of a 100-agent every-target build, 35.5 -> 31.8 ms). The flags open() adds
# itself: not inherited by a child (O_CLOEXEC; O_NOINHERIT on Windows) and, on Windows, no
# newline translation (O_BINARY).
_WRITE = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0)
          | getattr(os, "O_BINARY", 0))


def _put(path: str, parts: tuple[bytes, ...], *, stat: bool = False) -> list[int] | None:
    """Write the parts one after another into `path`, made (mode 0o666 less the umask, as
    open() makes it) or emptied; with `stat`, return its stat as written (cache.stat_key), else None."""
    fd = os.open(path, _WRITE, 0o666)
    try:
        if len(parts) > 1 and _IOV_MAX:
            _gather(fd, parts)
        else:
            for part in parts:
                view = memoryview(part)
                while view:  # os.write may write less than asked (a signal, a full pipe): go on
                    view = view[os.write(fd, view):]
        return stat_key(os.fstat(fd)) if stat else None
    finally:
        os.close(fd)


def _iov_max() -> int:
    """The most pieces one os.writev takes: 0 where there is no writev or the system names no
    limit (sysconf's -1, or no such name), and each part is then written alone."""
    if not hasattr(os, "writev"):
        return 0
    try:
        most = os.sysconf("SC_IOV_MAX")
    except (ValueError, OSError):
        return 0
    return most if most > 0 else 0


_IOV_MAX = _iov_max()


def _gather(fd: int, parts: tuple[bytes, ...]) -> None:
    """The parts written with os.writev, up to _IOV_MAX at a time: a file in pieces (a claude
    agent's frontmatter and body) costs one system call, not one a piece. A short write (a
    signal, a full disk) goes on from the byte where it stopped, the piece cut there viewed
    (memoryview) from that byte: the others go as they are."""
    views: list[bytes | memoryview] = list(parts)
    at = 0
    while at < len(views):
        done = os.writev(fd, views[at:at + _IOV_MAX])
        while at < len(views) and done >= len(views[at]):
            done -= len(views[at])
            at += 1
        if done:
            views[at] = memoryview(views[at])[done:]


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _digest(parts: tuple[bytes, ...]) -> str:
    """cache.output_digest of the parts one after another (of the whole file)."""
    return output_digest(parts[0] if len(parts) == 1 else b"".join(parts))


def _same(current: bytes, parts: tuple[bytes, ...]) -> bool:
    """`current == b"".join(parts)`, without joining a file of many parts."""
    if len(parts) == 1:
        return current == parts[0]
    if len(current) != sum(len(p) for p in parts):
        return False
    view, at = memoryview(current), 0
    for part in parts:
        if view[at:at + len(part)] != part:
            return False
        at += len(part)
    return True


def _neighbours(out: str, files: set[str], targets, known: set[str] = frozenset()) -> list[str]:
    """Files that share a target's folder, as paths relative to `out`: all of OUT/<target>/
    (not in __pycache__, not through a symlinked folder), or, for a folder of its own (which
    may be the project root), only the folders the build writes into, not recursively. Less
    `known`: paths the caller knows are files and passes by (a temp file's name is not)."""
    found: list[str] = []
    for t in targets:
        if t:
            base = os.path.join(out, t)
            if os.path.isdir(base) and not os.path.islink(base) and "__pycache__" not in Path(base).parts:
                found += _files_below(base, f"{t}/", known)
        else:
            for folder in sorted({os.path.dirname(rel) for rel in files}):
                if os.path.isdir(os.path.join(out, folder)):
                    found += _files_in(os.path.join(out, folder), f"{folder}/" if folder else "", known)
    return found


def _listed(folder: str, prefix: str, known: set[str]) -> list[tuple[str, str, os.stat_result | None]]:
    """(name, `prefix` + name, its lstat) of each name in `folder` but those `known` (their
    lstat None when it failed: gone since). os.listdir and an lstat for the few unknown
    names, not os.scandir: the DirEntry of each of 1000 known files was ~3M instructions."""
    listed = []
    for name in os.listdir(folder):
        rel = prefix + name
        if rel in known and not name.endswith(TEMP):
            continue
        try:
            st = os.lstat(os.path.join(folder, name))
        except OSError:
            st = None
        listed.append((name, rel, st))
    return listed


def _files_in(folder: str, prefix: str, known: set[str] = frozenset()) -> list[str]:
    """`prefix` + the name of each file in `folder` (a symlink counts when it leads to a file)."""
    return [rel for _, rel, st in _listed(folder, prefix, known) if _is_file(st, folder, rel[len(prefix):])]


def _files_below(folder: str, prefix: str, known: set[str] = frozenset()) -> list[str]:
    """`_files_in` of `folder` and of every folder below it, as `Path.rglob("*")` walks them
    (symlinked folders are not entered, unreadable ones skipped), less __pycache__ folders."""
    found: list[str] = []
    try:
        listed = _listed(folder, prefix, known)
    except PermissionError:
        return found
    for name, rel, st in listed:
        if name == "__pycache__":
            continue
        if st is not None and S_ISDIR(st.st_mode):
            found += _files_below(os.path.join(folder, name), f"{rel}/", known)
        elif _is_file(st, folder, name):
            found.append(rel)
    return found


def _is_file(st: os.stat_result | None, folder: str, name: str) -> bool:
    """Path.is_file of `name` in `folder`, whose lstat is `st`: a file, or a symlink to one."""
    if st is None:
        return False
    if S_ISLNK(st.st_mode):
        return os.path.isfile(os.path.join(folder, name))
    return S_ISREG(st.st_mode)


def _exists(out: Path, rel: str) -> bool:
    try:
        return safe_path(out, rel).is_file()
    except UnsafePath:
        return False


def diff(out: Path, rel: str, text: str) -> str:
    try:
        old = safe_path(out, rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        old = ""
    return _diff(old, text, rel)


def _diff(old: str, text: str, rel: str) -> str:
    import difflib  # --diff only: see compiler/diagnostics.did_you_mean

    return "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True), f"a/{rel}", f"b/{rel}"))


def write(out: Path, files: dict[str, str], targets: list[str], force: bool = False, same: frozenset[str] = frozenset()) -> Plan:
    """Bring `out` up to date: changed files atomically, then retire files agentc wrote before.

    A file agentc did not write is never overwritten unless `force` (the caller reports
    `plan().taken` first). Every temp file is removed on any exception, Ctrl-C included.
    `same`: see `plan`."""
    stage = Stage(out, targets, same)
    try:
        stage.add(files, write=True, force=force)
        todo = stage.finish()
        if todo.taken and not force:
            raise FileExistsError(f"{len(todo.taken)} output path(s) hold files agentc did not write: " + ", ".join(todo.taken))
    except BaseException as exc:
        stage.abort()
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
            raise Interrupted(f"interrupted; nothing written in {out.as_posix()}") from exc
        raise
    stage.commit()
    return todo


def _manifest_text(owned: set[str]) -> str:
    """`json.dumps({"generator": "agentc", "files": sorted(owned)}, indent=2) + "\n"`, the same
    text: json makes indented output with its Python encoder (1000 paths: ~1.4 ms, of every build
    and one-edit rebuild); here the paths are quoted by the C function that encoder calls for each
    (encode_basestring_ascii) and joined in one go. tests/test_build.py compares the two."""
    files = sorted(owned)
    if not files:
        return '{\n  "generator": "agentc",\n  "files": []\n}\n'
    return '{\n  "generator": "agentc",\n  "files": [\n    ' + ",\n    ".join(map(encode_basestring_ascii, files)) + "\n  ]\n}\n"


def _put_manifest(out: Path, owned: set[str], there: str | None, racy: int | None = None) -> str:
    """Write the manifest of `owned` in `out` unless `there`, the text in it, is that; return its text.

    `racy` (Stage.racy: a build record is made): the manifest's mtime is set 2 s back, past
    `racy` (and a FAT disk's 2 s tick). Written near the end of a build, it was often within
    RACY_NS of the record, whose stat of it was then not trusted: each build after (the no-op,
    --check, the next rebuild) read and hashed it again (~43 KB at 1000 agents, ~2.4M
    instructions each). An edit of it afterwards sets the mtime to the time of the edit, not the
    one set back: still a change."""
    manifest = _manifest_text(owned)
    if manifest != there:
        mpath = out / MANIFEST
        out.mkdir(parents=True, exist_ok=True)
        tmp = temp_of(mpath)
        try:
            tmp.write_text(manifest, encoding="utf-8")
            if racy is not None and racy < 2_000_000_000:
                back = time.time_ns() - 2_000_000_000
                os.utime(tmp, ns=(back, back))
            os.replace(tmp, mpath)
        finally:
            tmp.unlink(missing_ok=True)
    return manifest
