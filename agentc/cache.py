"""The build cache: skip work whose inputs did not change, and never change the output.

Two levels, both under `cache_dir` (default `.agentc-cache/`, which gitignores itself):

- lowered agents (AgentIR + its diagnostics) per source file, keyed by a hash of the file's
  bytes, its shown path and plugin scope, and agentc's code. Lowering is per file and depends
  on nothing else, so a changed file re-lowers alone. A full build stores every entry it used
  in one pack beside its record (`builds/<root>.pack`, see `Pack`): one file written instead
  of a hundred small ones (100 agents: ~6 ms against ~48 ms CPU, mostly the kernel creating
  files and folders). A rebuild after an edit stores its few new entries as loose files
  (`ir/<xx>/<key>.json`) rather than rewriting the pack; the next full build packs them.
- `builds/<root>.record`: the record of the last good build into a set of output folders: a key
  (agentc version and code, the options, the targets, the output folders, the environment
  that changes output), every source file's stat and hash, every output file's stat (and hash
  when its stat was too recent to trust: see runner._record), and the final diagnostics. When the key matches and no source or output changed, the build
  is a no-op: nothing is parsed, emitted or written.

"Changed" uses stat first (size, mtime, ctime, inode: ctime cannot be set back by a user) and
falls back to hashing bytes when the stat differs or is too close to the recording time to
trust (a write within the same clock tick keeps the mtime).
"""

from __future__ import annotations

import json
import marshal
import os
import sys
import time
from collections.abc import Callable, Collection, Sequence
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentc.compiler import native
from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.frozen import lean
from agentc.compiler.pycache import FOLDER, Kept

if TYPE_CHECKING:
    import mmap

    from agentc.compiler.ir import AgentIR

FORMAT = 8  # bump when the layout of the cache files changes
RACY_NS = 100_000_000  # a stat this close to (or after) the recording time is verified by hash
# sha256 of (version, FORMAT, each code file's (path, stat)) -> code_fingerprint(); a few: one per checkout state.
# Keyed by a digest, not by the ~100 stats themselves: the table is read by every cached build.
_FINGERPRINTS = Kept(os.path.join(FOLDER, f"fingerprint.{sys.implementation.cache_tag}.marshal"), most=16)


def _native_crc32() -> Callable[[bytes | memoryview], int]:
    """zlib.crc32 of one buffer: agentc/_codec.c's where it folds with the CPU's carry-less
    multiply (the ~46 MB of entries a 1000-agent cold build packs: ~11 -> ~3 ms; each entry a
    rebuild reads from the pack is checked too), zlib's elsewhere and in a pure-Python run."""
    module = native.load("_codec", "crc32", package="agentc")
    if module is not None and module.CRC32_FOLDS:
        return module.crc32
    import zlib  # here: a build that has the C one loads no zlib (with libz, ~1M instructions of a no-op)

    return zlib.crc32


_crc32 = _native_crc32()


# The record, its views and its diagnostics are marshal's bytes after this line (see `_marshalled`).
# marshal's format is the running Python's own: a file another Python wrote is no file (a full build).
_HEADER = f"agentc build {FORMAT} marshal {marshal.version} {sys.implementation.cache_tag} {sys.hexversion:x}\n".encode()


def _marshalled(value: Any, version: int = marshal.version) -> bytes:
    """A plain value (dicts, lists, str, int, None) as `_HEADER`, the CRC32 of what follows,
    and marshal's bytes of it. Not JSON: pydantic-core read a 1000-agent record, views and
    diagnostics (0.3 + 1.7 + 1.3 MB) in ~9 ms of every one-edit rebuild, ~14% of its
    instructions; marshal reads them in ~3.5 ms, each repeated object (a file name, a
    condition, a kind) stored and made once. `version` 2 writes no back-references: equal values
    give equal bytes, whatever objects hold them."""
    body = marshal.dumps(value, version)
    return b"%s%08x\n%s" % (_HEADER, _crc32(body), body)


def _unmarshalled(data: bytes) -> Any:
    """`_marshalled`'s value again; ValueError when `data` is not its bytes from this Python,
    or damaged. The CRC is checked before marshal reads anything."""
    start = len(_HEADER) + 9
    if data[:len(_HEADER)] != _HEADER or data[start - 1:start] != b"\n":
        raise ValueError("not a build file of this agentc and Python")
    with memoryview(data)[start:] as body:
        if b"%08x" % _crc32(body) != data[start - 9:start - 1]:
            raise ValueError("a damaged build file")
        try:
            return marshal.loads(body)
        except (EOFError, TypeError) as exc:  # ValueError: "bad marshal data"
            raise ValueError("a damaged build file") from exc


def _framed(meta: Any, body: Sequence[bytes | memoryview]) -> list[bytes | memoryview]:
    """A file of `_HEADER`, a line of the CRC32 and the length of marshal's bytes of `meta`
    (version 2: equal values, equal bytes), those bytes, then `body`'s as they are: the chunks
    to write (`_write_chunks`). The table of diagnostics and the kept report are such files: their
    bodies (~2.3 and ~1.5 MB at 1000 agents) are mapped when read and written from the buffers
    that hold them, not copied into and out of marshal's bytes (each such copy of a new buffer
    cost ~1 ms of page faults), and `meta` says how to check them."""
    data = marshal.dumps(meta, 2)
    return [b"%s%08x %d\n%s" % (_HEADER, _crc32(data), len(data), data), *body]


def _unframed(data: bytes | mmap.mmap) -> tuple[Any, memoryview, str]:
    """`_framed`'s meta, its body (a view of `data`) and the CRC32 of its meta as 8 hex digits;
    ValueError when `data` is not such a file of this agentc and Python, or its meta is damaged."""
    start = len(_HEADER)
    end = data.find(b"\n", start, start + 32)
    crc, _, size = bytes(data[start:max(end, start)]).partition(b" ")
    if data[:start] != _HEADER or len(crc) != 8 or not size.isdigit():
        raise ValueError("not a build file of this agentc and Python")
    view = memoryview(data)
    meta = view[end + 1:end + 1 + int(size)]
    if len(meta) != int(size) or b"%08x" % _crc32(meta) != crc:
        raise ValueError("a damaged build file")
    try:
        value = marshal.loads(meta)
    except (EOFError, TypeError) as exc:  # ValueError: "bad marshal data"
        raise ValueError("a damaged build file") from exc
    return value, view[end + 1 + int(size):], crc.decode()


def _mapped(path: Path) -> bytes | mmap.mmap | None:
    """The file's bytes, mapped (its pages are the page cache's: no copy, and the kernel maps
    them several at a fault) where a rebuild loaded mmap already (to open the pack), else read:
    importing mmap is ~2M instructions of a no-op build, which reads the kept report (~1.5 MB at
    1000 agents) alone; and read where a mapped file could not be replaced (Windows). None when
    missing, empty or unreadable."""
    mapping = sys.modules.get("mmap") if os.name == "posix" else None
    try:
        with open(path, "rb") as f:
            return mapping.mmap(f.fileno(), 0, access=mapping.ACCESS_READ) if mapping is not None else f.read() or None
    except (OSError, ValueError):  # mmap refuses an empty file
        return None


