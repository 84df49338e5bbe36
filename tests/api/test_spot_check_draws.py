"""A county's half-yearly spot-check draw (issue 12, point 1): drawn from the reports
uploaded in the half year, kept with its seed and inputs, drawn once, and drawn again from
what was kept by `agencyflow spot-checks verify`."""

from pathlib import Path

import httpx
from sqlalchemy import Engine, update

from agencyflow.config.settings import Settings
from agencyflow.spot_check_sampling import draw_for, redraw
from agencyflow.stack_process import child_environment
from agencyflow.store import spot_check_draws
from agencyflow.store.engine import transaction
from agencyflow.store.spot_check_draws import SpotCheckDrawRow
from tests.api.test_projects import PDF, Office, _today, _visit, admitted
from tests.e2e.conftest import run_cli
from tests.factories import bearer, fresh_agency, project_request


async def _reported(api: httpx.AsyncClient, office: Office, contract: str, **request: str) -> str:
    """A project run to its uploaded report."""
    body = project_request(fresh_agency(), contract_number=contract, **request)
    created = await api.post("/projects", headers=bearer(office.agency), json=body)
    assert created.status_code == 201, created.text
    pid = str(created.json()["project"]["project_id"])
    await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
    await api.post(f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"})
    assert (await _visit(api, office, pid)).status_code == 201
    await api.post(
        f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": _today()}
    )
    uploaded = await api.post(
        f"/projects/{pid}/report",
        headers=bearer(office.agency),
        files={"file": ("report.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    return pid


async def test_a_half_year_is_drawn_once_kept_whole_and_drawn_again_the_same(
    api: httpx.AsyncClient,
    engine: Engine,
    api_settings: Settings,
    database_url: str,
    tmp_path: Path,
) -> None:
    office = await admitted(api, engine, service_types=["hazard_investigation", "risk_census"])
    reported = [
        await _reported(api, office, "R-1"),
        await _reported(api, office, "R-2", service_type="risk_census"),
        await _reported(api, office, "R-3"),
    ]
    period = "2026H2" if _today() >= "2026-07-01" else "2026H1"

    kept = draw_for(engine, api_settings.policy, "331102", period, "seed-1", drawn_by="test")
    assert sorted(c.project_id for c in kept.candidates) == sorted(reported)
    # One agency: one report for it; one of each R14 type there is (the one risk census,
    # a hazard investigation), whichever the agency's pick already covers; 15 % of 3 is 1.
    assert kept.result.target == 1
    assert reported[1] in kept.result.drawn
    assert any(p in kept.result.drawn for p in (reported[0], reported[2]))
    reasons = [kept.result.reasons[p] for p in kept.result.drawn]
    assert reasons.count("agency") == 1
    assert set(reasons) <= {"agency", "type:risk_census", "type:hazard_investigation"}

    again = draw_for(engine, api_settings.policy, "331102", period, "another", drawn_by="test")
    assert again.seed == "seed-1" and again.result == kept.result  # drawn once per half year
    assert redraw(spot_check_draws.get(engine, "331102", period)) == kept.result  # type: ignore[arg-type]
    other_half = draw_for(engine, api_settings.policy, "331102", "2025H2", "s", drawn_by="test")
    assert other_half.candidates == [] and other_half.result.drawn == []

    env = child_environment(tmp_path, AGENCYFLOW_DATABASE_URL=database_url)
    verified = run_cli("spot-checks", "verify", "--county", "331102", "--period", period, env=env)
    assert verified.returncode == 0, verified.stderr
    assert "seed seed-1" in verified.stdout and "same as kept: yes" in verified.stdout
    with transaction(engine) as session:
        session.execute(update(SpotCheckDrawRow).values(drawn=[reported[0]]))
    tampered = run_cli("spot-checks", "verify", "--county", "331102", "--period", period, env=env)
    assert tampered.returncode == 1 and "same as kept: NO" in tampered.stdout
    missing = run_cli("spot-checks", "verify", "--county", "331121", "--period", period, env=env)
    assert missing.returncode == 2
