"""Characters that corrupt, hide or reorder text, defined once for file readers and the web.

* control characters (C0 except tab, line feed and carriage return; DEL; C1) and lone surrogates:
  no text a person writes holds them, PostgreSQL cannot store NUL, and terminals act on them;
* bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder what follows,
  so a name with U+202E in it is shown as another name than the one stored;
* zero-width characters (U+200B-U+200D, U+2060, U+FEFF): they make two different names look
  the same.

Free text (a narrative, a comment) may hold line breaks and tabs; a name or any other single line
holds none of the above.
"""

from __future__ import annotations

import re
import unicodedata

# Character classes as regular-expression text (\u escapes), read alike by Python, JSON Schema
# and the Rust engine pydantic uses.
_CONTROLS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
_SURROGATES = r"\ud800-\udfff"
_LINE_BREAKS = r"\t\n\r"
_BIDI_CONTROLS = r"\u202a-\u202e\u2066-\u2069"
_ZERO_WIDTH = r"\u200b-\u200d\u2060\ufeff"

# Whole-value patterns for schemas (lone surrogates cannot be written in JSON Schema; the checks
# below refuse them too).
FREE_TEXT_PATTERN = f"^[^{_CONTROLS}]*$"
ONE_LINE_PATTERN = f"^[^{_CONTROLS}{_LINE_BREAKS}{_BIDI_CONTROLS}{_ZERO_WIDTH}]*$"

_IN_FREE_TEXT = re.compile(f"[{_CONTROLS}{_SURROGATES}]")
_IN_ANY_TEXT = re.compile(f"[{_CONTROLS}{_SURROGATES}{_LINE_BREAKS}]")
_IN_ONE_LINE = re.compile(f"[{_CONTROLS}{_SURROGATES}{_LINE_BREAKS}{_BIDI_CONTROLS}{_ZERO_WIDTH}]")


def first_control_character(text: str, *, line_breaks_allowed: bool = True) -> str | None:
    """The first control character (or lone surrogate) in `text`, or None.

    Tab, line feed and carriage return count only when `line_breaks_allowed` is false.
    """
    found = (_IN_FREE_TEXT if line_breaks_allowed else _IN_ANY_TEXT).search(text)
    return found.group() if found else None


def first_hidden_character(text: str) -> str | None:
    """The first character a single line of text (a name, a title, a code) must not hold:
    any control character, line break, bidirectional control or zero-width character."""
    found = _IN_ONE_LINE.search(text)
    return found.group() if found else None


def character_name(character: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: the code point, with its Unicode name when it has one."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    return f"{code} {name}" if name else code