def _write_chunks(fd: int, chunks: Sequence[bytes | memoryview]) -> None:
    """All of `chunks`, one after another, to the file open as `fd`: a writev(2) per IOV_MAX of
    them where there is one (a rebuild writes a table of ~1000 runs from their own buffers)."""
    if not hasattr(os, "writev"):
        for chunk in chunks:
            _write_fd(fd, memoryview(chunk))
        return
    for at in range(0, len(chunks), 1024):  # IOV_MAX is 1024 on Linux and macOS
        batch = chunks[at:at + 1024]
        done = os.writev(fd, batch)
        if done == sum(map(len, batch)):  # all of it, as a regular file takes it: no loop a chunk
            continue
        for chunk in batch:  # what a short write left
            if done < len(chunk):
                _write_fd(fd, memoryview(chunk)[done:])
            done = max(done - len(chunk), 0)


def _write_fd(fd: int, data: memoryview) -> None:
    while len(data):
        wrote = os.write(fd, data)
        if not wrote:
            raise OSError("short write")
        data = data[wrote:]


def _store_chunks(path: Path, chunks: Sequence[bytes | memoryview]) -> bool:
    """`chunks` as the file at `path`, complete before it has that name; False when it could not be written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0), 0o666)
        try:
            _write_chunks(fd, chunks)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:  # a cache that cannot be written is only slower
        tmp.unlink(missing_ok=True)
        return False
    return True


# sha256 by the interpreter's own module for a process's first 256 KB, by OpenSSL's (hashlib)
# after. Importing hashlib loads OpenSSL's _hashlib, ~12M instructions: ~3% of a one-edit rebuild
# of 1000 agents and ~4.5% of a no-op, which hash a file or two. A cold build hashes every source
# (~32 MB at 1000 agents), where OpenSSL's SHA extensions are several times faster; the builtin
# module's extra cost is bounded by the first 256 KB (~1 ms). Both give the same digest.
_BUILTIN_MOST = 256 * 1024
_hashed = 0
_builtin: Any = None  # the builtin module's sha256, False where this Python has none


def new_sha(size: int) -> Any:
    """A hashlib-like sha256 object, for about `size` bytes."""
    global _hashed, _builtin
    _hashed += size
    if _hashed <= _BUILTIN_MOST:
        if _builtin is None:
            try:
                from _sha256 import sha256 as _builtin  # Python 3.11
            except ImportError:
                try:
                    from _sha2 import sha256 as _builtin  # Python 3.12+
                except ImportError:
                    _builtin = False
        if _builtin:
            return _builtin()
    import hashlib

    return hashlib.sha256()


def sha(data: bytes) -> str:
    digest = new_sha(len(data))
    digest.update(data)
    return digest.hexdigest()


def output_digest(data: bytes | memoryview) -> str:
    """What a build record keeps of an output it cannot trust by its stat yet (written within
    RACY_NS of the record, see runner._record): its bytes' CRC32 as 8 hex digits. It only has
    to tell an edit made in the clock tick of the write (the stat unchanged) from no edit, and
    no key is made from it: sha256 here made each later no-op, --check and rebuild load OpenSSL
    and hash every such file again (after a cold build of 1000 agents, ~30 outputs here, ~1 MB:
    ~12M + ~55M instructions under callgrind). A source's digest stays its sha256 (64 digits),
    which names its lowered entry (Cache.ir_key)."""
    return f"{_crc32(data):08x}"


def stat_of(path: str | os.PathLike) -> list[int] | None:
    try:
        st = os.stat(path)  # a str will do: a no-op build of 1000 agents stats 2000 recorded paths
    except OSError:
        return None
    return stat_key(st)


def stat_key(st: os.stat_result) -> list[int]:
    """What the record keeps of a file's stat, and compares again to see it unchanged."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def read_with_stat(path: str | os.PathLike) -> tuple[list[int], bytes]:
    """A file's `stat_of` (taken before reading: a write in between is caught next time) and
    its bytes. Raw calls: Path.read_bytes makes ~10 system calls per file (an open file object,
    its buffer, an isatty check), and a separate os.stat walks the path again; this makes 4."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        data = os.read(fd, st.st_size + 1)  # a regular file reads whole; short only at its end
        if len(data) > st.st_size:  # it grew since fstat: read on to its end
            parts = [data]
            while chunk := os.read(fd, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return stat_key(st), data


_CODE: str | None = None


def code_fingerprint() -> str:
    """A hash of agentc's own code and templates: a cache from other code is never trusted,
    even when the version number did not change (a checkout, a developer's edit).

    Hashing the ~100 files read ~1 MB (~1.3 ms of every cached command); their stats go
    with the hash into compiler/__pycache__ (`_FINGERPRINTS`), as Python trusts a module's
    bytecode by its source's stat, so the next process stats them instead of reading them.
    A stat is only trusted when every file is older than RACY_NS at the time it is kept:
    a later write changes its ctime, which no one can set back."""
    global _CODE
    if _CODE is None:
        import agentc
        import agentc.compiler
        import agentc.targets

        # compiler/ir.py (IR_VERSION with it) is among the files hashed below; not importing it
        # keeps the IR models out of a no-op build.
        files = [(rel, path) for pkg in (agentc, agentc.compiler, agentc.targets) for folder in pkg.__path__
                 for rel, path in _code_files(folder)]
        try:
            stats = tuple((rel, *stat_key(os.stat(path))) for rel, path in files)
        except OSError:
            stats = None
        # marshal's bytes, not repr's text: formatting ~100 stats was ~3.4M instructions of every
        # cached build; version 2 writes no back-references, so equal values give equal bytes.
        key = sha(marshal.dumps((agentc.__version__, FORMAT, stats), 2))
        _CODE = _FINGERPRINTS.get(key) if stats is not None else None
        if _CODE is None:
            import hashlib  # the code's ~3 MB, on the first build after it changed: OpenSSL's (see new_sha)

            h = hashlib.sha256(f"{agentc.__version__}|{FORMAT}".encode())
            for rel, path in files:
                with open(path, "rb") as f:
                    h.update(rel.encode() + b"\0" + f.read() + b"\0")
            _CODE = h.hexdigest()
            settled = time.time_ns() - RACY_NS
            if stats is not None and all(s[2] < settled and s[3] < settled for s in stats):
                _FINGERPRINTS.put(key, _CODE)
    return _CODE


def _code_files(folder: str) -> list[tuple[str, str]]:
    """(posix path relative to `folder`, path) of the code and template files under it, sorted:
    the Python code, templates and data, and the C modules as built (compiler/_markdown and
    _mentions: a change to their C, rebuilt by `pip install`, changes what a file lowers to
    while no .py file changes). The files os.walk would give (a folder linked in is not
    entered), __pycache__ folders left out, but by os.scandir with each relative path made as
    it goes: os.walk's lists and os.path.relpath per file were ~0.8 ms of every cached build."""
    from importlib.machinery import EXTENSION_SUFFIXES  # ".cpython-311-x86_64-linux-gnu.so", ".pyd", ...

    suffixes = (".py", ".j2", ".json", ".toml", ".yaml", *EXTENSION_SUFFIXES)
    found: list[tuple[str, str]] = []
    todo = [(folder, "")]
    while todo:
        where, rel = todo.pop()
        try:
            with os.scandir(where) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        if entry.name.endswith(suffixes):
                            found.append((rel + entry.name, entry.path))
                    elif entry.name != "__pycache__" and not entry.is_symlink():
                        todo.append((entry.path, f"{rel}{entry.name}/"))
        except OSError:  # as os.walk: a folder that cannot be listed is left out
            continue
    return sorted(found)


def environment(targets: list[str]) -> dict:
    """What outside agentc changes the output of `targets`: the Python running it, and
    Graphviz for the diagram target (its SVG) alone."""
    # The environment (sys.prefix) and the interpreter itself, not the name it was started by:
    # `.venv/bin/python` and the `agentc` script's `python3` are one Python and share a cache.
    found = {"python": sys.version.split()[0], "prefix": sys.prefix, "executable": os.path.realpath(sys.executable)}
    if "diagram" in targets:  # here: shutil (with bz2 and lzma) was ~1 ms of every other cached build's imports
        import shutil

        found["dot"] = shutil.which("dot")
    return found


class Cache:
    def __init__(self, folder: Path | str, *, keep: bool = True):
        """`keep=False` (--check, --dry-run): read the cache, hold nothing to store."""
        self.folder = Path(folder)
        self.keep = keep
        self._ready = False
        self._loaded: list[str] | None = None  # the output folders of the record loaded last
        self._views: tuple[str, list] | None = None  # (tag, views) load_views read last
        self._diagnostics: Recorded | None = None  # the diagnostics of the record loaded or saved last
        self._pack: Pack | None = None  # the last full build's entries into those folders
        self._pack_opened = False
        self._loose_seen: bool | None = None  # whether the folder of loose entries exists (see _any_loose)
        self.used: set[str] = set()  # per-file keys this build read or wrote
        self.hits: dict[str, bytes | None] = {}  # entries read from the cache: a loose file's bytes, None from the pack
        # Lowered files to store once the build succeeded, as UTF-8 JSON bytes in a file (Spill: in
        # memory they were the largest thing a 1000-agent build held: ~76 MB as bytes).
        self.pending = Spill(self._pack_folder)

    # -- setup -------------------------------------------------------------------------------
    def _prepare(self) -> None:
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():  # like .pytest_cache and .ruff_cache: never committed by accident
            ignore.write_text("# written by agentc: this folder is a cache\n*\n", encoding="utf-8")
        self._ready = True

    def _store(self, path: Path, data: str | bytes) -> None:
        self._prepare()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
            os.replace(tmp, path)
        except OSError:  # a cache that cannot be written is only slower
            tmp.unlink(missing_ok=True)

    # -- per file ----------------------------------------------------------------------------
    def ir_key(self, file: str, scope: str | None, digest: str, *, whole: bool = True) -> str:
        """The key of a file's lowered entry; `digest`: the sha256 of its bytes, which the
        build computes for its record anyway (hashing the 32 KB twice was ~2% of a cold build's
        own work at 1000 agents). `whole=False`: of its entry without the body's structure
        (`api.read_agents`), a key of its own, so that no build that reads the structure takes it."""
        return sha(f"{code_fingerprint()}|{file}|{scope}|{digest}{'' if whole else '|light'}".encode())

    def _loose(self, key: str) -> Path:
        return self.folder / "ir" / key[:2] / f"{key}.json"

    def _any_loose(self) -> bool:
        """Whether there are loose entries at all, looked at once a build: a cold build's misses
        each tried to open a file in a folder that is not there (1000 agents: ~30 ms)."""
        if self._loose_seen is None:
            self._loose_seen = (self.folder / "ir").is_dir()
        return self._loose_seen

    def get_ir(self, key: str, source: bytes, *, whole: bool = True) -> tuple[AgentIR | None, list[Diagnostic]] | None:
        """The lowered entry of `key`, or None; `source`: the bytes of the file it lowered
        (an entry does not keep the agent's body, see codec.load_entry); `whole`: as the key's."""
        from agentc import codec  # pydantic-core: not imported by a build without the cache

        self.used.add(key)
        try:
            data = self.pending.get(key)
            if data is None:
                pack = self._opened_pack()
                data = pack.get(key) if pack is not None else None
                where = None  # the pack holds it: the next pack copies it from there
                if data is None:
                    if not self._any_loose():
                        return None
                    data = where = self._loose(key).read_bytes()
            agent, diags = codec.load_entry(data, source, whole=whole)
        except (OSError, ValueError):  # a damaged entry is no entry (pydantic-core's errors are ValueErrors)
            return None
        if key not in self.pending:
            self.hits[key] = where
        return agent, list(diags)

    def _opened_pack(self) -> Pack | None:
        """The pack of the record loaded, opened on the first look (a no-op build needs none)."""
        if not self._pack_opened and self._loaded is not None:
            self._pack, self._pack_opened = Pack.open(self._pack_path(self._loaded)), True
        return self._pack

    def holds_nothing(self) -> bool:
        """Whether no `get_ir` can find an entry: none put yet, no folder of loose entries and no
        pack of the record loaded (a cold build's cache). The build then makes each file's key
        only to store its entry under (api.read_agents): 1000 seed agents to claude, 2000
        lookups and 1000 keys fewer."""
        return not self.pending.keys() and not self._any_loose() and self._opened_pack() is None

    def put_ir(self, key: str, agent: AgentIR | None, diags: list[Diagnostic], *, whole: bool = True) -> None:
        if not self.keep:
            self.used.add(key)
            return
        from agentc import codec

        self.put_entry(key, codec.dump_entry(agent, diags, whole=whole))

    def put_entry(self, key: str, data: bytes) -> None:
        """`put_ir` of an entry already in `codec.dump_entry`'s JSON (a worker process's)."""
        self.used.add(key)
        if self.keep:
            self.pending.put(key, data)

    def flush(self, *, whole: bool = True) -> None:
        """Store the lowered files. Only a build that wrote its output calls this: a failed
        build, `--check` and `--dry-run` write nothing at all, the cache included.

        `whole` (a full build, which read every source): one pack of every entry it used
        replaces the last one. Else (a rebuild after an edit): its new entries as loose files."""
        if whole and self._loaded is not None:
            self._write_pack(self._pack_path(self._loaded))
        else:
            for key in self.pending.keys():
                data = self.pending.get(key)
                if data is not None:
                    self._store(self._loose(key), data)
        self.pending.close()

    def _write_pack(self, path: Path) -> None:
        # Entries read from the cache, not lowered again, with their CRC32. One from the last
        # pack keeps the CRC its index gave, which its read checked: the bytes are not hashed
        # twice more (its view here, then Pack.write), ~15 ms of a 1000-agent build whose
        # entries all came from the pack. Bytes damaged since that read are caught where the
        # new pack is read, as the spilled entries are (Spill.copy_to).
        kept: dict[str, tuple[bytes | memoryview, int]] = {}
        for key, data in self.hits.items():
            if key in self.pending:
                continue
            if data is not None:  # a loose file's bytes
                kept[key] = (data, _crc32(data))
            elif self._pack is not None:
                placed = self._pack.placed(key)
                if placed is not None:
                    kept[key] = placed
        self._prepare()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.pending.store(tmp, kept)
        except OSError:  # a cache that cannot be written is only slower
            tmp.unlink(missing_ok=True)
            return
        finally:
            kept.clear()  # the old pack's views: released before it is closed
        if self._pack is not None:
            self._pack.close()
            self._pack = None
        self.hits.clear()
        try:
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)

    def prune_ir(self) -> None:
        """Drop lowered files this build did not use, once they clearly outnumber the used ones."""
        used = self.used
        base = self.folder / "ir"
        if not base.is_dir():
            return
        entries = list(base.glob("*/*.json"))
        if len(entries) <= 2 * len(used) + 100:
            return
        for p in entries:
            if p.stem not in used:
                p.unlink(missing_ok=True)

    # -- whole build -------------------------------------------------------------------------
    def _record_path(self, roots: list[str]) -> Path:
        return self.folder / "builds" / f"{sha('|'.join(sorted(roots)).encode())[:20]}.record"

    def _pack_path(self, roots: list[str]) -> Path:
        return self._record_path(roots).with_suffix(".pack")

    def _pack_folder(self) -> Path | None:
        """The folder of the pack a full build writes (Spill makes its file there), None before a record is looked for."""
        return self._pack_path(self._loaded).parent if self._loaded is not None else None

    def load_record(self, roots: list[str]) -> dict | None:
        """The last good build's record into these output folders (and, for the lowered files,
        the pack that build left). Its diagnostics are a `Recorded`, their file not read yet."""
        self._loaded, self._views, self._diagnostics = roots, None, None
        if self._pack is not None:
            self._pack.close()
        self._pack, self._pack_opened = None, False  # opened on the first lookup: a no-op build needs none
        self.hits.clear()
        path = self._record_path(roots)
        try:
            record = _unmarshalled(path.read_bytes())
            if type(record) is not dict or not isinstance(record.get("diagnostics"), str):
                return None
        except (OSError, ValueError):
            return None
        tag = record["diagnostics"]
        # Their file is read when they are: a no-op build that prints the report kept for them
        # never reads it (1000 agents: ~2.3 MB and its CRC).
        record["diagnostics"] = self._diagnostics = Recorded(path, tag, read=lambda: _mapped(path.with_name(f"{path.stem}.{tag}.diags")),
                                                             keep=self.keep)
        return record

    def save_record(self, roots: list[str], record: dict, views: list | None = None) -> Recorded:
        """`views` (incremental.py) go to a file of their own, named by their hash in the record:
        a no-op build reads the record only, and a record never meets views of another build.
        So do the record's diagnostics, a table per file (`_runs`): a rebuild after an edit
        mostly ends with the diagnostics it started from (`diags` is then the `Recorded` it
        loaded), whose file then stays as it is (1000 agents: ~12 000 AGC301s, ~2.3 MB not
        written again). Returns the new record's diagnostics. The record and views are `_marshalled`'s
        bytes, the diagnostics `_tabled`'s."""
        path = self._record_path(roots)
        diags = record["diagnostics"]
        last = self._diagnostics if roots == self._loaded else None
        if type(diags) is Recorded and diags.tag is not None:  # the last build's, unread (a rebuild that ended with them)
            tag = diags.tag
        elif last is not None and last.made is not None and list(diags) == list(last.made):
            tag = last.tag  # the same objects but those an edit made again: compared by identity first
        else:
            # The last build's with a few files' runs replaced (Recorded.replaced): their tables as they
            # are. The same bytes as a build from nothing writes (`_framed`: no back-references).
            chunks, named = diags.stored() if type(diags) is Recorded else (_tabled(_runs(diags)), None)
            tag = self._store_table(path, chunks, named)
            if type(diags) is Recorded:
                diags.tag = tag
            for old in path.parent.glob(f"{path.stem}.*.report"):  # reports of diagnostics no record holds now
                if not old.name.startswith(f"{path.stem}.{tag}."):
                    old.unlink(missing_ok=True)
        if type(diags) is not Recorded:
            diags = Recorded(path, tag, made=tuple(diags), keep=self.keep)
        self._diagnostics = diags
        record = {**record, "diagnostics": tag}

        if views is not None and self._views is not None and views is self._views[1] and roots == self._loaded:
            # The views load_views read, unchanged (incremental.rebuild hands them back when the
            # edited agents' views are byte for byte the same): their file stays as it is, named
            # by its tag (1000 agents: ~1.7 MB not dumped, hashed and written again, ~4.5 ms).
            record = {**record, "views": self._views[0]}
        elif views is not None:
            record = {**record, "views": self._store_tagged(path, "views", _marshalled(views), named=self._views_named(views, roots))}
        self._store(path, _marshalled({**record, "recorded_ns": time.time_ns()}))
        return diags

    def restamp(self, roots: list[str], record: dict, *, sources: list, outputs: list, recorded_ns: int) -> None:
        """`record` (load_record's) again with these entries, as taken at `recorded_ns`: a no-op
        build that verified outputs by their bytes and found them settled (`settled`). Its
        diagnostics, views and their files stay as they are."""
        self._store(self._record_path(roots), _marshalled({**record, "diagnostics": record["diagnostics"].tag,
                                                            "sources": sources, "outputs": outputs, "recorded_ns": recorded_ns}))

    def _views_named(self, views: list, roots: list[str]) -> bytes | None:
        """What names views made from those load_views read (incremental.rebuild gives a few agents
        new views, keeping the other parts and each other agent's view as the objects they are):
        the tag of those, and each part that is not the same object, or for a list of the same
        length each of its items that is not; None for views not made so (named by their hash).
        Hashing the ~300 KB of a 1000-agent rebuild's views went past what the interpreter's own
        sha256 hashes (`new_sha`): it loaded OpenSSL's, ~14M of a mid-file edit's ~279M instructions."""
        last = self._views if roots == self._loaded else None
        if last is None or type(views) is not list or type(last[1]) is not list or len(views) != len(last[1]):
            return None
        parts = []
        for k, (now, was) in enumerate(zip(views, last[1], strict=True)):
            if now is not was:
                same_length = type(now) is list and type(was) is list and len(now) == len(was)
                parts.append((k, [(i, x) for i, (x, y) in enumerate(zip(now, was, strict=True)) if x is not y] if same_length
                              else now, same_length))
        return marshal.dumps((last[0], parts))

    def _store_tagged(self, record: Path, kind: str, data: bytes, *, named: bytes | None = None) -> str:
        """`data` beside the record as `<record>.<tag>.<kind>`, and the record's other files of
        that kind gone; the tag: the start of the hash of what names it (`named`, bytes that tell
        it from any other, else `data` itself), and its CRC32, which `_read_tagged` checks (the
        views of 1000 agents, ~1.7 MB: SHA-256 ~1.2 ms of every one-edit rebuild, the CRC ~0.1)."""
        tag = f"{sha(data if named is None else named)[:20]}-{_crc32(data):08x}"
        name = f"{record.stem}.{tag}.{kind}"
        self._store(record.with_name(name), data)
        for old in record.parent.glob(f"{record.stem}.*.{kind}"):
            if old.name != name:
                old.unlink(missing_ok=True)
        return tag

    def _store_table(self, record: Path, chunks: list[bytes | memoryview], named: bytes | None) -> str:
        """The table of diagnostics (`_tabled`'s chunks) beside the record as `<record>.<tag>.diags`,
        and the record's other tables gone; the tag: the start of the hash of what names it (`named`,
        else the file itself) and the CRC32 of its meta (its header line's), which `Recorded._runs` checks."""
        if named is None:
            digest = new_sha(sum(map(len, chunks)))
            for chunk in chunks:
                digest.update(chunk)
            head = digest.hexdigest()
        else:
            head = sha(named)
        tag = f"{head[:20]}-{bytes(chunks[0][len(_HEADER):len(_HEADER) + 8]).decode()}"
        name = f"{record.stem}.{tag}.diags"
        self._prepare()
        record.parent.mkdir(parents=True, exist_ok=True)
        _store_chunks(record.with_name(name), chunks)
        for old in record.parent.glob(f"{record.stem}.*.diags"):
            if old.name != name:
                old.unlink(missing_ok=True)
        return tag

    def _read_tagged(self, record: Path, kind: str, tag: str) -> bytes | None:
        """The bytes `_store_tagged` stored under `tag`; None when missing or damaged."""
        try:
            data = record.with_name(f"{record.stem}.{tag}.{kind}").read_bytes()
        except OSError:
            return None
        return data if tag.rpartition("-")[2] == f"{_crc32(data):08x}" else None

    def load_views(self, tag: str) -> list | None:
        """The views the record loaded last names by `tag`; None when missing or not those."""
        roots = self._loaded
        if roots is None or not isinstance(tag, str):
            return None
        data = self._read_tagged(self._record_path(roots), "views", tag)
        if data is None:
            return None
        try:
            views = _unmarshalled(data)
        except ValueError:
            return None
        self._views = (tag, views)
        return views

    def forget(self, roots: list[str]) -> None:
        self._record_path(roots).unlink(missing_ok=True)


