"""Finding agent files in the sources of a build, and the plugin each belongs to."""

from __future__ import annotations

import json
import os
from dataclasses import field
from pathlib import Path, PurePosixPath

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.frozen import frozen, lean
from agentc.compiler.span import Span

# Files that live beside agents in plain folders and are never agents themselves.
NOT_AGENTS = frozenset({"readme.md", "changelog.md", "license.md", "contributing.md", "claude.md", "agents.md"})


@frozen  # its C __init__ (compiler/_frozen.c), not object.__setattr__ per field: ~4M instructions of 1000 agents'
class Found:
    path: str  # on disk, as given (a str: a Path per file was ~13M of 41M instructions finding 1000 agents)
    file: str  # as shown to the user and written in spans
    scope: str | None  # plugin name in a plugin layout


@lean()
class Listing:
    """What a walk read besides the sources, the excluded folders and the working folder: each
    folder it listed, as [path, stat, None] (cache.stat_of, taken before the folder was listed).
    Adding, removing or renaming a file or folder changes its folder's stat, so while every
    folder's stat is as recorded (and was settled when taken), the walk would find what it found
    (runner._listed: a no-op build of 1000 agents walked them for ~10M instructions). `sure` is
    False when something else may change the result: a link named *.md (its target may become a
    file), a plugin.json read for a plugin's name, a source that is a file or is missing, more
    than one source (their files are told apart by resolving links), or a diagnostic."""

    folders: list[list] = field(default_factory=list)
    sure: bool = True


def discover(sources: list[str], exclude: list[str] = (), *, listing: Listing | None = None,
             ) -> tuple[list[Found], list[Diagnostic]]:
    """Agent files of the sources. `exclude`: output folders; one inside a source folder is
    left out of it (with a warning), or a build would read its own outputs as agents.
    `listing`: gets what the walk read (`Listing`)."""
    found: list[Found] = []
    diags: list[Diagnostic] = []
    skip = [Path(os.path.abspath(e)) for e in exclude]
    links = False  # whether a found file is a symbolic link
    listing = listing if listing is not None else Listing(sure=False)  # sure=False: nothing recorded
    if len(sources) != 1 or os.sep != "/":
        listing.sure = False
    for src in sources:
        root = Path(src)
        if root.is_file():
            listing.sure = False
            found.append(Found(path=src, file=_show(src), scope=_plugin_of(PurePosixPath(root.as_posix()))))
            continue
        if not root.is_dir():
            listing.sure = False
            diags.append(diag("AGC004", Span(file=_show(src), line=1), f"source '{src}' does not exist",
                              hint="pass an agent .md file or a folder of them"))
            continue
        inside = [e for e in skip if Path(os.path.abspath(root)) in e.parents]
        for e in inside:
            diags.append(diag("AGC905", Span(file=_show(src), line=1), f"the output folder '{_show(os.path.relpath(e))}' is "
                              f"inside the source folder '{_show(src)}'; its files are not read as agents",
                              hint="put the output folder (out) outside the sources"))
        files, linked = _walk(root, inside, listing)
        links = links or linked
        if not files:
            diags.append(diag("AGC005", Span(file=_show(src), line=1), f"no agent .md files under '{src}'"))
        plugins: dict[str, str | None] = {}  # per folder: its files share a plugin (one plugin.json look-up, not one per file)
        # os.path.join(src, rel) is `prefix + rel` for a relative `rel`, which the walk gives: a
        # join (a Python call of several steps) per file was ~2M instructions of 1000 agents'.
        prefix = os.path.join(src, "")
        # `_show(prefix + rel)` is `shown + rel`: no part of `rel` is empty, "." or "..", so
        # normalising changes nothing after the prefix (a normpath per file: ~2.3M of 1000 agents').
        shown = _show(prefix + "x")[:-1] if os.sep == "/" else None
        for rel in files:
            folder = rel.rpartition("/")[0]
            if folder not in plugins:
                plugins[folder] = _plugin_of(PurePosixPath(rel), root)
            path = prefix + rel
            found.append(Found(path=path, file=shown + rel if shown is not None else _show(path), scope=plugins[folder]))
    if links or diags:
        listing.sure = False
    if len(sources) == 1 and not links:
        # One walk lists each path once and enters no linked folder, so two of its files can be
        # one file only through a link to a file: without one, nothing to resolve (1000 agents:
        # the resolving below cost ~3 ms of every build, a no-op's included).
        return found, diags
    seen: set[str] = set()
    unique = []
    real_dirs: dict[str, str] = {}
    for f in found:
        key = _realpath(f.path, real_dirs)  # what Path.resolve() does, without a Path per file
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, diags


def relisted(source: str, paths: list[str], scopes: list[str | None]) -> list[Found] | None:
    """What `discover([source])` found, again, from its files' paths and scopes (runner._listed:
    their folders are as it listed them); None when a path is not one it gives."""
    prefix = os.path.join(source, "")
    if os.sep != "/" or len(paths) != len(scopes):
        return None
    shown, start = _show(prefix + "x")[:-1], len(prefix)  # as discover spells each file
    found = []
    for path, scope in zip(paths, scopes, strict=True):  # of one length: checked above
        if type(path) is not str or not path.startswith(prefix) or not (scope is None or type(scope) is str):
            return None
        found.append(Found(path=path, file=shown + path[start:], scope=scope))
    return found


