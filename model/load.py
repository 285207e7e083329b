"""Parsing and validating contract documents with path-precise errors, within input limits."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from model.limits import (
    DEFAULT_LIMITS,
    InputLimits,
    clip,
    count_issues,
    horizon_issues,
    magnitude_issues,
    shape_issues,
)
from model.lookalikes import look_alike_issues
from model.portfolio import Portfolio
from model.rules import Issue, reference_issues

ModelT = TypeVar("ModelT", bound=BaseModel)

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Omitted(Issue):
    """Stands, at the end of a capped list of issues, for ``count`` problems left out."""

    count: int = 0


def omitted(count: int) -> Omitted:
    """The issue that says ``count`` more problems were found."""
    return Omitted("", f"… and {count:,} more problem(s)", count)


def problem_count(issues: Sequence[Issue]) -> int:
    """Problems found, those left out of a capped list included."""
    return sum(i.count if isinstance(i, Omitted) else 1 for i in issues)


class InvalidInput(Exception):
    """The input broke the schema, a cross-reference rule or an input limit.

    Attributes
    ----------
    issues
        Every problem found, each with its JSON path.
    """

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def format_loc(loc: Sequence[int | str]) -> str:
    """Turn a pydantic location tuple into a JSON path like ``projects[2].tasks[5].id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_message(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def issues_from_validation_error(
    exc: ValidationError, prefix: str = "", limit: int | None = None
) -> list[Issue]:
    """Path-precise issues from a pydantic :class:`ValidationError` (the first ``limit`` of
    them, and a last one counting the rest)."""
    issues = []
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    for err in errors[:limit]:
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        path = format_loc(loc)
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        message = _clean_message(err["msg"])
        if err["type"] == "extra_forbidden":
            message = f"unknown field '{clip(str(loc[-1]))}'"
        issues.append(Issue(path, message))
    if limit is not None and len(errors) > limit:
        issues.append(omitted(len(errors) - limit))
    return issues


def capped(issues: list[Issue], limits: InputLimits = DEFAULT_LIMITS) -> list[Issue]:
    """The first ``limits.max_issues`` issues, and a last one counting the rest."""
    if len(issues) <= limits.max_issues:
        return issues
    listed = issues[: limits.max_issues]
    return [*listed, omitted(problem_count(issues) - problem_count(listed))]


def read_bytes(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a file, refusing one larger than ``limits.max_file_bytes``.

    Devices and pipes are read up to the limit too, so ``/dev/zero`` ends with an error.

    Raises
    ------
    InvalidInput
        The file cannot be read or is too large (the issue's path is the file's).
    """
    where = str(path)
    too_large = f"larger than the input limit of {limits.max_file_bytes:,} bytes"
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limits.max_file_bytes:
                raise InvalidInput([Issue(where, f"{info.st_size:,} bytes: {too_large}")])
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise InvalidInput([Issue(where, f"cannot read file: {exc.strerror or exc}")]) from None
    if len(data) > limits.max_file_bytes:
        raise InvalidInput([Issue(where, f"the file is {too_large}")])
    return data


def decode_text(data: bytes, where: str = "") -> str:
    """UTF-8 text (a byte-order mark is allowed), or an issue naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput(
            [
                Issue(
                    where,
                    f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} column {column} "
                    "(save the file as UTF-8)",
                )
            ]
        ) from None


class _Oversized:
    """An integer literal with more digits than the limit (kept as its digit count only)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


class _NotANumber:
    """``NaN``, ``Infinity`` or ``-Infinity``: accepted by Python's parser, not JSON."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Duplicated(dict):  # type: ignore[type-arg]
    """An object that named a key twice (JSON parsers silently keep the last one)."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    marked = _Duplicated(obj)
    marked.duplicates = list(dict.fromkeys(twice))
    return marked


def _loads(text: str, limits: InputLimits, where: str) -> Any:
    digits = limits.max_integer_digits

    def parse_int(literal: str) -> int | _Oversized:
        length = len(literal) - literal.startswith("-")
        return int(literal) if length <= digits else _Oversized(length)

    try:
        return json.loads(text, parse_int=parse_int, parse_constant=_NotANumber, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [Issue(where, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from None
    except RecursionError:
        raise InvalidInput(
            [Issue(where, f"nested deeper than the input limit of {limits.max_depth} levels")]
        ) from None


def _path(parts: tuple[str | int, ...]) -> str:
    return format_loc([clip(p) if isinstance(p, str) else p for p in parts])


def _scalar_problem(value: Any, limits: InputLimits) -> str | None:
    """What is wrong with a string or a parser marker, if anything."""
    if isinstance(value, str):
        if len(value) > limits.max_string_length:
            return f"a text of {len(value):,} characters; the input limit is {limits.max_string_length:,}"
        if not value.isascii() and _SURROGATE.search(value):
            return "a lone surrogate escape (\\ud800…\\udfff) is not a character"
        return None
    if isinstance(value, _Oversized):
        return f"an integer of {value.digits:,} digits; the input limit is {limits.max_integer_digits}"
    if isinstance(value, _NotANumber):
        return f"{value.text} is not a JSON number (numbers must be finite)"
    return None


def _container_problem(value: dict[str, Any] | list[Any], depth: int, limits: InputLimits) -> str | None:
    if depth >= limits.max_depth:
        return f"nested deeper than the input limit of {limits.max_depth} levels"
    if len(value) > limits.max_array_length:
        return f"{len(value):,} items; the input limit is {limits.max_array_length:,}"
    if isinstance(value, _Duplicated):
        names = ", ".join(f"'{clip(k)}'" for k in value.duplicates[:5])
        return f"the key(s) {names} appear more than once in this object"
    return None


def _key_problem(key: str, limits: InputLimits) -> str | None:
    if len(key) > limits.max_key_length:
        return f"a key of {len(key):,} characters ('{clip(key, 40)}'); the input limit is {limits.max_key_length}"
    if not key.isascii() and _SURROGATE.search(key):
        return "a key holds a lone surrogate escape (\\ud800…\\udfff)"
    return None


_CONTAINERS = (dict, list, _Duplicated)
_MARKERS = (str, _Oversized, _NotANumber)


def structure_issues(data: Any, limits: InputLimits = DEFAULT_LIMITS) -> list[Issue]:
    """Where parsed JSON leaves the document limits: depth, array, string and key lengths,
    integer digits, non-numbers, lone surrogates and repeated keys (at most
    ``limits.max_issues``, walked without recursion)."""
    if type(data) not in _CONTAINERS:
        problem = _scalar_problem(data, limits)
        return [Issue("", problem)] if problem else []
    issues: list[Issue] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack and len(issues) < limits.max_issues:
        value, parts = stack.pop()
        problem = _container_problem(value, len(parts), limits)
        if problem is not None:
            issues.append(Issue(_path(parts), problem))
            if not isinstance(value, _Duplicated):
                continue
        if isinstance(value, dict):
            items: Any = value.items()
        else:
            items = enumerate(value)
        for key, item in items:
            if isinstance(key, str):
                problem = _key_problem(key, limits)
                if problem is not None:
                    issues.append(Issue(_path(parts), problem))
                    continue
            kind = type(item)
            if kind in _CONTAINERS:
                stack.append((item, (*parts, key)))
            elif kind in _MARKERS:
                problem = _scalar_problem(item, limits)
                if problem is not None:
                    issues.append(Issue(_path((*parts, key)), problem))
    return capped(issues, limits)


def read_json(source: str | bytes | Path, limits: InputLimits = DEFAULT_LIMITS) -> Any:
    """Read JSON text, bytes or a file within the document limits.

    Raises
    ------
    InvalidInput
        The file cannot be read, is too large, is not UTF-8 or not JSON, or leaves a
        document limit (each issue names the file or the JSON path).
    """
    # a file that cannot be read is named by its path; what is wrong inside it by its place
    if isinstance(source, Path):
        source = read_bytes(source, limits)
    if len(source) > limits.max_file_bytes:
        raise InvalidInput([Issue("", f"larger than the input limit of {limits.max_file_bytes:,} bytes")])
    if isinstance(source, bytes):
        source = decode_text(source)
    data = _loads(source, limits, "")
    issues = structure_issues(data, limits)
    if issues:
        raise InvalidInput(issues)
    return data


def parse_model(model: type[ModelT], data: Any, limits: InputLimits = DEFAULT_LIMITS) -> ModelT:
    """Validate ``data`` (or JSON text, bytes, a file) against a contract model, raising :class:`InvalidInput`."""
    if isinstance(data, (str, bytes, Path)):
        data = read_json(data, limits)
    return _validated(model, data, limits)


def _validated(model: type[ModelT], data: Any, limits: InputLimits) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(issues_from_validation_error(exc, limit=limits.max_issues)) from None


def parse_portfolio(data: Any, limits: InputLimits = DEFAULT_LIMITS) -> Portfolio:
    """Validate a portfolio: schema, input limits, look-alike ids, then every cross-reference rule.

    Parameters
    ----------
    data
        A dict, JSON text or bytes, or a :class:`~pathlib.Path` to a JSON file.
    limits
        Bounds on the document and its numbers (default :data:`model.limits.DEFAULT_LIMITS`).

    Raises
    ------
    InvalidInput
        With every issue found (at most ``limits.max_issues``), each naming its JSON path.
    """
    if isinstance(data, (str, bytes, Path)):
        data = read_json(data, limits)
    return validate_portfolio(data, limits)


def validate_portfolio(data: Any, limits: InputLimits = DEFAULT_LIMITS) -> Portfolio:
    """Validate parsed JSON as a portfolio (as :func:`parse_portfolio`; a string here is a JSON
    value, never JSON text or a path).

    Raises
    ------
    InvalidInput
        With every issue found, each naming its JSON path.
    """
    too_many = count_issues(data, limits)
    if too_many:
        raise InvalidInput(too_many)
    portfolio = _validated(Portfolio, data, limits)
    # the reference rules build the calendar (its size follows the horizon) and compute with
    # the numbers: both must be inside the limits first
    issues = horizon_issues(portfolio, limits) + magnitude_issues(portfolio, limits)
    if not issues:
        issues = shape_issues(portfolio, limits) + look_alike_issues(portfolio) + reference_issues(portfolio)
    if issues:
        raise InvalidInput(capped(issues, limits))
    return portfolio
