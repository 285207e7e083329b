"""CP-SAT parameters by name: checked against CP-SAT's own parameter message, applied to a
solver as text (the solver's parameter object is not a protobuf message and takes enums only as
its own types)."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf import text_format
from ortools.sat import sat_parameters_pb2

ParameterValue = bool | int | float | str | list[str] | list[int]

# Parameters the engine sets from its own settings on every solve.
MANAGED = {
    "max_time_in_seconds": "time_limit",
    "max_deterministic_time": "time_limit",
    "num_workers": "workers",
    "num_search_workers": "workers",
    "random_seed": "seed",
    "log_search_progress": "log",
}


def set_parameter(params: sat_parameters_pb2.SatParameters, name: str, value: object) -> None:
    """Set one parameter (a list replaces a repeated field; enums by name or number).

    Raises
    ------
    ValueError
        Unknown name or a value of the wrong type.
    """
    field = params.DESCRIPTOR.fields_by_name.get(name)
    if field is None:
        raise ValueError(f"{name}: unknown CP-SAT parameter")
    try:
        if isinstance(value, list | tuple):
            repeated = getattr(params, name)
            del repeated[:]
            repeated.extend(value)
        else:
            setattr(params, name, value)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{name}: {value!r} is not a valid value ({exc})") from None


def check_parameters(parameters: Mapping[str, object]) -> None:
    """Raise ValueError naming the first parameter that is unknown, badly typed or managed
    by the engine's own settings."""
    for name in parameters:
        if name in MANAGED:
            raise ValueError(f"{name}: set by the engine; use the `{MANAGED[name]}` setting")
    as_text(parameters)


def as_text(parameters: Mapping[str, object]) -> str:
    """The parameters in protobuf text format (for ``SatParameters.merge_text_format``).

    Raises
    ------
    ValueError
        Unknown name or a value of the wrong type.
    """
    message = sat_parameters_pb2.SatParameters()
    for name, value in parameters.items():
        set_parameter(message, name, value)
    return text_format.MessageToString(message)
