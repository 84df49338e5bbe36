"""Every setting as ``(environment variable, default, description)``, for the README.

``python -m agencyflow.config.reference`` prints the README's settings table; a test
keeps the README in step with the code.
"""

import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, TypeAdapter

from .settings import Settings

PREFIX = "AGENCYFLOW_"


def _as_environment_value(annotation: Any, value: Any) -> str:
    if value is None:
        return "(unset)"
    if value == "":
        return "(derived)"
    # The JSON form is exactly what the variable accepts: P30D, true, ["P20D","P27D"].
    shown = TypeAdapter(annotation).dump_python(value, mode="json")
    return shown if isinstance(shown, str) else json.dumps(shown, separators=(",", ":"))


def settings_reference(
    model: type[BaseModel] = Settings, prefix: str = PREFIX
) -> Iterator[tuple[str, str, str]]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from settings_reference(annotation, f"{prefix}{name.upper()}__")
            continue
        default = _as_environment_value(annotation, field.default)
        yield f"{prefix}{name.upper()}", default, field.description or ""


if __name__ == "__main__":
    for variable, default, description in settings_reference():
        print(f"| `{variable}` | `{default}` | {description} |")  # noqa: T201