class Pack:
    """Lowered files in one file: a magic line, the entries' bytes back to back, a JSON index
    `{key: [offset, length, crc32]}` on one line (offsets counted from the end of the magic
    line), and last the index's place in the file as a line of digits. The entries come before
    their index so that a build writes them into the pack's own file as it lowers them (`Spill`)
    and stores them by appending the rest. A pack is complete before it gets its name (see
    `Spill.store`), so a reader sees an old pack or a new one. Read through mmap: only the
    entries a build asks for are paged in. Anything wrong (no file, another format, a short or
    damaged file, an entry whose CRC differs) is an entry not found, and that file is lowered
    again."""

    MAGIC = b"agentc-ir-pack 2\n"

    def __init__(self, view: mmap.mmap, end: int, last: int):
        self._view, self._end, self._last = view, end, last  # the index: from end (which no entry passes) to last
        self._index: dict | None = None  # read on the first look-up of a key it holds (`placed`)

    @classmethod
    def open(cls, path: Path) -> Pack | None:
        import mmap  # here: a no-op build opens no pack

        try:
            with open(path, "rb") as f:
                view = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # missing, or empty (mmap refuses a zero-length file)
            return None
        try:
            if view[:len(cls.MAGIC)] != cls.MAGIC or view[-1:] != b"\n":
                raise ValueError("not a pack")
            last = view.rfind(b"\n", 0, len(view) - 1) + 1  # the line of the index's place
            digits = view[last:-1]
            at = int(digits) if digits.isdigit() else -1
            if not len(cls.MAGIC) <= at < last:
                raise ValueError("no index")
        except ValueError:
            view.close()
            return None
        return cls(view, at, last)

    def _entries(self) -> dict:
        """The index, read once; an empty one when it is not a JSON object (a damaged pack)."""
        if self._index is None:
            try:
                index = json.loads(self._view[self._end:self._last])
            except ValueError:
                index = None
            self._index = index if isinstance(index, dict) else {}
        return self._index

    def placed(self, key: str) -> tuple[memoryview, int] | None:
        """The entry's bytes in place and the CRC32 the index gives them, not checked; None
        when the index has no such entry or its place is not within the entries. A key the
        index's bytes do not hold is not looked for in the index read: a rebuild after an edit
        asks for the edited file's new entry only, and reading the index of 1000 entries to
        find it missing was ~5M instructions."""
        if self._index is None and key.isascii() and key.isalnum() and self._view.find(b'"%s"' % key.encode(), self._end, self._last) < 0:
            return None  # json.dumps writes such a key as it is, between quotes
        try:
            offset, length, crc = self._entries()[key]
            at = len(self.MAGIC) + offset
            if not (isinstance(offset, int) and isinstance(length, int) and isinstance(crc, int) and 0 <= offset
                    and 0 <= length and at + length <= self._end):
                return None
        except (KeyError, TypeError, ValueError):
            return None
        return memoryview(self._view)[at:at + length], crc

    def view(self, key: str) -> memoryview | None:
        """The entry's bytes in place (checked), or None."""
        placed = self.placed(key)
        if placed is None:
            return None
        data, crc = placed
        if _crc32(data) != crc:
            data.release()
            return None
        return data

    def get(self, key: str) -> bytes | None:
        """The entry's bytes (a copy: pydantic reads bytes, not views), or None."""
        data = self.view(key)
        if data is None:
            return None
        with data:
            return bytes(data)

    def close(self) -> None:
        try:
            self._view.close()
        except BufferError:  # a memoryview of it is still alive: the mapping goes with it
            pass


