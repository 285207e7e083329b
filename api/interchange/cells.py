"""Spreadsheet cells: addresses, cell values to contract values, and contract paths to cells.

A workbook is read into the contract's JSON data while :class:`CellMap` remembers the cell
(or row) each JSON path came from, so the loader's path-precise issues
(``projects[2].tasks[5].requirements[0].skill``) can be told as cells (``Requirements!D12``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from api.interchange.workbook_layout import Kind
from model.rules import Issue

_PATH_TAIL = re.compile(r"(\.?\[[^\]]*\]|\.[^.\[]+|^[^.\[]+)$")
_INTEGRAL = re.compile(r"[+-]?\d{1,18}\Z")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")


def cell_name(sheet: str, row: int, column: int | None = None) -> str:
    """``Tasks!D12`` for a cell, ``Tasks row 12`` for a whole row."""
    if column is None:
        return f"{sheet} row {row}"
    return f"{sheet}!{get_column_letter(column)}{row}"


@dataclass
class CellMap:
    """Where each JSON path of the data read from a workbook came from."""

    places: dict[str, str] = field(default_factory=dict)

    def put(self, path: str, place: str) -> None:
        """Remember that ``path`` came from ``place`` (a cell or a row)."""
        self.places.setdefault(path, place)

    def place(self, path: str) -> str | None:
        """The cell of ``path`` or of its nearest recorded parent (``None``: none recorded)."""
        while path:
            found = self.places.get(path)
            if found is not None:
                return found
            tail = _PATH_TAIL.search(path)
            if tail is None:
                return None
            path = path[: tail.start()]
        return None

    def issues(self, issues: Iterable[Issue]) -> list[Issue]:
        """The loader's issues with their JSON paths replaced by cells (kept where none is known)."""
        return [Issue(self.place(i.path) or i.path, i.message) for i in issues]


def is_blank(value: Any) -> bool:
    """Whether a cell counts as empty (nothing, or only white space)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def as_text(value: Any) -> str:
    """A cell as text: numbers as their digits (``101``, not ``101.0``), dates as ISO dates."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def as_int(value: Any) -> Any:
    """A whole number from a number or numeric text; anything else unchanged (the loader names it)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGRAL.match(value.strip()):
        return int(value.strip())
    return value


def as_number(value: Any) -> Any:
    """A number from a number or numeric text; anything else unchanged (the loader names it)."""
    if isinstance(value, str) and _DECIMAL.match(value.strip()):
        text = value.strip()
        return int(text) if _INTEGRAL.match(text) else float(text)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def as_date(value: Any) -> Any:
    """An ISO date from a date cell or date text; anything else unchanged (the loader names it)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}(T00:00(:00)?)?\Z", text) else text
    return value


def split_list(value: Any) -> list[str]:
    """The items of a comma- (or semicolon-) separated cell, blanks dropped."""
    return [part.strip() for part in re.split(r"[,;]", as_text(value)) if part.strip()]


def read_amounts(value: Any) -> tuple[dict[str, Any], str | None]:
    """``{id: amount}`` from ``a=3, b=5``, and what is wrong with the cell, if anything."""
    out: dict[str, Any] = {}
    for part in split_list(value):
        key, sep, amount = part.partition("=")
        if not sep or not key.strip():
            return out, f"'{part[:40]}' is not budget=amount"
        out[key.strip()] = as_int(amount.strip())
    return out, None


def convert(kind: Kind, value: Any) -> Any:
    """A non-blank cell as the contract value of a column of ``kind``."""
    if kind in (Kind.ID, Kind.CHOICE):
        return as_text(value).strip()
    if kind == Kind.TEXT:
        return as_text(value)
    if kind == Kind.INT:
        return as_int(value)
    if kind == Kind.NUMBER:
        return as_number(value)
    if kind == Kind.DATE:
        return as_date(value)
    if kind in (Kind.IDS, Kind.WORKDAYS):
        return split_list(value)
    raise ValueError(f"no plain conversion for {kind}")


def amounts_text(amounts: dict[str, int]) -> str | None:
    """``a=3, b=5`` (``None`` when there are none)."""
    return ", ".join(f"{k}={v}" for k, v in amounts.items()) or None
