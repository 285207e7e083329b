"""The UI's routes on the real app: static files with a strict policy, chart data behind the API key."""

from __future__ import annotations

from tests.api.service.conftest import Service


def test_root_leads_to_the_ui(service: Service) -> None:
    """`/` redirects to `/ui/`, which is the page with its own scripts only."""
    response = service.client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/ui/"
    page = service.client.get("/ui/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="charts.js">' in page.text
    script = service.client.get("/ui/charts.js")
    assert script.headers["content-type"].startswith("text/javascript") and "PmoCharts" in script.text


def test_only_the_shipped_files_are_served(service: Service) -> None:
    """Any other name is a 404 problem (no path walks out of the folder)."""
    for name in ("secret.txt", "..%2F__init__.py", "%2e%2e%2fapp.py"):
        response = service.client.get(f"/ui/{name}")
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/problem+json"


def test_plan_chart_data_needs_the_key_of_its_workspace(service: Service) -> None:
    """401 without a key, 404 from another workspace, the checked plan's chart data with the key."""
    run = service.wait(service.solve(service.add_portfolio()))
    plan_id = run["plan"].rsplit("/", 1)[-1]
    path = f"/v1/views/plans/{plan_id}"
    assert service.client.get(path).status_code == 401
    assert service.request("GET", path, service.new_key("two")).status_code == 404
    view = service.request("GET", path).json()
    plan = service.request("GET", f"/v1/plans/{plan_id}").json()
    assert len(view["tasks"]) == len(plan["assignments"])
    assert [p["id"] for p in view["people"]] == ["ann", "bob"]
    assert view["summary"]["status"] == plan["status"]


def test_comparison_chart_data_only_for_a_compare_run(service: Service) -> None:
    """A solve run has no comparison: a 404 naming it."""
    run = service.wait(service.solve(service.add_portfolio()))
    response = service.request("GET", f"/v1/views/runs/{run['id']}/comparison")
    assert response.status_code == 404 and "comparison" in response.json()["detail"]
