"""What Temporal keeps (and its UI shows) holds no one's name or ID number in clear."""

import httpx
from google.protobuf import json_format
from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.history.v1 import History
from temporalio.client import Client

from agencyflow.domain.identity import Role
from agencyflow.workflows.project.models import project_workflow_id
from tests.api.test_hazards import _found
from tests.api.test_projects import admitted
from tests.factories import bearer, id_number, user


async def test_no_id_number_or_name_is_readable_in_any_history(
    api: httpx.AsyncClient, engine: Engine, dev_server_address: str, temporal: Client
) -> None:
    office = await admitted(api, engine)
    pid, (hazard_id,) = await _found(api, office, {})
    # A client without the deployment's key: what anyone reading Temporal gets.
    outsider = await Client.connect(dev_server_address)
    for workflow_id in (f"agency-{office.uscc}", project_workflow_id(pid), f"hazard-{hazard_id}"):
        events = (await outsider.get_workflow_handle(workflow_id).fetch_history()).events
        stored = History(events=events).SerializeToString()
        assert len(events) > 3
        for n in range(1, 6):
            assert id_number(n).encode() not in stored
            assert f"专业人员{n}".encode() not in stored
    # The deployment itself reads them: its worker took every step above with them.
    handle = temporal.get_workflow_handle(f"agency-{office.uscc}")
    assert (await handle.describe()).status is not None


async def test_only_an_administrator_reads_payloads_through_the_codec_endpoint(
    api: httpx.AsyncClient, engine: Engine, dev_server_address: str
) -> None:
    office = await admitted(api, engine)
    outsider = await Client.connect(dev_server_address)
    history = await outsider.get_workflow_handle(f"agency-{office.uscc}").fetch_history()
    first = history.events[0].workflow_execution_started_event_attributes.input
    body = json_format.MessageToJson(Payloads(payloads=first.payloads))
    _, admin = user(engine, Role.ADMIN)

    opened = await api.post("/codec/decode", headers=bearer(admin), content=body)
    assert opened.status_code == 200, opened.text
    decoded = json_format.Parse(opened.text, Payloads())
    assert office.uscc.encode() in decoded.payloads[0].data

    for token in (office.agency, office.county, office.city):
        refused = await api.post("/codec/decode", headers=bearer(token), content=body)
        assert refused.status_code == 403
        assert office.uscc not in refused.text


async def test_a_forged_payload_is_422_at_the_codec_endpoint(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    _, admin = user(engine, Role.ADMIN)
    forged = Payloads(
        payloads=[
            Payload(
                metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"k1"},
                data=b"\x00" * 40,
            )
        ]
    )
    response = await api.post(
        "/codec/decode", headers=bearer(admin), content=json_format.MessageToJson(forged)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "codec.cannot_open"
