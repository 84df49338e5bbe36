"""Every setting as ``(environment variable, default, description)``, for the README.

``python -m agencyflow.config.reference`` rewrites the README's settings table; a test
fails when the README and the code disagree.
"""

import json
from collections.abc import Iterator
from pathlib import Path
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
    return (
        shown
        if isinstance(shown, str)
        else json.dumps(shown, separators=(",", ":"), ensure_ascii=False)
    )


def settings_reference(
    model: type[BaseModel] = Settings, prefix: str = PREFIX
) -> Iterator[tuple[str, str, str]]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from settings_reference(annotation, f"{prefix}{name.upper()}__")
            continue
        default = _as_environment_value(annotation, field.default)
        yield f"{prefix}{name.upper()}", default, " ".join((field.description or "").split())


def table() -> str:
    return "".join(
        f"| `{variable}` | `{default}` | {description} |\n"
        for variable, default, description in settings_reference()
    )


def update_readme(path: Path) -> None:
    """Rewrite the README's settings table between its markers."""
    text = path.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{table()}{END}{tail}")


START, END = "<!-- settings:start -->", "<!-- settings:end -->"

if __name__ == "__main__":
    update_readme(Path("README.md"))
