"""The OpenAPI document: FastAPI's, with the contract's JSON Schemas (portfolio, scenario changes,
plan, problem) as components, so bodies read raw are documented with their real schema."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, TypeAdapter

from api.service.problems import Problem
from api.service.schemas import CheckIn, RunIn, ScenarioIn
from model.plan import Plan
from model.portfolio import Portfolio

REF = "#/components/schemas/{model}"


def json_request_body(schema: str, examples: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """``openapi_extra`` of an operation whose JSON body is the component ``schema`` (read raw, validated
    as the CLI validates files)."""
    content: dict[str, Any] = {"schema": {"$ref": REF.format(model=schema)}}
    if examples:
        content["examples"] = examples
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


def contract_response(schema: str, description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entry of a 200 whose JSON body is the component ``schema`` (a stored document served as is)."""
    return {
        200: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=schema)}}},
        }
    }


def _add(components: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    for inner, definition in schema.pop("$defs", {}).items():
        components.setdefault(inner, definition)
    components.setdefault(name, schema)


def contract_schemas() -> dict[str, dict[str, Any]]:
    """Component schemas of the bodies the routes read raw, and of the problem body."""
    components: dict[str, Any] = {}
    models: dict[str, type[BaseModel]] = {
        "Portfolio": Portfolio,
        "Plan": Plan,
        "ScenarioIn": ScenarioIn,
        "Problem": Problem,
    }
    for name, model in models.items():
        _add(components, name, model.model_json_schema(ref_template=REF))
    run = TypeAdapter(RunIn).json_schema(ref_template=REF)
    _add(components, "RunIn", run)
    check = CheckIn.model_json_schema(ref_template=REF)
    check["properties"]["plan"] = {"$ref": REF.format(model="Plan")}
    _add(components, "CheckIn", check)
    return components


def install_openapi(app: FastAPI) -> None:
    """Generate ``app``'s OpenAPI document once, with the contract's schemas merged in."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            components = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in contract_schemas().items():
                components.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
