"""The browser UI's static files (``static/``): the plan charts, the page and its client."""

from __future__ import annotations

from importlib import resources


def static_text(name: str) -> str:
    """The text of ``static/<name>`` as shipped with the package."""
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")