def _realpath(path: str, real_dirs: dict[str, str]) -> str:
    """`os.path.realpath(path)`, each folder resolved once (`real_dirs` keeps them): realpath
    checks every component of every path for a link, ~6 lstat calls per file of a build."""
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    if folder not in real_dirs:
        real_dirs[folder] = os.path.realpath(folder or ".")
    return os.path.join(real_dirs[folder], name)


def _walk(root: Path, skip: list[Path], listing: Listing | None = None) -> tuple[list[str], bool]:
    """Relative posix paths of agent files, sorted, none under a `skip` folder, and whether one
    of them is a symbolic link (the listing says so without a system call). A `.claude/agents/`
    tree or a plugin layout (`plugins/<p>/agents/`, or `agents/` beside `.claude-plugin/`) limits
    the search to those folders.

    Strings and os.scandir rather than Path.rglob: a Path per file and per test made this ~60%
    of finding 1000 agents (22 -> 9 ms), and a folder entry says from the listing itself whether
    it is a file (os.walk and then os.path.isfile stat every file again). Like rglob, the walk
    does not enter linked folders, and a folder that cannot be listed is skipped. Each folder's
    stat goes to `listing` (when it is `sure`) before the folder is listed."""
    every: list[str] = []
    links: set[str] = set()
    skipped = {str(e) for e in skip}
    if listing is None:
        listing = Listing(sure=False)
    folders = [(os.fspath(root), "")]
    while folders:
        folder, under = folders.pop()
        if listing.sure:
            from agentc.cache import stat_of

            stat = stat_of(folder)
            listing.sure = stat is not None
            listing.folders.append([folder, stat, None])
        try:
            with os.scandir(folder) as entries:
                entries = list(entries)
        except OSError:
            listing.sure = False
            continue
        for entry in entries:
            name = entry.name
            try:
                if name.endswith(".md") and entry.is_file():  # not a broken link, not a folder
                    every.append(under + name)
                    if entry.is_symlink():
                        links.add(under + name)
                elif name.endswith(".md") and entry.is_symlink():  # to a folder, or broken: may become a file
                    listing.sure = False
                elif entry.is_dir():  # a link to a folder is listed as one, never entered
                    if (not entry.is_symlink() and name not in ("node_modules", ".git")
                            and os.path.abspath(entry.path) not in skipped):
                        folders.append((entry.path, f"{under}{name}/"))
            except OSError:
                continue
    every.sort()
    joined = "\n" + "\n".join(every) + "\n"  # see `_plain`
    # `_plugin_of` finds a plugin only through a folder named agents: most files need no look-up,
    # and a path without "agents/" is in neither layout (two f-strings fewer per file).
    if "agents/" in joined:  # a plugin's name may be read from its plugin.json (_plugin_of)
        listing.sure = False
    scoped = [] if "agents/" not in joined else [
        r for r in every if "agents/" in r and ("/.claude/agents/" in f"/{r}" or ("/agents/" in f"/{r}" and _plugin_of(PurePosixPath(r), root)))]
    scoped = scoped or _plain(every, joined)
    return scoped, bool(links) and any(r in links for r in scoped)


def _plain(every: list[str], joined: str) -> list[str]:
    """The paths of `every` with no part starting with a dot and not named as one of NOT_AGENTS
    (in any case). `joined`: every path between newlines. Each path is tested only when that
    text shows one may fail: at 1000 agents the tests of each path were ~1.5M instructions of
    every build. A newline in a name can only raise a false alarm, which costs the tests."""
    lowered = joined.lower()  # a name lowercased to one of NOT_AGENTS has no character lower() lengthens
    if "\n." in joined or "/." in joined or any(f"/{n}\n" in lowered or f"\n{n}\n" in lowered for n in NOT_AGENTS):
        return [r for r in every if not r.startswith(".") and "/." not in r and r.rpartition("/")[2].lower() not in NOT_AGENTS]
    return every


def _plugin_of(rel: PurePosixPath, root: Path | None = None) -> str | None:
    parts = rel.parts
    for k in range(len(parts) - 2, -1, -1):
        if parts[k] != "agents":
            continue
        if k >= 2 and parts[k - 2] == "plugins":
            return parts[k - 1]
        base = (root / PurePosixPath(*parts[:k])) if root is not None else Path(*parts[:k]) if k else Path(".")
        manifest = base / ".claude-plugin" / "plugin.json"
        if manifest.is_file():
            try:
                name = json.loads(manifest.read_text(encoding="utf-8")).get("name")
            except (OSError, ValueError, AttributeError):
                name = None
            return str(name) if name else (base.resolve().name or None)
    return None


def _show(path: str) -> str:
    """`path` as spans and messages show it: normalised, with forward slashes. On POSIX that is
    os.path.normpath's string as it is (1000 agents: 6 -> 1 ms without the two Paths per file)."""
    shown = os.path.normpath(path)
    return shown if os.sep == "/" else PurePosixPath(Path(shown).as_posix()).as_posix()
