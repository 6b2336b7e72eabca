"""The union of every target's rules for an agent name, checked once in the front end.

Targets then never meet a name they cannot write: a character no file system or target takes
is an error here, and a word that generated Python reserves is renamed by the targets the same
way everywhere (the shared `snake()` naming helper of the targets), announced here as an info.
"""

from __future__ import annotations

import keyword
import unicodedata

# The claude target writes `<name>.md` (and the Python targets `<name>.md` prompt files); file
# systems refuse a path component past 255 bytes.
MAX_NAME_BYTES = 200

# Words the generated Python of the framework targets uses itself: `self`/`cls` of every method,
# crewAI's decorators, and the members of the generated crew class (each agent is a method of
# it). An agent whose identifier would be one of them is called `<word>_agent` in generated code.
FRAMEWORK_WORDS = frozenset({
    "self", "cls", "agent", "task", "crew", "tool", "llm", "before_kickoff", "after_kickoff",
    "agents", "tasks", "agents_config", "tasks_config", "model_for", "request_task", "keep_literal_braces",
})


def unwritable(name: str) -> str | None:
    """Why no target can write this name, or None. A printable ASCII name without a separator
    (most) holds no character the loop refuses, and the loop asks unicodedata of each one."""
    plain = name.isascii() and name.isprintable() and "/" not in name and "\\" not in name
    for ch in "" if plain else name:
        if ch in "/\\":
            return f"contains the path separator {ch!r}: the claude target would write it into a subfolder"
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return f"contains a lone surrogate (U+{ord(ch):04X}), which cannot be encoded as UTF-8 for any target"
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return f"contains the control character U+{ord(ch):04X}, which file names and generated code cannot hold"
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"is {size} bytes long; the claude target writes '<name>.md' and file systems refuse names past 255 bytes"
    return None


def reserved(identifier: str) -> bool:
    """A Python identifier generated code cannot use for an agent as is."""
    return keyword.iskeyword(identifier) or identifier in FRAMEWORK_WORDS
