"""The service as a newcomer starts it: ``agencyflow dev`` (what ``make run`` runs)."""

from pathlib import Path

import httpx

from tests.e2e.conftest import DevStack, run_cli


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
    assert first.returncode == 0
    assert (tmp_path / "temporal.db").exists()

    with stack.running() as second:
        me = httpx.get(f"{stack.url}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["name"] == "青田县应急管理局"
        # Demo users are created once, on the first start only.
        assert (tmp_path / "demo-users.txt").read_text().splitlines() == demo
    assert second.returncode == 0
