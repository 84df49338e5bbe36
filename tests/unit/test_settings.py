import datetime as dt
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from agencyflow.config.policy import Policy
from agencyflow.config.settings import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Start every test from an empty AGENCYFLOW_ environment and no .env file.
    for name in list(os.environ):
        if name.startswith("AGENCYFLOW_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_embedded_stack() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///var/agencyflow.db"
    assert settings.temporal_address == "127.0.0.1:7233"
    assert settings.api_port == 8000
    assert settings.temporal_ui_url == "http://127.0.0.1:8233"
    assert settings.files_dir == Path("var/files")


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCYFLOW_API_PORT", "9123")
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", "/srv/agencyflow")
    monkeypatch.setenv("AGENCYFLOW_TEMPORAL_ADDRESS", "temporal.internal:7233")
    monkeypatch.setenv("AGENCYFLOW_POLICY__REPORT_DEADLINE", "PT30S")
    monkeypatch.setenv("AGENCYFLOW_POLICY__REPORT_REMINDERS", '["PT20S", "PT27S"]')
    monkeypatch.setenv("AGENCYFLOW_POLICY__SPOT_CHECK_FOUR_EYES", "true")
    monkeypatch.setenv("AGENCYFLOW_POLICY__CREDIT_DEDUCTIONS__LATE_REPORT", "3")

    settings = Settings()

    assert settings.api_port == 9123
    assert settings.database_url == "sqlite:////srv/agencyflow/agencyflow.db"
    assert settings.temporal_ui_url == "http://temporal.internal:8233"
    assert settings.policy.report_deadline == dt.timedelta(seconds=30)
    assert settings.policy.report_reminders == (dt.timedelta(seconds=20), dt.timedelta(seconds=27))
    assert settings.policy.spot_check_four_eyes is True
    assert settings.policy.credit_deductions.late_report == 3
    assert settings.policy.credit_deductions.complaint_found_true == 5  # untouched default


def test_settings_are_read_from_a_dot_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "AGENCYFLOW_API_PORT=8111\nAGENCYFLOW_POLICY__SPOT_CHECK_WINDOW=P7D\n"
    )
    settings = Settings()
    assert settings.api_port == 8111
    assert settings.policy.spot_check_window == dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AGENCYFLOW_API_PORT", "eighty"),
        ("AGENCYFLOW_POLICY__REPORT_DEADLINE", "thirty days"),
        ("AGENCYFLOW_POLICY__REPORT_DEADLINE", "P10D"),  # reminders at 20 and 27 days come after
        ("AGENCYFLOW_POLICY__ADMISSION_MIN_AREA_M2", "-5"),
        ("AGENCYFLOW_LOG_FORMAT", "xml"),
    ],
)
def test_invalid_settings_are_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        Settings()
    field = name.removeprefix("AGENCYFLOW_").split("__")[0].lower()
    assert field in str(error.value)


def test_policy_defaults_are_the_mission_table() -> None:
    policy = Policy()
    assert policy.report_deadline == dt.timedelta(days=30)
    assert policy.report_reminders == (dt.timedelta(days=20), dt.timedelta(days=27))
    assert policy.filing_review_working_days == 5
    assert policy.major_hazard_ack_within == dt.timedelta(hours=24)
    assert policy.long_unrectified_after == dt.timedelta(days=30)
    assert policy.long_unrectified_visits == 2
    assert policy.full_time_min_insured_months == 3
    assert policy.admission_min_area_m2 == 100
    assert policy.admission_min_full_time_professionals == 5
    assert (policy.credit_initial_score, policy.credit_grade_a_min) == (100, 90)
    assert (policy.credit_grade_b_min, policy.credit_grade_c_min) == (80, 70)
    assert policy.procurement_min_grade == "C"
    assert policy.untrustworthy_listing_years == 3
    assert policy.untrustworthy_removal_after_months == 12


def test_policy_crosses_json_as_iso_8601_and_back_unchanged() -> None:
    policy = Policy(report_deadline=dt.timedelta(days=40))
    text = policy.model_dump_json()
    assert '"report_deadline":"P40D"' in text
    assert Policy.model_validate_json(text) == policy
