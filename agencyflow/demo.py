"""``agencyflow demo`` (``make demo``): one project from contract to closure, in a minute.

It starts a private stack (``agencyflow dev`` on free ports, in a temporary folder) with
policy durations shrunk from days to seconds (report due 30 s after the service ends,
reminders at 20 s and 27 s, a 10 s spot-check window), then plays the agency and the
county regulator through the HTTP API, printing each step. The report is uploaded late
on purpose, so the reminders, the overdue notice and the late record all show. It stops
the stack when done.
"""

import datetime as dt
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.id_numbers import id_check_character
from agencyflow.stack_process import child_environment, free_port, wait_healthy

SHORT_POLICY = {
    "AGENCYFLOW_POLICY__REPORT_DEADLINE": "PT30S",
    "AGENCYFLOW_POLICY__REPORT_REMINDERS": '["PT20S", "PT27S"]',
    "AGENCYFLOW_POLICY__SPOT_CHECK_WINDOW": "PT10S",
}
PDF = b"%PDF-1.7\n% agencyflow demo service report\n%%EOF\n"


class Demo:
    def __init__(self, base_url: str, tokens: dict[str, tuple[str, str]]) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.tokens = tokens
        self.began = time.monotonic()

    def close(self) -> None:
        self.http.close()

    def say(self, text: str) -> None:
        elapsed = time.monotonic() - self.began
        print(f"[{int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}] {text}", flush=True)

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One command, under a key of its own: sent again after a 503 (the engine was
        slow to answer), it is acted on once."""
        headers = {
            "Authorization": f"Bearer {self.tokens[role][1]}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        for _ in range(3):
            response = self.http.request(method, path, headers=headers, **kwargs)
            if response.status_code != 503:
                break
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        body: dict[str, Any] = response.json()
        return body

    def inbox(self, role: str) -> list[dict[str, Any]]:
        response = self.http.get(
            "/inbox", headers={"Authorization": f"Bearer {self.tokens[role][1]}"}
        )
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def wait_for(self, what: str, check: Callable[[], bool], within: float = 60) -> None:
        deadline = time.monotonic() + within
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.5)


def _application(uscc: str) -> dict[str, Any]:
    def person(n: int) -> dict[str, Any]:
        first17 = f"33110219800101{n:03d}"
        return {
            "name": ["张明", "李华", "王芳", "赵磊", "陈静"][n - 1],
            "id_number": first17 + id_check_character(first17),
            "certificates": [
                {
                    "kind": "registered_safety_engineer",
                    "number": f"ZA-2024-{n:04d}",
                    "valid_until": "2029-12-31",
                }
            ],
            "full_time": True,
            "insured_since": "2024-01",
        }

    return {
        "legal_name": "演示安全咨询有限公司",
        "uscc": uscc,
        "organisation_kind": "enterprise",
        "registered_address": "丽水市莲都区中山街88号",
        "out_of_town": False,
        "registered_county_code": "331102",
        "workplace_area_m2": 180,
        "service_types": ["hazard_investigation", "safety_management_consulting"],
        "industries": ["machinery"],
        "professionals": [person(n) for n in range(1, 6)],
    }


def _project(enterprise_uscc: str, today: dt.date) -> dict[str, Any]:
    return {
        "enterprise": {
            "uscc": enterprise_uscc,
            "name": "演示化工有限公司",
            "address": "丽水市莲都区南明山街道工业园1号",
            "county_code": "331102",
            "industry": "machinery",
        },
        "service_type": "hazard_investigation",
        "contract": {
            "number": "丽演〔2026〕1号",
            "signed_on": today.isoformat(),
            "client": {"name": "演示化工有限公司", "address": "丽水市莲都区南明山街道工业园1号"},
            "agency": {"name": "演示安全咨询有限公司", "address": "丽水市莲都区中山街88号"},
            "content": "生产现场隐患排查及整改指导",
            "method": "现场检查",
            "frequency": "每月一次",
            "requirements": "依据《重大事故隐患判定标准》开展",
            "term_start": today.isoformat(),
            "term_end": (today + dt.timedelta(days=365)).isoformat(),
            "place": "委托方厂区",
            "manner": "现场服务并出具报告",
            "acceptance_standard": "隐患清单完整、整改建议可操作",
            "acceptance_method": "委托方签字确认",
            "fee_yuan": 28000,
            "payment_method": "银行转账，服务结束后一次付清",
            "breach_liability": "按《民法典》合同编承担违约责任",
        },
        "team": ["p1", "p2"],
    }


def play(demo: Demo) -> None:
    play_from_service_end(demo, play_to_service_end(demo))


def play_to_service_end(demo: Demo) -> str:
    """The agency admitted, a project contracted, filed, planned, visited and ended; its id."""
    agency_uscc = demo.tokens["agency"][0]
    enterprise_uscc = demo.tokens["enterprise"][0]
    today = dt.datetime.now(CHINA_TZ).date()

    demo.say("机构提交准入申请（5 名专职注册安全工程师，180 m²）")
    demo.call("agency", "POST", "/agencies", json=_application(agency_uscc))
    demo.say(f"莲都区应急管理局待办：{[i['title'] for i in demo.inbox('county_regulator')]}")
    demo.call("county_regulator", "POST", f"/agencies/{agency_uscc}/approve", json={})
    demo.say("准入审核通过，机构正常执业")

    created = demo.call("agency", "POST", "/projects", json=_project(enterprise_uscc, today))
    pid = created["project"]["project_id"]
    demo.say(
        f"签订书面合同，项目 {pid} 创建；执业告知报送莲都区（下一步：{created['next_step']['description']}）"
    )
    demo.call("county_regulator", "POST", f"/projects/{pid}/filing/acknowledge")
    demo.say("县级应急管理部门确认执业告知")
    demo.call("agency", "POST", f"/projects/{pid}/plan", json={"summary": "月度隐患排查方案"})
    demo.say("提交服务方案")
    demo.call(
        "agency",
        "POST",
        f"/projects/{pid}/visits",
        json={
            "visited_on": today.isoformat(),
            "present": ["p1", "p2"],
            "activities": ["inspection"],
        },
    )
    demo.say("现场服务一次：全面检查（隐患排查）")
    ended = demo.call(
        "agency", "POST", f"/projects/{pid}/end", json={"ended_on": today.isoformat()}
    )
    demo.say(f"服务结束；报告须于 {ended['project']['report_due_at']} 前上传（演示：30 秒）")
    return str(pid)


def play_from_service_end(demo: Demo, pid: str) -> None:
    """The report's reminders and overdue notice, its late upload, receipt and the closure."""
    enterprise_uscc = demo.tokens["enterprise"][0]

    def agency_has(kind: str) -> bool:
        return any(i["kind"] == kind for i in demo.inbox("agency"))

    demo.wait_for("the first reminder", lambda: agency_has("report.reminder.1"))
    demo.say("第 20 秒：机构收到第一次上传提醒")
    demo.wait_for("the second reminder", lambda: agency_has("report.reminder.2"))
    demo.say("第 27 秒：机构收到第二次上传提醒")
    demo.wait_for(
        "the overdue notice",
        lambda: any(i["kind"] == "report.overdue" for i in demo.inbox("county_regulator")),
    )
    demo.say("第 30 秒：报告逾期，县局收到通知，记录信用事件“报告逾期”")
    time.sleep(3)  # the agency is a little later still
    uploaded = demo.call(
        "agency", "POST", f"/projects/{pid}/report", files={"file": ("服务报告.pdf", PDF)}
    )
    report = uploaded["project"]["report"]
    demo.say(f"机构上传报告（逾期 {report['days_late']} 天），当即受理，随后移交省平台")

    def receipt() -> str | None:
        shown = demo.call("agency", "GET", f"/projects/{pid}")["project"]["report"]
        number: str | None = shown["receipt_number"]
        return number

    demo.wait_for("the platform's receipt", lambda: receipt() is not None)
    demo.say(f"省平台工业企业安全在线已接收：回执 {receipt()}")

    def closed() -> bool:
        return bool(
            demo.call("county_regulator", "GET", f"/projects/{pid}")["project"]["closed_at"]
        )

    demo.wait_for("the closure", closed)
    demo.say("抽查期（演示：10 秒）届满未被抽查：项目归档")
    file = demo.call("enterprise", "GET", f"/enterprises/{enterprise_uscc}/file")
    demo.say(
        f"企业一企一档：{[(p['contract_number'], p['stage_label']) for p in file['projects']]}"
    )
    timeline = demo.call("county_regulator", "GET", f"/projects/{pid}")["timeline"]
    demo.say("项目时间线：")
    for event in timeline:
        print(f"        {event['at'][11:19]}  {event['actor']}: {event['summary']}", flush=True)


