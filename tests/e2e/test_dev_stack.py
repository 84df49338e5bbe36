"""The service as a newcomer starts it: ``agencyflow dev`` (what ``make run`` runs)."""

from pathlib import Path

import httpx

from agencyflow.devstack import DEMO_USERS
from tests.e2e.conftest import DevStack, run_cli
from tests.factories import facts


def test_dev_starts_healthy_stops_on_ctrl_c_and_keeps_state(tmp_path: Path) -> None:
    stack = DevStack(tmp_path)

    with stack.running() as first:
        health = httpx.get(f"{stack.url}/health").json()
        assert health["status"] == "ok"
        demo = (tmp_path / "demo-users.txt").read_text().splitlines()
        assert sorted(line.split("\t")[0] for line in demo) == sorted(
            ["admin", "city_regulator", "county_regulator", "agency", "enterprise"]
        )
        added = run_cli(
            "users",
            "add",
            "--role",
            "county_regulator",
            "--name",
            "青田县应急管理局",
            "--county",
            "331121",
            env=stack.env,
        )
        assert added.returncode == 0, added.stderr
        token = added.stdout.strip().splitlines()[-1]
        me = httpx.get(f"{stack.url}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["county_code"] == "331121"
        tokens = {line.split("\t")[0]: line.split("\t")[2] for line in demo}
        agency_uscc = DEMO_USERS[3][1].agency_uscc
        assert agency_uscc is not None
        application = facts(1)
        application["uscc"] = agency_uscc
        applied = httpx.post(
            f"{stack.url}/agencies",
            headers={"Authorization": f"Bearer {tokens['agency']}"},
            json=application,
            timeout=30,
        )
        assert applied.status_code == 201, applied.text
    assert first.returncode == 0
    assert (tmp_path / "temporal.db").exists()

    with stack.running() as second:
        me = httpx.get(f"{stack.url}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["name"] == "青田县应急管理局"
        # Demo users are created once, on the first start only.
        assert (tmp_path / "demo-users.txt").read_text().splitlines() == demo
        # The application's workflow survived the restart: it still takes its decision.
        approved = httpx.post(
            f"{stack.url}/agencies/{agency_uscc}/approve",
            headers={"Authorization": f"Bearer {tokens['county_regulator']}"},
            json={},
            timeout=30,
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "active"
    assert second.returncode == 0
