"""Look-alike ids: two distinct ids of one kind that are equal under NFKC normalisation.

NFKC folds compatibility characters (full-width letters, ligatures such as ``ﬁ``,
superscripts) into their plain forms: ``ａｌｉｃｅ`` and ``alice`` would be two people who
look like one. Such pairs are rejected, naming both; letters of different scripts that
merely look alike (Cyrillic ``а`` and Latin ``a``) are not detected.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from model.portfolio import Portfolio
from model.rules import Issue


def look_alikes(ids: Sequence[str], paths: Sequence[str]) -> Iterator[Issue]:
    """An issue for each id equal to an earlier, different one under NFKC normalisation."""
    first: dict[str, tuple[str, str]] = {}
    for value, path in zip(ids, paths, strict=True):
        seen = first.setdefault(unicodedata.normalize("NFKC", value), (value, path))
        if seen[0] != value:
            yield Issue(
                path,
                f"id '{value}' looks like '{seen[0]}' ({seen[1]}): they differ only in "
                "compatibility characters (NFKC); use one spelling",
            )


def id_groups(portfolio: Portfolio) -> Iterable[tuple[list[str], list[str]]]:
    """Each namespace of ids in a portfolio, as (ids, their JSON paths)."""
    for field in ("skills", "people", "pools", "projects"):
        items = getattr(portfolio, field)
        yield [x.id for x in items], [f"{field}[{k}].id" for k in range(len(items))]
    for p, project in enumerate(portfolio.projects):
        tasks = project.tasks
        yield [t.id for t in tasks], [f"projects[{p}].tasks[{t}].id" for t in range(len(tasks))]
        keys = list(project.budgets)
        yield keys, [f"projects[{p}].budgets.{key}" for key in keys]


def look_alike_issues(portfolio: Portfolio) -> list[Issue]:
    """Look-alike ids anywhere in a portfolio, one issue per later id of a pair."""
    return [issue for ids, paths in id_groups(portfolio) for issue in look_alikes(ids, paths)]
