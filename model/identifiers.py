"""What an id may hold: NFC-normalised text without invisible or control characters.

Two ids that render the same must be the same id. An id is normalised to NFC (canonically
equivalent spellings of one text, such as a precomposed ``é`` and ``e`` + combining accent,
become one id); an id with a control, format (zero-width, bidirectional), line-separator or
surrogate character, or with leading or trailing white space, is rejected. Look-alike ids
that differ in compatibility characters are found by :mod:`model.lookalikes`.
"""

from __future__ import annotations

import re
import unicodedata

_ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")
# Cc control, Cf format (zero-width, bidi), Cs surrogate, Zl/Zp line and paragraph separators
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def describe_char(char: str) -> str:
    """A character as ``U+200B (zero width space)``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name.lower()})" if name else "")


def normal_id(value: str) -> str:
    """The NFC form of an id; a ValueError names the first character an id may not hold.

    Used as a pydantic after-validator on every id field and id key.
    """
    if value.isascii() and not _ASCII_CONTROL.search(value) and value == value.strip():
        return value  # the common case: printable ASCII is its own NFC form
    bad = next((c for c in value if unicodedata.category(c) in INVISIBLE_CATEGORIES), None)
    if bad is not None:
        raise ValueError(f"an id may not contain the invisible or control character {describe_char(bad)}")
    if value != value.strip():
        raise ValueError("an id may not begin or end with white space")
    return unicodedata.normalize("NFC", value)