class Spill:
    """Entries kept out of memory until the build decides to store them: a 1000-agent build
    lowers ~46 MB of them, and held them through emission, its peak. They go into a file that
    begins as a pack does (`Pack.MAGIC`, then the entries), so that storing them appends the
    rest of the pack to it (`store`). That file is made unnamed (Linux's O_TMPFILE) in the
    pack's own folder, and named there once complete: the entries are written once, where they
    were written to a temp file and then copied into the pack (1000 agents: ~20 ms of the
    kernel's CPU). Where that cannot be (another system, a file system without it), the file
    is a temp file in the system's temp folder, copied into the pack. Either way it vanishes
    when closed or when the process ends, and folders made for it go again when nothing was
    stored (a failed build leaves no cache folder behind). If no file can be made, the entries
    stay in memory. So do the first `IN_MEMORY` bytes of them: a one-edit rebuild or a small
    build makes no file (importing tempfile, which probes the temp folder by writing a file in
    it, and making the temp file: ~1.5 ms)."""

    IN_MEMORY = 1 << 20  # ~50 of the benchmark's agents
    # The entries past IN_MEMORY go to the file in writes of about this many bytes: a write an
    # entry was ~800 system calls of ~5.5 KB at 1000 agents to claude. Until written they are
    # queued (`_queued`), and written before any entry is read back or the pack is stored.
    QUEUED = 1 << 18

    def __init__(self, folder: Callable[[], Path | None] = lambda: None) -> None:
        self._folder = folder  # the folder of the pack to be written, asked at the first spill; None: none known
        self._file = None  # unbuffered: Pack.MAGIC, then the spilled entries
        self._unnamed = False  # the file is in the pack's folder, to be named there
        self._made: list[Path] = []  # folders made for the file, innermost first: removed unless it was stored
        self._at: dict[str, tuple[int, int, int]] = {}  # key -> offset (after MAGIC), length, crc32 in the file
        self._held: dict[str, bytes] = {}  # key -> bytes: the first IN_MEMORY bytes, and all once no file could be made
        self._held_size = 0
        self._end = 0  # bytes of entries in the file, the queued ones included
        self._queued: list[bytes] = []  # the file's last entries (in `_at`), not written yet
        self._queued_size = 0
        self._failed = False

    def put(self, key: str, data: bytes) -> None:
        if self._file is None and self._held_size + len(data) <= self.IN_MEMORY:
            self._held[key] = data
            self._held_size += len(data)
            return
        if self._file is None and not self._failed:
            self._open()
        if self._file is not None:
            self._at[key] = (self._end, len(data), _crc32(data))
            self._end += len(data)
            self._queued.append(data)
            self._queued_size += len(data)
            if self._queued_size < self.QUEUED or self._written():
                return
        self._held[key] = data  # no file, or none from here on: writing to it failed

    def _written(self) -> bool:
        """Write the queued entries to the file; False when that failed (a full disk): the
        entries spilled so far are lost (lowered again next time), and there is no file from here on."""
        try:
            _write_chunks(self._file.fileno(), self._queued)
        except OSError:
            self._drop()
            return False
        self._queued, self._queued_size = [], 0
        return True

    def _open(self) -> None:
        folder = self._folder()
        if folder is not None:
            try:
                self._file, self._made = _unnamed_in(folder)
                self._unnamed = True
            except OSError:
                pass
        if self._file is None:
            import tempfile  # here: a no-op build or --check spills nothing (tempfile and random: ~0.8 ms)

            try:
                self._file = tempfile.TemporaryFile(prefix="agentc-", buffering=0)
            except OSError:
                self._failed = True
                return
        if self._made:
            import atexit

            atexit.register(self.close)  # a build that fails stores nothing: the folders go with the file
        try:
            _write_all(self._file, Pack.MAGIC)
        except OSError:
            self._drop()

    def _drop(self) -> None:
        """No file from here on: the entries in it are lost, those to come are held."""
        self.close()
        self._failed = True

    def get(self, key: str) -> bytes | None:
        if key in self._held:
            return self._held[key]
        if key not in self._at or self._file is None or (self._queued and not self._written()):
            return None
        offset, length, crc = self._at[key]
        try:
            data = os.pread(self._file.fileno(), length, len(Pack.MAGIC) + offset)
        except OSError:
            return None
        return data if len(data) == length and _crc32(data) == crc else None

    def store(self, path: Path, kept: dict[str, tuple[bytes | memoryview, int]]) -> None:
        """Write the pack of every entry at `path` (a temporary name: the caller moves it into
        place), complete before it has that name: the spilled entries, those held, then `kept`
        (entries read from the cache, with their CRC32). The file in the pack's folder is
        finished and named (linked through /proc); else a new file gets a copy of the spilled
        entries (os.sendfile: the kernel copies) and the rest. Raises OSError."""
        if self._queued:
            _write_chunks(self._file.fileno(), self._queued)
            self._queued, self._queued_size = [], 0
        if self._unnamed:
            try:
                self._file.seek(len(Pack.MAGIC) + self._end)
                self._finish(self._file, kept)
                path.unlink(missing_ok=True)
                _link(self._file.fileno(), path)
                self._made = []  # they hold the pack now
                return
            except OSError:  # no /proc (a container without it): copied below, the entries as spilled
                pass
        with open(path, "wb") as out:
            self._copy_to(out)
            self._finish(out, kept)

    def _finish(self, out, kept: dict[str, tuple[bytes | memoryview, int]]) -> None:
        """After the spilled entries: the held ones, `kept`, the index, and the index's place."""
        index = {key: list(place) for key, place in self._at.items()}
        offset, tail = self._end, []
        for key, data in self._held.items():
            index[key] = [offset, len(data), _crc32(data)]
            offset += len(data)
            tail.append(data)
        for key in sorted(kept):
            data, crc = kept[key]
            index[key] = [offset, len(data), crc]
            offset += len(data)
            tail.append(data)
        tail.append(json.dumps(index, separators=(",", ":")).encode() + b"\n%d\n" % (len(Pack.MAGIC) + offset))
        out.flush()  # what a buffered `out` holds goes first
        _write_chunks(out.fileno(), tail)  # a writev per 1024 pieces, not a write each

    def _copy_to(self, out) -> None:
        """Pack.MAGIC and the spilled entries to the new file `out`, the file's bytes copied by
        the kernel (a 1000-agent build spills ~46 MB, which read back and written again through
        Python cost ~50 ms). Bytes damaged on the way are caught where the pack is read, by
        each entry's CRC."""
        if self._file is None:
            out.write(Pack.MAGIC)
            return
        out.flush()  # what `out` holds goes before the block written to its descriptor
        src, done, size = self._file.fileno(), 0, len(Pack.MAGIC) + self._end
        try:
            while done < size:
                sent = os.sendfile(out.fileno(), src, done, size - done)
                if not sent:
                    break
                done += sent
        except OSError:  # no sendfile between files here (macOS): copied below
            pass
        while done < size:
            chunk = os.pread(src, min(1 << 20, size - done), done)
            if not chunk:
                raise OSError("the spilled entries' file lost its end")
            out.write(chunk)
            done += len(chunk)

    def keys(self) -> list[str]:
        return sorted({*self._at, *self._held})

    def __contains__(self, key: str) -> bool:
        return key in self._at or key in self._held

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        for folder in self._made:  # innermost first; one that is not empty stays
            try:
                folder.rmdir()
            except OSError:
                pass
        self._file, self._unnamed, self._made, self._at, self._held, self._held_size, self._end, self._failed = (
            None, False, [], {}, {}, 0, 0, False)
        self._queued, self._queued_size = [], 0


