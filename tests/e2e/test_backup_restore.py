"""``agencyflow backup`` while the service runs, then ``agencyflow restore`` into a wiped
data folder: the project carries on from where it was, its report deadline fires after the
restore, and nothing in it is lost or happens twice."""

import shutil
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

from agencyflow.backup.datadir import claimed
from agencyflow.demo import (
    SHORT_POLICY,
    Demo,
    _demo_tokens,
    play_from_service_end,
    play_to_service_end,
)
from agencyflow.stack_process import child_environment
from tests.e2e.conftest import DevStack, run_cli


def test_a_project_backed_up_mid_deadline_carries_on_after_a_restore(tmp_path: Path) -> None:
    data_dir, archive = tmp_path / "var", tmp_path / "agencyflow.tar.gz"
    data_dir.mkdir()
    stack = DevStack(data_dir, **SHORT_POLICY)

    with stack.running(), _demo(stack) as demo:
        pid = play_to_service_end(demo)
        backed_up = run_cli("backup", str(archive), env=stack.env)
        assert backed_up.returncode == 0, backed_up.stderr
        assert "worker held while copying" in backed_up.stdout
        before = _seen(demo, pid)
        # The backup was taken inside the 30 s the report is due in (the demo's 30 days).
        assert not _kinds(demo.inbox("agency")) & {"report.reminder.1", "report.overdue"}
        assert before["project"]["report"] is None

    shutil.rmtree(data_dir)
    restored = run_cli("restore", str(archive), env=stack.env)
    assert restored.returncode == 0, restored.stderr

    with stack.running(), _demo(stack) as demo:
        assert _seen(demo, pid) == before
        play_from_service_end(demo, pid)  # reminders, overdue, upload, receipt, closure
        after = _seen(demo, pid)
        projects = demo.call("county_regulator", "GET", "/projects")

    assert projects["total"] == 1
    assert after["timeline"][: len(before["timeline"])] == before["timeline"]
    # Each step after the restore happened, and once: two reminders (the short policy's).
    kinds = Counter(event["kind"] for event in after["timeline"][len(before["timeline"]) :])
    assert kinds == {
        "report.reminded": 2,
        "report.overdue": 1,
        "report.uploaded": 1,
        "report.received": 1,
        "project.closed": 1,
    }
    assert after["project"]["closed_at"] is not None


def _demo(stack: DevStack) -> closing[Demo]:
    return closing(Demo(stack.url, _demo_tokens(stack.data_dir / "demo-users.txt")))


def _seen(demo: Demo, pid: str) -> dict[str, Any]:
    return demo.call("county_regulator", "GET", f"/projects/{pid}")


def _kinds(items: list[dict[str, Any]]) -> set[str]:
    return {item["kind"] for item in items}


def test_a_data_folder_in_use_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    """As a running ``agencyflow dev`` holds its folder: a second one, or a restore, stops at
    once and says why; the folder is left as it was."""
    archive = tmp_path / "agencyflow.tar.gz"
    archive.write_bytes(b"not looked at")
    env = child_environment(tmp_path / "var")

    with claimed(tmp_path / "var"):
        second = run_cli("dev", env=env)
        restored = run_cli("restore", "--force", str(archive), env=env)

    for refused in (second, restored):
        assert refused.returncode == 1
        assert "is in use by a running `agencyflow dev`" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert [path.name for path in (tmp_path / "var").iterdir()] == ["agencyflow.lock"]
