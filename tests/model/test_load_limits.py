"""Input limits of model.load: documents, numbers, ids; every problem named by its path."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from model.identifiers import normal_id
from model.limits import DEFAULT_LIMITS, InputLimits, clip
from model.load import (
    InvalidInput,
    Omitted,
    parse_model,
    parse_portfolio,
    problem_count,
    read_bytes,
    read_json,
    structure_issues,
)
from model.plan import Plan
from tests.conftest import small_dict


def issues(data: Any, limits: InputLimits = DEFAULT_LIMITS) -> list[str]:
    """The issues of parsing ``data`` as a portfolio, as ``path: message`` lines."""
    with pytest.raises(InvalidInput) as caught:
        parse_portfolio(data, limits)
    return [str(i) for i in caught.value.issues]


def text_with(old: str, new: str) -> str:
    text = json.dumps(small_dict())
    assert old in text
    return text.replace(old, new, 1)


# --------------------------------------------------------------------------- documents


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(2_000)
    with pytest.raises(InvalidInput) as caught:
        read_bytes(path, InputLimits(max_file_bytes=1_000))
    assert caught.value.issues[0].path == str(path)
    assert "2,000 bytes" in caught.value.issues[0].message


def test_a_device_is_read_up_to_the_limit_only() -> None:
    with pytest.raises(InvalidInput, match="larger than the input limit"):
        read_json(Path("/dev/zero"), InputLimits(max_file_bytes=10_000))


def test_invalid_utf8_names_line_and_column() -> None:
    with pytest.raises(InvalidInput, match=r"not UTF-8 text: byte 0xe9 at line 2 column 13"):
        read_json(b'{\n"name": "caf\xe9"}')


def test_a_byte_order_mark_is_allowed() -> None:
    assert read_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 5_000 + "]" * 5_000, "nested deeper"),
        ('{"a": ' * 50_000 + "1" + "}" * 50_000, "nested deeper"),
        ('{"a": ' + "[" * 40 + "]" * 40 + "}", "nested deeper"),
        ('{"a": ' + "7" * 5_000 + "}", "an integer of 5,000 digits"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": -Infinity}', "-Infinity is not a JSON number"),
        ('{"a": "\\ud800"}', "lone surrogate"),
        ('{"\\udfff": 1}', "lone surrogate"),
        ('{"a": 1, "a": 2}', "'a' appear more than once"),
    ],
)
def test_document_limits(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_json(text)
    assert any(fragment in i.message for i in caught.value.issues), caught.value.issues


def test_document_problems_are_named_by_their_path() -> None:
    data = {"projects": [{"tasks": [{"id": "x" * 300, "name": 10**30}]}]}
    found = structure_issues(
        json.loads(json.dumps(data), parse_int=lambda s: s),  # digits are counted by read_json
        InputLimits(max_string_length=100),
    )
    assert [i.path for i in found] == ["projects[0].tasks[0].id"]
    with pytest.raises(InvalidInput) as caught:
        read_json(json.dumps(data))
    assert [i.path for i in caught.value.issues] == ["projects[0].tasks[0].name"]


def test_a_long_key_is_quoted_cut_short() -> None:
    with pytest.raises(InvalidInput) as caught:
        read_json(json.dumps({"people": [{"skills": {"k" * 1_000_000: 1}}]}))
    [issue] = caught.value.issues
    assert issue.path == "people[0].skills"
    assert "1,000,000 characters" in issue.message and len(str(issue)) < 200


def test_issues_are_capped_and_counted() -> None:
    data = small_dict()
    data["people"][0]["skills"] = {f"nope{k}": 1 for k in range(500)}
    with pytest.raises(InvalidInput) as caught:
        parse_portfolio(data, InputLimits(max_issues=10))
    listed = caught.value.issues
    assert len(listed) == 11 and isinstance(listed[-1], Omitted)
    assert problem_count(listed) == 500


def test_pydantic_errors_are_capped_before_they_are_formatted() -> None:
    data = small_dict()
    data["projects"].append({"id": "many", "tasks": [{"id": f"t{k}"} for k in range(3_000)]})
    with pytest.raises(InvalidInput) as caught:
        parse_portfolio(data, InputLimits(max_issues=5))
    assert problem_count(caught.value.issues) == 3_000 and len(caught.value.issues) == 6


def test_too_many_tasks_are_counted_before_the_schema() -> None:
    data = small_dict()
    data["projects"].append({"id": "many", "tasks": [{"id": f"t{k}"} for k in range(100)]})
    assert issues(data, InputLimits(max_tasks=50)) == ["projects: 119 tasks in all; the input limit is 50"]


# --------------------------------------------------------------------------- portfolio numbers


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda d: d["people"][0].update(cost_per_day=1e308), "people[0].cost_per_day"),
        (lambda d: d.update(objective={"tardiness": 1e308}), "objective.tardiness"),
        (lambda d: d.update(objective={"makespan": 1e7}), "objective.makespan"),
        (lambda d: d["projects"][0].update(budgets={"money": 10**15}), "projects[0].budgets.money"),
        (lambda d: d["projects"][0]["tasks"][0].update(duration=10**6), "projects[0].tasks[0].duration"),
        (lambda d: d["projects"][0]["tasks"][2].update(effort=1e308), "projects[0].tasks[2].effort"),
        (lambda d: d["calendar"].update(end="9999-12-31"), "calendar.end"),
        (lambda d: d.update(name="n" * 5_000), "name"),
        (lambda d: d.update(projects=[]), "projects"),
    ],
)
def test_numbers_and_sizes_beyond_the_limits(edit: Any, path: str) -> None:
    data = small_dict()
    edit(data)
    found = issues(data)
    assert any(line.startswith(f"{path}:") for line in found), found


def test_limits_are_settings_the_caller_chooses() -> None:
    data = small_dict()
    data["calendar"]["end"] = "2040-01-01"
    assert parse_portfolio(data).calendar.end.year == 2040
    assert issues(data, InputLimits(max_horizon_years=5))[0].startswith("calendar.end: the horizon spans")
    with pytest.raises(ValueError):
        InputLimits(max_integer_digits=40)  # int64 is the engine's limit


def test_a_far_horizon_is_refused_in_bounded_time() -> None:
    data = small_dict()
    data["calendar"].update(start="0001-01-01", end="9999-12-31")
    assert issues(data) == ["calendar.end: the horizon spans 9,998.8 years; the input limit is 100"]


def test_tiny_effort_is_refused() -> None:
    data = small_dict()
    data["projects"][0]["tasks"][2]["effort"] = 1e-300
    assert any("at least 0.01" in line for line in issues(data))


# --------------------------------------------------------------------------- ids


def test_ids_are_nfc_normalised() -> None:
    data = small_dict()
    data["people"][0]["id"] = "jose\u0301"
    data["projects"][0]["tasks"][0]["fixed_people"] = ["jos\u00e9"]
    data["people"][0]["skills"] = {"pm": 4, "analyst": 3}
    portfolio = parse_portfolio(data)
    assert portfolio.people[0].id == "jos\u00e9"


def test_canonically_equal_ids_are_duplicates() -> None:
    data = small_dict()
    data["people"] += [{"id": "jos\u00e9"}, {"id": "jose\u0301"}]
    assert any("duplicate id 'jos\u00e9'" in line for line in issues(data))


@pytest.mark.parametrize("bad", ["al\u200bice", "\u202eecila", "a\x1bb", "a\nb", "a\u2028b", " alice", "alice\t"])
def test_invisible_and_control_characters_are_refused_in_ids(bad: str) -> None:
    data = small_dict()
    data["people"].append({"id": bad})
    n = len(data["people"]) - 1
    assert any(line.startswith(f"people[{n}].id: an id may not") for line in issues(data))


def test_look_alike_ids_are_refused_naming_both() -> None:
    data = small_dict()
    data["people"].append({"id": "ａｌｉｃｅ"})
    n = len(data["people"]) - 1
    assert issues(data) == [
        f"people[{n}].id: id 'ａｌｉｃｅ' looks like 'alice' (people[0].id): they differ only in "
        "compatibility characters (NFKC); use one spelling"
    ]


def test_different_scripts_and_cases_stay_distinct() -> None:
    data = small_dict()
    data["people"] += [{"id": "Alice"}, {"id": "аlice"}]  # Latin capital A; Cyrillic а
    assert len(parse_portfolio(data).people) == len(small_dict()["people"]) + 2


@seed(21)
@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_an_accepted_id_is_nfc_and_visible(text: str) -> None:
    try:
        value = normal_id(text)
    except ValueError:
        return
    assert value == unicodedata.normalize("NFC", value) == value.strip()
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in value)


# --------------------------------------------------------------------------- plans


@pytest.mark.parametrize(("field", "value"), [("mode", True), ("mode", "1"), ("mode", 1.0)])
def test_plan_fields_are_as_strict_as_the_portfolio(field: str, value: Any) -> None:
    plan = {
        "status": "feasible",
        "assignments": [{"project": "a", "task": "t", "start": "2027-01-04", "finish": "2027-01-04", field: value}],
    }
    with pytest.raises(InvalidInput) as caught:
        parse_model(Plan, plan)
    assert caught.value.issues[0].path == f"assignments[0].{field}"


def test_clip_keeps_short_text_and_says_how_long_long_text_was() -> None:
    assert clip("short") == "short"
    assert clip("x" * 100, 10) == "xxxxxxxxxx… (100 characters)"
