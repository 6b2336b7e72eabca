"""The one Jinja environment for text-shaped output (JSON and YAML are dumped as data instead).

Compiled templates are kept in Jinja's own bytecode cache (`jinja2.FileSystemBytecodeCache`: a
folder of the user's in the temp directory, which Jinja makes mode 0700 and checks is theirs),
as Python keeps a module's bytecode: compiling the 7 templates of an every-target build took
~16 ms of every such build, loading them ~1 ms. The cache can only cost speed: a template whose
source changed is compiled again (Jinja compares a checksum of the source), a folder that
cannot be made, read or written means compiling every time, and the same templates with the
same options come out of both paths (tests/test_render.py)."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

import jinja2

from agentc.targets._shared.pyformat import py_literal

# Everything that changes what a template compiles to besides its source, which Jinja checks
# itself: Jinja's version (its bytecode format tag is not bumped for every change of its
# compiler) and the syntax options below. They name the cache files, so a change reads none.
OPTIONS = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, except that a file it cannot read or write is a miss, not an error
    (Jinja lets out an OSError of writing, a full disk or a folder made read-only, and the
    UnpicklingError of reading a file cut short)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # whatever a damaged file raises: compile the template again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@lru_cache(maxsize=None)
def bytecode_cache(directory: str | None = None) -> jinja2.BytecodeCache | None:
    """The bytecode cache in `directory` (default: Jinja's per-user temp folder); None when
    Jinja finds no safe folder to use (then every template is compiled, as without a cache)."""
    tag = hashlib.sha256(repr((jinja2.__version__, sorted(OPTIONS.items()))).encode()).hexdigest()[:12]
    try:
        return _BytecodeCache(directory, pattern=f"agentc-{tag}-%s.cache")
    except (OSError, RuntimeError):  # RuntimeError: Jinja's "Cannot determine safe temp directory"
        return None


@lru_cache(maxsize=None)
def environment(package: str) -> jinja2.Environment:
    """Templates of `agentc.targets.<package>`: strict, no autoescape (prompts hold <tags>)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("agentc.targets", f"{package}/templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        bytecode_cache=bytecode_cache(),
        **OPTIONS,
    )
    env.filters["py"] = py_literal
    # A double-quoted Python string (JSON's escapes are Python's), the quotes black would choose.
    env.filters["pystr"] = lambda text: json.dumps(str(text), ensure_ascii=False)
    return env


def table_cell(text: str) -> str:
    """Text safe inside one markdown table cell: on one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def render(package: str, template: str, **context: object) -> str:
    return environment(package).get_template(template).render(**context)