def _unnamed_in(folder: Path) -> tuple[Any, list[Path]]:
    """An unnamed file open for reading and writing in `folder` (Linux's O_TMPFILE: it has no
    name until linked, and vanishes if never linked), and the folders made for it, innermost
    first. Raises OSError where there is no such file (another system, a file system without
    it) or the folder cannot be made; the folders made are gone again then."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        raise OSError("no O_TMPFILE here")
    made = []
    where = folder
    while not where.exists() and where.parent != where:
        made.append(where)
        where = where.parent
    try:
        for where in reversed(made):
            where.mkdir()
        fd = os.open(folder, flag | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError:
        for where in made:
            try:
                where.rmdir()
            except OSError:  # not made after all, or no longer empty
                pass
        raise
    return open(fd, "r+b", buffering=0), made


def _link(fd: int, path: Path) -> None:
    """Give the unnamed file open as `fd` the name `path`: linkat(2) following /proc's link to
    it, which a folder's descriptor asks for (os.link of two plain paths calls link(2), which
    would link the /proc link itself, and no link crosses into /proc)."""
    folder = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        os.link(f"/proc/self/fd/{fd}", path.name, dst_dir_fd=folder)
    finally:
        os.close(folder)


def _write_all(out, data: bytes | memoryview) -> None:
    """All of `data` to `out`, a raw (unbuffered) file's writes being allowed to come short."""
    with memoryview(data) as view:
        done = 0
        while done < len(view):
            wrote = out.write(view[done:])
            if not wrote:
                raise OSError("short write")
            done += wrote


