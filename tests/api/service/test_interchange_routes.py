"""Files in and out of the service: workbook and MS Project uploads, plan downloads, the template."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import openpyxl
import pytest
from icalendar import Calendar

from api.interchange.mspdi_read import read_portfolio_mspdi
from api.interchange.mspdi_schema import validate_mspdi
from api.interchange.plan_tables import TABLE_NAMES
from api.interchange.xlsx_read import read_portfolio_xlsx
from api.interchange.xlsx_write import portfolio_xlsx
from api.service.db import Database
from api.service.models import PlanRecord
from api.service.routers.interchange import XLSX_TYPE, content_disposition
from model.load import parse_portfolio
from tests.api.interchange.helpers import HAND_MADE, edit_workbook
from tests.api.service.conftest import Service, service_settings, start_service
from tests.conftest import small_portfolio as example_portfolio

PROBLEM = "application/problem+json"


def _book(edits: dict[str, Any] | None = None) -> bytes:
    """examples/small.json as a workbook, with cells changed (``{"Sheet!A1": value}``)."""
    data = portfolio_xlsx(example_portfolio())
    return edit_workbook(data, edits) if edits else data


def _raw(service: Service, data: bytes, media: str, **params: str) -> httpx.Response:
    return service.request(
        "POST", "/v1/portfolios/import", content=data, headers={"Content-Type": media}, params=params
    )


def _form(service: Service, data: bytes, name: str, media: str, field: str = "file") -> httpx.Response:
    return service.request("POST", "/v1/portfolios/import", files={field: (name, data, media)})


def _errors(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    return list(response.json()["errors"])


def test_a_workbook_uploads_raw_or_as_a_form_and_downloads_back(service: Service) -> None:
    expected = example_portfolio()
    raw = _raw(service, _book(), XLSX_TYPE)
    assert raw.status_code == 201, raw.text
    body = raw.json()
    assert raw.headers["location"] == f"/v1/portfolios/{body['id']}"
    assert body["format"] == "xlsx" and body["notes"] == [] and body["versions"] == [1]
    assert parse_portfolio(body["portfolio"]) == expected
    form = _form(service, _book(), "small.xlsx", "application/octet-stream")
    assert form.status_code == 201, form.text
    assert parse_portfolio(form.json()["portfolio"]) == expected
    book = service.request("GET", f"/v1/portfolios/{body['id']}/workbook")
    assert book.status_code == 200 and book.headers["content-type"] == XLSX_TYPE
    assert book.headers["content-disposition"] == f'attachment; filename="portfolio-{body["id"]}-v1.xlsx"'
    assert read_portfolio_xlsx(book.content) == expected
    assert (
        service.request("GET", f"/v1/portfolios/{body['id']}/workbook", params={"version": 2}).status_code
        == 404
    )


def test_a_new_version_from_a_file_keeps_the_old_one(service: Service) -> None:
    pid = service.add_portfolio()
    response = service.request(
        "PUT", f"/v1/portfolios/{pid}/import", content=_book(), headers={"Content-Type": XLSX_TYPE}
    )
    assert response.status_code == 200, response.text
    assert response.json()["versions"] == [1, 2]
    assert parse_portfolio(service.request("GET", f"/v1/portfolios/{pid}/versions/2").json()) == (
        example_portfolio()
    )
    missing = service.request(
        "PUT", "/v1/portfolios/nope/import", content=_book(), headers={"Content-Type": XLSX_TYPE}
    )
    assert missing.status_code == 404


def test_ms_project_xml_uploads_with_what_is_not_mapped(service: Service) -> None:
    response = _raw(service, HAND_MADE.read_bytes(), "application/xml", pins="none")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "mspdi"
    assert any("material resources are not mapped" in note for note in body["notes"])
    expected = read_portfolio_mspdi(HAND_MADE.read_bytes())
    stored = parse_portfolio(body["portfolio"])
    assert [p.id for p in stored.projects] == [p.id for p in expected.portfolio.projects]
    assert all(t.fixed_start is None for p in stored.projects for t in p.tasks)
    pinned = _form(service, HAND_MADE.read_bytes(), "plan.xml", "text/xml")
    assert pinned.status_code == 201, pinned.text
    assert any(t.fixed_start for p in parse_portfolio(pinned.json()["portfolio"]).projects for t in p.tasks)


def test_invalid_files_are_named_by_cell_or_element(service: Service) -> None:
    errors = _errors(_raw(service, _book({"Requirements!D3": "pyhton"}), XLSX_TYPE))
    assert {"path": "Requirements!D3", "message": "unknown skill 'pyhton'"} in errors
    errors = _errors(_raw(service, _book({"People!C3": 150, "Tasks!D4": "ten"}), XLSX_TYPE))
    assert {e["path"] for e in errors} >= {"People!C3", "Tasks!D4"}
    over = HAND_MADE.read_bytes().replace(b"<Units>0.8</Units>", b"<Units>1</Units>")
    (error,) = _errors(_form(service, over, "plan.xml", "application/xml"))
    assert error["path"] == "Task UID 22 'Templates'" and "Tom Berg" in error["message"]
    assert _errors(_raw(service, b"PK\x03\x04 not a zip", XLSX_TYPE))[0]["message"].startswith("not an Excel")


def test_bodies_that_cannot_be_read(service: Service) -> None:
    (mismatch,) = _errors(_raw(service, HAND_MADE.read_bytes(), XLSX_TYPE))
    assert mismatch == {
        "path": "body",
        "message": "the media type says an .xlsx workbook but the content is XML",
    }
    assert _errors(_raw(service, b"", "application/octet-stream")) == [
        {"path": "body", "message": "the file is empty"}
    ]
    (field,) = _errors(_form(service, _book(), "small.xlsx", XLSX_TYPE, field="upload"))
    assert field["path"] == "file"
    unsupported = _raw(service, b"name,id\n", "text/csv")
    assert unsupported.status_code == 415 and unsupported.headers["content-type"] == PROBLEM
    assert "multipart/form-data" in unsupported.json()["detail"]
    json_text = _raw(service, example_portfolio().model_dump_json().encode(), "application/octet-stream")
    assert json_text.status_code == 201 and json_text.json()["format"] == "json"
    anonymous = service.client.post(
        "/v1/portfolios/import", content=_book(), headers={"Content-Type": XLSX_TYPE}
    )
    assert anonymous.status_code == 401


@pytest.fixture
def small_limit(database_url: str) -> Iterator[Service]:
    """The service with a 20 kB body cap."""
    yield from start_service(service_settings(database_url, max_body_bytes=20_000))


def test_an_upload_over_the_body_limit_is_413(small_limit: Service) -> None:
    big = _book() + b"\0" * 30_000
    for response in (_raw(small_limit, big, XLSX_TYPE), _form(small_limit, big, "big.xlsx", XLSX_TYPE)):
        assert response.status_code == 413 and response.headers["content-type"] == PROBLEM


def test_the_template(service: Service) -> None:
    empty = service.request("GET", "/v1/templates/portfolio.xlsx")
    assert empty.status_code == 200 and empty.headers["content-type"] == XLSX_TYPE
    assert 'filename="portfolio-template.xlsx"' in empty.headers["content-disposition"]
    sheets = openpyxl.load_workbook(io.BytesIO(empty.content)).sheetnames
    assert {"People", "Skills", "Projects", "Tasks", "Requirements", "Dependencies", "Settings"} <= set(
        sheets
    )
    example = service.request("GET", "/v1/templates/portfolio.xlsx", params={"example": "true"})
    assert read_portfolio_xlsx(example.content) == example_portfolio()
    assert service.client.get("/v1/templates/portfolio.xlsx").status_code == 401


def _solved(service: Service) -> str:
    run = service.wait(service.solve(service.add_portfolio(), 1))
    return str(run["plan"])


def _download(service: Service, path: str, **params: str) -> httpx.Response:
    response = service.request("GET", path, params=params)
    assert response.status_code == 200, response.text
    return response


def test_a_plan_downloads_in_every_format(service: Service) -> None:
    plan_path = _solved(service)
    plan_id = plan_path.rsplit("/", 1)[1]
    plan = service.request("GET", plan_path).json()
    portfolio = parse_portfolio(service.request("GET", f"{plan_path}/portfolio").json())

    book = _download(service, f"{plan_path}/export", format="xlsx")
    assert book.headers["content-type"] == XLSX_TYPE
    assert book.headers["content-disposition"] == f'attachment; filename="plan-{plan_id}.xlsx"'
    assert "Load" in openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames

    for path, params in ((f"{plan_path}/export", {"format": "mspdi"}), (f"{plan_path}/export.xml", {})):
        xml = _download(service, path, **params)
        assert xml.headers["content-type"] == "application/xml"
        assert f'filename="plan-{plan_id}.xml"' in xml.headers["content-disposition"]
        assert validate_mspdi(xml.content) == []
        pinned = read_portfolio_mspdi(xml.content).portfolio
        starts = {(p.id, t.id): str(t.fixed_start) for p in pinned.projects for t in p.tasks}
        assert all(starts[a["project"], a["task"]] == a["start"] for a in plan["assignments"])

    tables = _download(service, f"{plan_path}/export.csv")
    assert tables.headers["content-type"] == "application/zip"
    assert f'filename="plan-{plan_id}-csv.zip"' in tables.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(tables.content)).namelist()
    assert sorted(names) == sorted(f"{t}.csv" for t in TABLE_NAMES)
    load = _download(service, f"{plan_path}/export", format="csv", table="load")
    assert load.headers["content-type"] == "text/csv; charset=utf-8"
    assert load.content.decode("utf-8-sig").startswith("person,person_name,")
    assert f'filename="plan-{plan_id}-load.csv"' in load.headers["content-disposition"]

    calendars = _download(service, f"{plan_path}/export", format="ics")
    archive = zipfile.ZipFile(io.BytesIO(calendars.content))
    assert sorted(archive.namelist()) == sorted(f"{p.id}.ics" for p in portfolio.people)
    ann = _download(service, f"{plan_path}/export.ics", person="ann")
    assert ann.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(ann.content).walk("VEVENT")
    assert len(events) == sum(1 for a in plan["assignments"] for p in a["people"] if p["id"] == "ann")


def test_what_cannot_be_downloaded(service: Service) -> None:
    plan_path = _solved(service)
    for params, path in (
        ({"format": "csv", "table": "nope"}, "table"),
        ({"format": "ics", "person": "zoe"}, "person"),
        ({"format": "xlsx", "table": "load"}, "table"),
        ({"format": "pdf"}, "query.format"),
        ({}, "query.format"),
    ):
        assert _errors(service.request("GET", f"{plan_path}/export", params=params))[0]["path"] == path, (
            params
        )
    assert service.request("GET", f"{plan_path}/export.pdf").status_code == 422
    assert service.request("GET", "/v1/plans/nope/export.xlsx").status_code == 404
    assert service.client.get(f"{plan_path}/export.xlsx").status_code == 401
    other = service.new_key("two")
    assert service.request("GET", f"{plan_path}/export.xlsx", key=other).status_code == 404


def test_a_plan_that_breaks_a_rule_or_has_no_assignments_is_never_exported(service: Service) -> None:
    plan_path = _solved(service)
    database: Database = service.app.state.database
    with database.write() as session:
        record = session.get(PlanRecord, plan_path.rsplit("/", 1)[1])
        assert record is not None
        broken = copy.deepcopy(record.data)
        broken["assignments"][0]["people"] = []
        record.data = broken
        session.commit()
    for suffix in ("xlsx", "csv", "xml", "ics"):
        response = service.request("GET", f"{plan_path}/export.{suffix}")
        assert response.status_code == 409 and response.headers["content-type"] == PROBLEM, suffix
    with database.write() as session:
        record = session.get(PlanRecord, plan_path.rsplit("/", 1)[1])
        assert record is not None
        record.data = {**record.data, "status": "infeasible", "assignments": []}
        session.commit()
    empty = service.request("GET", f"{plan_path}/export.xlsx")
    assert empty.status_code == 409 and "no assignments to export" in empty.json()["detail"]


def test_file_names_outside_ascii_keep_both_forms() -> None:
    assert content_disposition("plan.xlsx") == 'attachment; filename="plan.xlsx"'
    assert content_disposition('zoë "x".ics') == (
        "attachment; filename=\"zo_ _x_.ics\"; filename*=UTF-8''zo%C3%AB%20%22x%22.ics"
    )