def run_demo() -> None:
    agencyflow = Path(sysconfig.get_path("scripts")) / "agencyflow"
    with tempfile.TemporaryDirectory(prefix="agencyflow-demo-") as folder:
        data_dir = Path(folder)
        port = free_port()
        env = child_environment(
            data_dir,
            **SHORT_POLICY,
            AGENCYFLOW_API_PORT=str(port),
            AGENCYFLOW_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
            AGENCYFLOW_TEMPORAL_UI_PORT=str(free_port()),
        )
        log = (data_dir / "stack.log").open("wb")
        stack = subprocess.Popen([str(agencyflow), "dev"], env=env, stdout=log, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}"
            print(f"agencyflow demo: starting a private stack in {folder} …", flush=True)
            _wait_healthy(base, stack)
            tokens = _demo_tokens(data_dir / "demo-users.txt")
            with closing(Demo(base, tokens)) as demo:
                play(demo)
        finally:
            stack.send_signal(signal.SIGINT)
            stack.wait(timeout=60)
            log.close()
    print("agencyflow demo: done; the private stack is stopped and removed.", flush=True)


def _demo_tokens(path: Path) -> dict[str, tuple[str, str]]:
    """Each demo role's (bound USCC, token); ``agencyflow dev`` wrote them on first start."""
    from agencyflow.devstack import DEMO_USERS, read_demo_users

    scopes = {
        binding.role.value: binding.agency_uscc or binding.enterprise_uscc or ""
        for _, binding in DEMO_USERS
    }
    return {
        user.role.value: (scopes[user.role.value], user.token) for user in read_demo_users(path)
    }


def _wait_healthy(base: str, stack: subprocess.Popen[bytes], within: float = 90) -> None:
    if wait_healthy(base, stack, within, pause=0.3):
        return
    if stack.poll() is not None:
        sys.exit(f"agencyflow demo: the stack exited with {stack.returncode}")
    sys.exit("agencyflow demo: the stack did not become healthy")
