"""User text on the terminal: never markup, bounded in length.

Names, ids, paths and option values come from the input or the command line. Printed as
rich :class:`~rich.text.Text` they are never parsed as markup (``[/x]``) or emoji codes
(``:smile:``), and rich strips terminal control codes from them; long ones are cut.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from model.limits import clip

SHOWN_CHARACTERS = 300  # of one user string in a terminal line


def plain(text: object, limit: int = SHOWN_CHARACTERS, style: str = "") -> Text:
    """``text`` as literal rich text, cut to ``limit`` characters."""
    return Text(clip(str(text), limit), style=style)


def line(*parts: str | tuple[str, str]) -> Text:
    """A line of literal parts; a ``(text, style)`` pair is styled (e.g. ``("valid", "green")``)."""
    out = Text()
    for part in parts:
        if isinstance(part, tuple):
            out.append(clip(part[0], SHOWN_CHARACTERS), style=part[1])
        else:
            out.append(clip(part, SHOWN_CHARACTERS * 4))
    return out


def md_cell(text: object) -> str:
    """``text`` safe in a markdown table cell (pipes escaped, one line)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def console(*, stderr: bool = False) -> Console:
    """A console that never interprets strings as markup or emoji codes."""
    return Console(stderr=stderr, soft_wrap=stderr, markup=False, emoji=False, highlight=False)
