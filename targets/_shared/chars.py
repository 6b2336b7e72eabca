"""Character checks over whole prompts (32 KB each, 1000 of them in one build) at C speed."""

from __future__ import annotations

# Every byte value except the C0 controls other than tab and newline, and DEL. In UTF-8 such a
# control character is that one byte, and every byte of any other non-ASCII character is >= 0x80.
_NOT_CONTROL = bytes([0x09, 0x0A, *range(0x20, 0x7F), *range(0x80, 0x100)])


def has_control(text: str) -> bool:
    """Whether `text` holds a control character other than tab and newline (U+0000-U+001F, U+007F).

    Deleting every other byte from its UTF-8 leaves nothing otherwise: one pass in C, about 3x
    faster than searching the text with a regex character class. `surrogatepass`: a lone
    surrogate is no control character, and must not make the check raise."""
    return bool(text.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL))
