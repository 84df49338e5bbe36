"""The lock files pin every dependency pyproject.toml names (issue 15, point 4): a dependency
added without `make lock` fails here, not on a fresh machine."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    """A requirement's distribution name, normalised as PEP 503 has it."""
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert found is not None, requirement
    return re.sub(r"[-_.]+", "-", found[0]).lower()


def _pinned(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {_name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9][\w.-]*)==([^\s;]+)", text, re.M)}


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        (
            "requirements-dev.lock",
            PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"],
        ),
    ],
)
def test_every_dependency_is_pinned_with_its_hashes(lock: str, requirements: list[str]) -> None:
    pinned = _pinned(lock)
    missing = sorted({_name(r) for r in requirements} - set(pinned))
    assert not missing, f"{lock} lacks {missing}: run `make lock`"
    text = (ROOT / lock).read_text(encoding="utf-8")
    assert text.count("==") <= text.count("--hash=sha256:"), "every pin carries its hashes"


def test_the_image_and_the_tests_install_the_same_versions() -> None:
    runtime, dev = _pinned("requirements.lock"), _pinned("requirements-dev.lock")
    differing = {name: (v, dev.get(name)) for name, v in runtime.items() if dev.get(name) != v}
    assert not differing, f"resolve both together with `make lock`: {differing}"
