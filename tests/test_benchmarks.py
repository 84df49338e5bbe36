"""The benchmarks are scripts that no other test runs; one that no longer imports would stop
`make bench` only when someone measures."""

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("script", sorted(p.stem for p in BENCH.glob("*.py")))
def test_every_benchmark_imports_and_has_a_main(script: str) -> None:
    module = importlib.import_module(f"bench.{script}")
    assert callable(module.main)
