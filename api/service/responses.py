"""JSON answers written directly: stored documents go out as they are, without a second validation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from fastapi import Response
from pydantic import BaseModel


def _default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON: {type(value).__name__}")


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """``payload`` (JSON data, possibly holding models and dates) as an ``application/json`` response."""
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json()
    else:
        body = json.dumps(payload, default=_default, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json", headers=dict(headers or {}))