@lean()
class Entry:
    """A file as the record keeps it: where it is, its stat, the hash of its bytes."""

    path: str
    stat: list[int] | None
    sha: str

    def to_json(self) -> list:
        return [self.path, self.stat, self.sha]


def unsettled(entries: list[list], recorded_ns: int) -> list[int]:
    """The indices of the record's `entries` not known unchanged by their stat alone: all but
    those [path, stat, digest] whose file's `stat_of` is `stat` now, older than RACY_NS before
    the recording. By agentc/_codec.c where built (one stat(2) a file and no stat_result: the
    2001 entries of a no-op build of 1000 agents, ~12M -> ~1M instructions), else
    `_unsettled_py`, its reference. The caller looks at these closely, in order."""
    if _UNSETTLED is not None and type(entries) is list and type(recorded_ns) is int:
        return _UNSETTLED(entries, recorded_ns, RACY_NS)
    return _unsettled_py(entries, recorded_ns)


def _unsettled_py(entries: list[list], recorded_ns: int) -> list[int]:
    out = []
    for i, entry in enumerate(entries):
        if type(entry) is list and len(entry) == 3 and type(entry[0]) is str and _exact_stat(entry[1]):
            try:
                now = stat_of(entry[0])
            except ValueError:  # a NUL in the path: the caller's os.stat raises it
                now = None
            if now is not None and now == entry[1] and recorded_ns - now[1] > RACY_NS:
                continue
        out.append(i)
    return out


def _exact_stat(value: Any) -> bool:
    """A recorded stat the C test reads: a list of four ints (no bool, no float)."""
    return type(value) is list and len(value) == 4 and all(type(x) is int for x in value)


_UNSETTLED = getattr(native.load("_codec", "unsettled", package="agentc"), "unsettled", None)


