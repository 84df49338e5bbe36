"""Every policy setting is read by code (a setting that exists only on paper is a defect):
this fails on one that nothing reads, so that it is either put to work or removed."""

import ast
from pathlib import Path

import agencyflow
from agencyflow.config.policy import CreditDeductions, Policy
from agencyflow.domain.credit import RecordedKind

SOURCES = Path(agencyflow.__file__).parent


def _attributes_read() -> set[str]:
    """Every ``x.name`` in the package's code, outside the checks that only keep settings
    consistent with one another (``Policy._consistent``), which put nothing to work."""
    read = set()
    for path in SOURCES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "_consistent":
                node.body = []
        read |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    return read


def test_every_policy_setting_is_read_by_code() -> None:
    read = _attributes_read()
    assert [name for name in Policy.model_fields if name not in read] == []


def test_every_deduction_is_read_by_code() -> None:
    # A regulator's recording reads the deduction named by its kind (``getattr``).
    read = _attributes_read() | {kind.value for kind in RecordedKind}
    assert [name for name in CreditDeductions.model_fields if name not in read] == []


def test_the_check_finds_a_setting_nothing_reads() -> None:
    assert "credit_window_months" in _attributes_read()
    assert "no_such_setting_anywhere" not in _attributes_read()
