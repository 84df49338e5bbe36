"""Every input the API accepts is bounded, by its type: a walk over the OpenAPI document.

A text without a maximum length, a list without a maximum size, a date without a range or
a number without a maximum is how a request wedges a workflow (a date past year 9999) or
passes Temporal's payload limits; this test finds the next one before an attacker does.
"""

from typing import Any

from agencyflow.api.app import create_app
from agencyflow.config.settings import Settings


def _openapi() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def _unbounded(
    schema: dict[str, Any], where: str, spec: dict[str, Any], seen: set[str]
) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _unbounded(spec["components"]["schemas"][name], name, spec, seen)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, where, spec, seen)
    kind = schema.get("type")
    if kind == "object":
        for name, field in schema.get("properties", {}).items():
            found += _unbounded(field, f"{where}.{name}", spec, seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            found += _unbounded(extra, f"{where}.*", spec, seen)
            if "maxProperties" not in schema:
                found.append(f"{where}: object without maxProperties")
    elif kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: list without maxItems")
        found += _unbounded(schema.get("items", {}), f"{where}[]", spec, seen)
    elif kind == "string":
        form = schema.get("format")
        if form in ("date", "date-time"):
            if "formatMaximum" not in schema or "formatMinimum" not in schema:
                found.append(f"{where}: {form} without a range")
        elif form != "binary" and not {"enum", "const", "contentMediaType"} & schema.keys():
            if "maxLength" not in schema:
                found.append(f"{where}: text without maxLength")
    elif kind in ("integer", "number"):
        if "maximum" not in schema and "exclusiveMaximum" not in schema:
            found.append(f"{where}: {kind} without maximum")
    return found


def test_every_request_body_and_parameter_is_bounded() -> None:
    spec = _openapi()
    found: list[str] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            route = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found += _unbounded(
                    parameter["schema"], f"{route} {parameter['name']}", spec, set()
                )
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(content["schema"], route, spec, set())
    assert sorted(set(found)) == []