def unchanged(entries: list[list], recorded_ns: int) -> bool:
    """True when every recorded file still has the bytes it had (stat first, hash when unsure)."""
    return all(_looked_at(*entries[i], recorded_ns)[0] for i in unsettled(entries, recorded_ns))


def settled(entries: list[list], recorded_ns: int, checked_ns: int) -> list[list] | None:
    """`unchanged`'s test, for a record to be made again at `checked_ns`, a clock reading taken
    before any file was looked at: None when a file changed; else the entries, a new list when
    some verified by their bytes now have a stat older than RACY_NS before `checked_ns`, which
    then have that stat and no digest. Sound: each such stat was seen after `checked_ns`, so a
    later write gives a newer one. After a cold build of 1000 agents up to ~600 outputs are too
    recent to trust and each no-op, --check and rebuild read and CRC'd them (~20 MB) again."""
    out = entries
    for i in unsettled(entries, recorded_ns):
        same, now = _looked_at(*entries[i], recorded_ns)
        if not same:
            return None
        if checked_ns - now[1] > RACY_NS:
            if out is entries:
                out = list(entries)
            out[i] = [entries[i][0], now, None]
    return out


def refreshed(entries: list[list], recorded_ns: int) -> tuple[list, list[int]] | None:
    """The record's `entries` brought up to date, and the indices of the files whose bytes
    changed (their entries None); None when one is gone or cannot be read. An entry whose
    stat was too recent to trust but whose bytes are the same gets its stat of now."""
    seen, changed = list(entries), []  # the entries known unchanged by their stat (`unsettled`) stay as they are
    for i in unsettled(entries, recorded_ns):
        path, _, digest = entries[i]
        same, now = _looked_at(*entries[i], recorded_ns)
        if now is None:
            return None
        seen[i] = [path, now, digest] if same else None
        if not same:
            changed.append(i)
    return seen, changed


def _looked_at(path: str, old_stat: list[int], digest: str | None, recorded_ns: int) -> tuple[bool, list[int] | None]:
    """Whether the file at `path` still has the bytes it had, and its stat now (None: gone, or
    not readable when its bytes were needed)."""
    now = stat_of(path)
    if now is None:
        return False, None
    if now == old_stat and recorded_ns - now[1] > RACY_NS:
        return True, now
    if digest is None:  # an output whose stat was settled when recorded, and changed since
        return False, now
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False, None
    # 8 digits: an output's (output_digest); else a source's sha256
    return (output_digest(data) if type(digest) is str and len(digest) == 8 else sha(data)) == digest, now


def _runs(diags: Sequence[Diagnostic]) -> list:
    """Diagnostics as a record keeps them: per run of one file (a build's come sorted by file, so
    one run a file), four values: its file, its codes, its table (codec.diagnostics_table) in
    marshal's bytes, which `Recorded.by_file` reads for a few files without reading the others,
    and that table's CRC32, checked when it is read (`_tabled`)."""
    from agentc import codec  # pydantic-core's module: a build whose diagnostics are the record's needs none

    out: list = []
    for file, run in groupby(diags, _FILE_OF):
        out += _run_of(file, list(run), codec)
    return out


def _run_of(file: str, run: list[Diagnostic], codec: Any) -> tuple[str, tuple[str, ...], bytes, int]:
    """One file's run as `_runs` keeps it: its file, its codes, its table in marshal's bytes, their CRC32."""
    # marshal's version 2: a table's strings are distinct, so no back-references to track, and
    # the hashtable later versions make for them per call was most of the cost of a small
    # table (100 agents' ~1200 diagnostics in 100 tables: dumps ~1.6 -> ~0.9 ms, loads ~1.9 -> ~0.6).
    table = marshal.dumps(codec.diagnostics_table(run), 2)
    return file, tuple(sorted(set(map(_CODE_OF, run)))), table, _crc32(table)


def _tabled(runs: list) -> list[bytes | memoryview]:
    """The file of the table of diagnostics (`_framed`) of `_runs`' runs: their files, codes,
    lengths and CRC32s, then their tables one after another."""
    meta = list(runs)
    meta[2::4] = map(len, runs[2::4])
    return _framed(meta, runs[2::4])


def _untabled(data: bytes | mmap.mmap) -> tuple[list, str]:
    """`_tabled`'s runs again, each table a view of `data` (unchecked: `Recorded._run` checks
    it), and the CRC32 of their meta, which names the file with its hash; ValueError when `data`
    is not such a file, or its meta damaged."""
    runs, body, crc = _unframed(data)
    if type(runs) is not list or len(runs) % 4 or not {*map(type, runs[1::4])} <= {tuple} or not {
            *map(type, runs[2::4]), *map(type, runs[3::4])} <= {int} or sum(runs[2::4]) != len(body):
        raise ValueError("not a table of diagnostics")
    at = 0
    for i in range(2, len(runs), 4):
        runs[i], at = body[at:at + runs[i]], at + runs[i]
    return runs, crc


_FILE_OF, _CODE_OF = attrgetter("file"), attrgetter("code")


