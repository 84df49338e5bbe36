"""The seriously-untrustworthy list through the API (R8, R11): the city decides a referral,
the listing is public, a listed agency starts no project and sells nothing to the state;
and lists filter and sort by grade (差异化监管)."""

import httpx
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from tests.api.test_projects import Office, admitted
from tests.factories import bearer, fresh_agency, uscc, user

DECISION = "丽应急失信〔2026〕7号"


async def _veto(api: httpx.AsyncClient, office: Office, reference: str = "挂靠-1") -> None:
    vetoed = await api.post(
        f"/agencies/{office.uscc}/credit/events",
        headers=bearer(office.county),
        json={"kind": "affiliation", "reference": reference, "reason": "专职人员挂靠查实"},
    )
    assert vetoed.status_code == 201, vetoed.text


def _decision(**overrides: object) -> dict[str, object]:
    return {"decision": "list", "decision_number": DECISION, "reasons": ["挂靠查实"], **overrides}


async def test_the_city_lists_the_agency_and_the_list_is_public(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    await _veto(api, office)
    url = f"/untrustworthy/{office.uscc}/decision"
    shown = (await api.get(f"/agencies/{office.uscc}/credit", headers=bearer(office.city))).json()
    assert [r["kind"] for r in shown["referrals"]] == ["affiliation"]

    listed = await api.post(url, headers=bearer(office.city), json=_decision())
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert (body["grade"], body["referrals"]) == ("D", [])
    assert body["listing"]["decision_number"] == DECISION

    public = (await api.get("/public/untrustworthy")).json()
    mine = [a for a in public["items"] if a["uscc"] == office.uscc]
    assert [a["listing"]["decision_number"] for a in mine] == [DECISION]
    register = (await api.get("/public/agencies", params={"grade": "D"})).json()["items"]
    assert {a["uscc"]: a["listing"] is not None for a in register}[office.uscc] is True
    procurement = (await api.get(f"/public/agencies/{office.uscc}/procurement")).json()
    assert f"it is on the seriously-untrustworthy list ({DECISION})" in procurement["reasons"]

    refused = await api.post("/projects", headers=bearer(office.agency), json=office.request())
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"][0]["type"] == "agency.untrustworthy"
    assert DECISION in refused.json()["detail"][0]["msg"]
    assert (
        await api.get(f"/projects/{office.pid()}", headers=bearer(office.agency))
    ).status_code in {
        403,
        404,
    }


async def test_a_decision_out_of_place_changes_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    url = f"/untrustworthy/{office.uscc}/decision"
    none_yet = await api.post(url, headers=bearer(office.city), json=_decision())
    assert none_yet.status_code == 409
    assert none_yet.json()["detail"][0]["type"] == "untrustworthy.no_referral"

    await _veto(api, office)
    for token in (office.county, office.agency, office.other_county, office.owner):
        assert (await api.post(url, headers=bearer(token), json=_decision())).status_code == 403
    unnumbered = await api.post(
        url, headers=bearer(office.city), json=_decision(decision_number=None)
    )
    assert unnumbered.status_code == 422
    assert unnumbered.json()["detail"][0]["loc"][-1] == "decision_number"
    no_reasons = await api.post(url, headers=bearer(office.city), json=_decision(reasons=[]))
    assert no_reasons.status_code == 422
    wrong = await api.post(url, headers=bearer(office.city), json=_decision(decision="maybe"))
    assert wrong.status_code == 422
    missing = await api.post(
        "/untrustworthy/91331102MA9999999X/decision", headers=bearer(office.city), json=_decision()
    )
    assert missing.status_code == 404

    shown = (await api.get(f"/agencies/{office.uscc}/credit", headers=bearer(office.city))).json()
    assert (shown["listing"], len(shown["referrals"])) == (None, 1)

    declined = await api.post(
        url, headers=bearer(office.city), json={"decision": "decline", "reasons": ["情节轻微"]}
    )
    assert declined.status_code == 200, declined.text
    assert (declined.json()["listing"], declined.json()["referrals"]) == (None, [])


async def test_removal_is_asked_by_the_agency_itself_and_not_too_early(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    url = f"/untrustworthy/{office.uscc}/removal"
    asks = {"reasons": ["已整改"]}
    not_listed = await api.post(url, headers=bearer(office.agency), json=asks)
    assert not_listed.status_code == 409
    assert not_listed.json()["detail"][0]["type"] == "untrustworthy.not_listed"

    await _veto(api, office)
    decided = await api.post(
        f"/untrustworthy/{office.uscc}/decision", headers=bearer(office.city), json=_decision()
    )
    assert decided.status_code == 200, decided.text
    _, other_agency = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    for token in (other_agency, office.city, office.county):
        assert (await api.post(url, headers=bearer(token), json=asks)).status_code == 403
    assert (await api.post(url, headers=bearer(office.agency), json={})).status_code == 422
    unknown = await api.post(url, headers=bearer(office.agency), json={**asks, "files": ["0" * 64]})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["type"] == "file.unknown"
    early = await api.post(url, headers=bearer(office.agency), json=asks)
    assert early.status_code == 409
    assert early.json()["detail"][0]["type"] == "untrustworthy.removal_too_early"

    decide = f"{url}/decision"
    nothing = await api.post(
        decide, headers=bearer(office.city), json={"remove": True, "reasons": ["x"]}
    )
    assert nothing.status_code == 409
    assert nothing.json()["detail"][0]["type"] == "untrustworthy.no_removal"
    for token in (office.county, office.agency):
        answer = await api.post(
            decide, headers=bearer(token), json={"remove": True, "reasons": ["x"]}
        )
        assert answer.status_code == 403


async def test_lists_filter_and_sort_by_grade(api: httpx.AsyncClient, engine: Engine) -> None:
    a = await admitted(api, engine)
    c = await admitted(api, engine, first_professional=10)  # its own people: one agency each
    penalty = {"kind": "administrative_penalty_serious", "reason": "处罚"}
    for reference in ("罚-1", "罚-2"):  # −20 each: 60, D
        recorded = await api.post(
            f"/agencies/{c.uscc}/credit/events",
            headers=bearer(c.county),
            json={**penalty, "reference": reference},
        )
        assert recorded.status_code == 201, recorded.text

    def grades(page: dict[str, list[dict[str, str]]]) -> dict[str, str]:
        return {item["uscc"]: item["credit_grade"] for item in page["items"]}

    close = await api.get("/agencies", headers=bearer(a.county), params={"grade": ["C", "D"]})
    assert close.status_code == 200, close.text
    assert c.uscc in grades(close.json()) and a.uscc not in grades(close.json())
    assert all(item["close_supervision"] for item in close.json()["items"])
    only_a = (await api.get("/public/agencies", params={"grade": "A", "limit": 500})).json()
    assert a.uscc in grades(only_a) and c.uscc not in grades(only_a)

    by_grade = await api.get("/public/agencies", params={"sort": "grade", "limit": 500})
    order = [item["credit_grade"] for item in by_grade.json()["items"]]
    assert order == sorted(order)
    listed = await api.get(
        "/agencies", headers=bearer(a.city), params={"sort": "grade", "limit": 500}
    )
    order = [item["credit_grade"] for item in listed.json()["items"]]
    assert order == sorted(order) and order[-1] == "D"
    assert (await api.get("/public/agencies", params={"grade": "E"})).status_code == 422
    assert (await api.get("/public/agencies", params={"sort": "score"})).status_code == 422
