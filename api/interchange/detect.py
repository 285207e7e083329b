"""Which format a portfolio file holds (by its content, not its name), and reading any of them.

JSON goes to :func:`model.load.parse_portfolio` as before; an ``.xlsx`` workbook (a zip
file) to :mod:`api.interchange.xlsx_read`; MS Project XML to :mod:`api.interchange.mspdi_read`.
The readers of the other formats load only when such a file comes.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from model.limits import DEFAULT_LIMITS, InputLimits
from model.load import parse_portfolio, read_bytes
from model.portfolio import Portfolio

XLSX_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 4096


class FileFormat(StrEnum):
    """The formats a portfolio can be read from."""

    json = "json"
    xlsx = "xlsx"
    mspdi = "mspdi"


def sniff(head: bytes) -> FileFormat:
    """The format of a file from its first bytes: a zip is a workbook, XML is MSPDI, else JSON."""
    if head.startswith(XLSX_MAGIC):
        return FileFormat.xlsx
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return FileFormat.mspdi
    return FileFormat.json


def file_format(path: Path) -> FileFormat:
    """The format of the file at ``path`` (JSON when it cannot be read: the loader says why)."""
    try:
        with path.open("rb") as handle:
            return sniff(handle.read(SNIFF_BYTES))
    except OSError:
        return FileFormat.json


def read_portfolio_bytes(
    data: bytes,
    *,
    on_note: Callable[[str], None] | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> Portfolio:
    """A portfolio from the bytes of a JSON, ``.xlsx`` or MSPDI file (recognised by content).

    ``on_note`` hears what an MSPDI file holds that the portfolio cannot carry.

    Raises
    ------
    InvalidInput
        Every problem at once, named by JSON path, cell or MSPDI element.
    """
    kind = sniff(data[:SNIFF_BYTES])
    if kind == FileFormat.xlsx:
        from api.interchange.xlsx_read import read_portfolio_xlsx

        return read_portfolio_xlsx(data, limits)
    if kind == FileFormat.mspdi:
        from api.interchange.mspdi_read import read_portfolio_mspdi

        result = read_portfolio_mspdi(data, limits=limits)
        for note in result.notes:
            if on_note is not None:
                on_note(note)
        return result.portfolio
    return parse_portfolio(data, limits)


def read_portfolio_file(
    path: Path,
    *,
    on_note: Callable[[str], None] | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> Portfolio:
    """A portfolio from a JSON, ``.xlsx`` or MSPDI file (see :func:`read_portfolio_bytes`)."""
    other = read_other_format(path, on_note=on_note, limits=limits)
    # JSON is parsed from the path, which keeps the file's name in its read errors
    return other if other is not None else parse_portfolio(path, limits)


def read_other_format(
    path: Path, *, on_note: Callable[[str], None] | None = None, limits: InputLimits = DEFAULT_LIMITS
) -> Portfolio | None:
    """The portfolio of an ``.xlsx`` or MSPDI file, ``None`` for anything else (JSON, or a file
    that cannot be read: the JSON loader says why); a :data:`model.scenario.PortfolioReader`.

    Raises
    ------
    InvalidInput
        The workbook or MSPDI file is invalid (see :func:`read_portfolio_bytes`).
    """
    if file_format(path) == FileFormat.json:
        return None
    return read_portfolio_bytes(read_bytes(path, limits), on_note=on_note, limits=limits)