class Recorded:
    """A build record's diagnostics: the tag of their file beside the record (`Cache.save_record`),
    its bytes, read (and CRC-checked) when first needed, and the Diagnostic objects, made only when
    asked: all of them (`diagnostics`), or those of a few files (`by_file`). Beside them the record
    keeps the report last printed of them (`report`), so that a build that ends with the diagnostics
    it started from (a no-op; a rebuild whose edit changed none, incremental.rebuild) prints it again
    without making or formatting any: at 1000 agents ~12 000 AGC301 warnings, whose table, objects
    and text were ~50M instructions of such a build. A rebuild whose edit changed a few files'
    diagnostics ends with those of the record with these files' runs replaced (`replaced`): its
    table is the record's runs as they are but these, and its report the kept one with these files'
    parts made again (commands.report)."""

    def __init__(self, record: Path, tag: str | None, *, read: Callable[[], bytes | mmap.mmap | None] | None = None,
                 made: tuple | None = None, keep: bool = True) -> None:
        """`read`: their file's bytes (`_tabled`'s; None: missing); `made`: the objects;
        `tag` None: not stored yet (`replaced`'s, until Cache.save_record names it)."""
        self.record, self.tag, self.keep = record, tag, keep  # keep: False under --check and --dry-run
        self._read, self.made = read, made
        self._split: list | None = None  # `_runs`' list, from `_read` (each table a view of its file)
        self._report: tuple[Any, Any, list | None, dict | None] | None = None  # `kept`'s, read or kept last
        # `replaced`'s: the Recorded it came from, per run the index of that one's run it is (None: a
        # new one), the new runs' diagnostics by index, and those of the runs it replaced.
        self.base: Recorded | None = None
        self.sources: list[int | None] = []
        self.fresh: dict[int, list[Diagnostic]] = {}
        self.dropped: list[Diagnostic] = []

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """The diagnostics; ValueError when their table is not one (a damaged record)."""
        if self.made is None:
            runs = self._runs()
            self.made = tuple(d for at in range(0, len(runs), 4) for d in self._run(runs, at))
            self._read = None
        return self.made

    def sizes(self) -> list[int]:
        """How many diagnostics each run (`_runs`: one a file, in order) holds."""
        return [sum(1 for _ in run) for _, run in groupby(self.diagnostics(), _FILE_OF)]

    def of(self, files: Collection[str], codes: frozenset[str]) -> list[Diagnostic]:
        """Those of the runs (`_runs`) of these files or holding one of these codes, in order: all
        of theirs, and more; ValueError as `diagnostics`."""
        if self.made is not None:
            return [d for d in self.made if d.file in files or d.code in codes]
        runs, out = self._runs(), []
        for at in range(0, len(runs), 4):
            if runs[at] in files or not codes.isdisjoint(runs[at + 1]):
                out += self._run(runs, at)
        return out

    def by_file(self, files: Collection[str], codes: frozenset[str]) -> dict[str, list[Diagnostic]] | None:
        """The diagnostics of the runs of these files or holding one of these codes, per file,
        without making the others; None when the runs are not one a file in file order (the
        diagnostics were not a build's, or are held only as objects). ValueError as `diagnostics`."""
        if self._split is None and self._read is None:
            return None
        runs = self._runs()
        names = runs[0::4]
        try:  # sorted, hence each file once: `_runs` grouped the diagnostics by file
            if sorted(names) != names:
                return None
        except TypeError:  # not all str
            return None
        return {runs[at]: self._run(runs, at) for at in range(0, len(runs), 4)
                if runs[at] in files or not codes.isdisjoint(runs[at + 1])}

    def replaced(self, new: dict[str, list[Diagnostic]], old: dict[str, list[Diagnostic]]) -> Recorded:
        """These diagnostics with the runs of the files in `new` replaced by theirs (sorted, as a
        build's; an empty one drops the file's run): `old` holds those runs now (`by_file`, every
        file of it in `new`). Itself when every file's are as they were. The other runs stay the
        bytes they are: at 1000 agents a rebuild made, sorted, tabled and dumped ~12 000 AGC301s
        again for the dozen an edited file's lines moved."""
        if all(new[f] == old.get(f, []) for f in new):
            return self
        from bisect import bisect_left

        from agentc import codec

        runs = self._runs()
        names = runs[0::4]
        at = dict(zip(names, range(len(names)), strict=True))
        # Each new run's place: where its file's run is (replaced), or where it goes (a new file).
        cuts = sorted((at[f], 1, f) if f in at else (bisect_left(names, f), 0, f) for f in new)
        out: Recorded = Recorded(self.record, None, keep=self.keep)
        split, sources, done = [], out.sources, 0
        for place, replacing, f in cuts:
            split += runs[4 * done:4 * place]
            sources += range(done, place)
            if new[f]:
                out.fresh[len(sources)] = new[f]
                split += _run_of(f, new[f], codec)
                sources.append(None)
            if replacing:
                out.dropped += old[f]
            done = place + replacing
        split += runs[4 * done:]
        sources += range(done, len(names))
        out._split, out.base = split, self
        return out

    def _runs(self) -> list:
        if self._split is None:
            data = self._read() if self._read is not None else None
            if data is None:
                raise ValueError("no table of diagnostics")
            runs, crc = _untabled(data)
            if self.tag is None or self.tag.rpartition("-")[2] != crc:
                raise ValueError("another table of diagnostics than the record's")
            self._split = runs
        return self._split

    def stored(self) -> tuple[list[bytes | memoryview], bytes]:
        """The chunks of a `replaced` one's file (`_tabled`: the other runs' tables as the views of
        the last file they are), and what names them: the tag of the one it came from and its new
        runs, which with that one's file make these (hashing ~2.3 MB at 1000 agents was ~5M
        instructions of an edit's rebuild, where this is ~1000 small ints)."""
        runs = self._split
        assert runs is not None and self.base is not None and self.base.tag is not None
        named = [s if s is not None else runs[4 * i:4 * i + 4] for i, s in enumerate(self.sources)]
        return _tabled(runs), marshal.dumps((self.base.tag, named))

    @staticmethod
    def _run(runs: list, at: int) -> list[Diagnostic]:
        """The diagnostics of the run at `at` of `_runs`' list; ValueError when its table is damaged."""
        from agentc import codec  # pydantic-core's module: see _runs

        data = runs[at + 2]
        if _crc32(data) != runs[at + 3]:
            raise ValueError("a damaged table of diagnostics")
        try:
            table = marshal.loads(data)
        except (EOFError, TypeError) as exc:  # ValueError: "bad marshal data"
            raise ValueError("a damaged table of diagnostics") from exc
        return codec.load_diagnostics(table)

    def _report_path(self) -> Path:
        return self.record.with_name(f"{self.record.stem}.{self.tag}.report")

    def report(self, key: str) -> bytes | memoryview | None:
        """The report kept for these diagnostics under `key` (what the report depends on beyond them:
        commands.report_key), or None. agentc's code is part of the key: another agentc may format
        the same diagnostics otherwise."""
        kept = self.kept(key)
        return kept[0] if kept is not None else None

    def kept(self, key: str) -> tuple[bytes | memoryview, list | None, dict | None] | None:
        """`report`'s, with what `keep_report` kept beside it: the length of each run's part of it
        and the count of each (code, severity), when the report is made of such parts. The file
        is `_framed`'s: this in its meta with the length and CRC32 of each chunk of the report,
        which follows, mapped (a no-op of 1000 agents writes its ~1.5 MB from the page cache)."""
        key = (code_fingerprint(), key)
        if self._report is None and self.tag is not None:
            data = _mapped(self._report_path())
            try:
                if data is None:
                    raise ValueError("no report")
                meta, body, _ = _unframed(data)
                chunks = meta["chunks"] if type(meta) is dict else None
                if type(chunks) is not list or sum(n for n, _ in chunks) != len(body):
                    raise ValueError("not a report")
                at = 0
                for n, crc in chunks:
                    if _crc32(body[at:at + n]) != crc:
                        raise ValueError("a damaged report")
                    at += n
                self._report = (meta.get("key"), body, meta.get("parts"), meta.get("tally"))
            except (ValueError, TypeError):
                pass
        if self._report is not None and self._report[0] == key:
            if type(self._report[1]) is list:  # chunks kept here (`keep_report`): one report, once asked
                self._report = (key, b"".join(self._report[1]), *self._report[2:])
            return self._report[1:]
        return None

    def spliced_from(self, key: str) -> tuple[bytes | memoryview, list[int], dict] | None:
        """For a `replaced` one, what is kept (`kept`) of the report of the one it came from under
        `key`, when made of a part per run of it; else None. Read when asked: ask before this one
        is stored, which removes that report (Cache.save_record)."""
        base = self.base
        kept = base.kept(key) if base is not None else None
        if kept is None or base is None:
            return None
        report, parts, tally = kept
        if type(parts) is not list or not {*map(type, parts)} <= {int} or sum(parts) > len(report) or type(tally) is not dict:
            return None
        return (report, parts, tally) if len(parts) == len(base._runs()) // 4 else None

    def keep_report(self, key: str, report: list[bytes | memoryview], parts: list[int] | None = None,
                    tally: dict | None = None) -> None:
        """Keep `report`, the chunks of a report written one after another, as the report of these
        diagnostics under `key` (one at a time), with `parts`, the length of each run's part of it,
        and `tally`, the count of each (code, severity) (see `kept`), unless under --check or
        --dry-run, which write nothing, or not stored (no tag: held here only)."""
        key = (code_fingerprint(), key)
        self._report = (key, report, parts, tally)
        if not self.keep or self.tag is None:
            return
        meta = {"key": key, "parts": parts, "tally": tally, "chunks": [[len(c), _crc32(c)] for c in report]}
        _store_chunks(self._report_path(), _framed(meta, report))


def build_key(options_json: str, targets: list[str], roots: list[str]) -> str:
    return sha(json.dumps([code_fingerprint(), options_json, targets, roots, environment(targets)]).encode())
