"""The README's settings table is the code's: every setting, with its real default."""

from pathlib import Path

from agencyflow.config.reference import settings_reference

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_setting_with_its_default() -> None:
    text = README.read_text()
    table = text.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    rows = {line.split("|")[1].strip(" `"): line for line in table.strip().splitlines()}
    expected = list(settings_reference())
    assert sorted(rows) == sorted(variable for variable, _, _ in expected)
    for variable, default, _ in expected:
        assert f"`{default}`" in rows[variable], f"{variable}: README default is stale"


def test_readme_names_the_two_quickstart_commands() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text
