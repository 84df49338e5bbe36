"""``/public/complaints``: anyone reports an agency (举报, R13), without an account.

The reporter may stay anonymous, or give a name, a phone and an ID number: these are sealed
at rest under a key of their own (`Settings.reporter_sealer`) and cross into the
complaint's workflow only as a reference. The answer is a tracking code and a secret,
shown once; with both, ``GET /public/complaints/{code}`` tells where the complaint stands
and, once it is closed, what the regulator published, never the internal findings. A
client address files a few complaints an hour (429 beyond), and the same complaint sent
twice within a day is refused (409).
"""

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Request, UploadFile, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Engine
from starlette.datastructures import UploadFile as StarletteUpload
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from agencyflow.api.deps import EngineDep, SettingsDep, TemporalDep
from agencyflow.api.errors import ErrorBody, TooManyRequests
from agencyflow.api.temporal_errors import IDEMPOTENCY_KEY, reaching_temporal
from agencyflow.api.upload_names import upload_name
from agencyflow.config.settings import Settings
from agencyflow.domain.bounded import Day, FileId
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.complaints import ComplaintStage, ComplaintSubject, handling_county
from agencyflow.domain.errors import Conflict, NotFound, RuleViolations, Violation
from agencyflow.domain.id_numbers import IdNumber
from agencyflow.domain.regions import JURISDICTIONS
from agencyflow.domain.uscc import Uscc
from agencyflow.files import FileStore, described, sniff
from agencyflow.payload_codec import Sealer
from agencyflow.store import agencies, complaints, files
from agencyflow.store.complaints import ComplaintAccessRow
from agencyflow.store.types import utcnow
from agencyflow.workflows.complaint.models import ComplaintInput, complaint_workflow_id
from agencyflow.workflows.complaint.workflow import ComplaintWorkflow

router = APIRouter(prefix="/public/complaints", tags=["complaints"])

COUNTIES = frozenset(j.code for j in JURISDICTIONS)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Without 0/O, 1/I/L: a code and a secret are often copied by hand from a screen."""
REPEAT_WINDOW = dt.timedelta(days=1)
SECRET_HEADER = "X-Complaint-Secret"
ATTACHMENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
Short = Annotated[str, Field(min_length=1, max_length=200)]
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Too many complaints from one address."}
}


class Reporter(BaseModel):
    """Who reports, if they choose to say: sealed at rest, shown only to the regulator
    handling the complaint, on a reason, audited."""

    name: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    phone: Annotated[str, Field(max_length=20, pattern=r"^\+?[0-9][0-9-]{4,19}$")] | None = None
    id_number: IdNumber | None = None


class ComplaintBody(BaseModel):
    agency_uscc: Uscc | None = None
    agency_name: Short | None = None
    """The agency complained about: by its USCC, or by its name when that is unknown."""
    enterprise_name: Short | None = None
    enterprise_county: Annotated[str, Field(max_length=6, pattern=r"^\d{6}$")] | None = None
    """Where the enterprise served is, if known: that county handles the complaint."""
    project_id: Annotated[str, Field(max_length=40)] | None = None
    happened_on: Day | None = None
    account: Annotated[str, Field(min_length=10, max_length=4000)]
    """What happened."""
    whistleblower: bool = False
    """The reporter works at the agency (内部吹哨人)."""
    reporter: Reporter | None = None
    """Empty: anonymous."""
    files: Annotated[list[FileId], Field(max_length=10)] = []
    """Attachments, by the ids ``POST /public/complaints/attachments`` answered."""

    @model_validator(mode="after")
    def _names_an_agency(self) -> "ComplaintBody":
        if self.agency_uscc is None and self.agency_name is None:
            raise ValueError("name the agency: agency_uscc, or agency_name")
        return self


class Filed(BaseModel):
    code: str
    secret: str
    """Shown once: with the code, it shows where the complaint stands. Keep both."""


class Attached(BaseModel):
    file_id: str
    size: int
    content_type: str


class Tracked(BaseModel):
    code: str
    stage: ComplaintStage
    filed_at: dt.datetime
    merged_into: str | None = None
    """Merged with an earlier report of the same matter, which answers for both."""
    outcome_stage: ComplaintStage
    """Where the answering complaint stands (this one, or the one it was merged into)."""
    published: str | None = None
    """What the regulator published of the outcome, once the complaint is closed."""
    reward_yuan: Decimal | None = None
    """The reward owed to this report's reporter, the first of the matter, when found true:
    claimed with the tracking code and secret."""
    reward_paid_on: dt.date | None = None


def _refusals(body: ComplaintBody, today: dt.date) -> list[Violation]:
    problems = []
    if body.enterprise_county is not None and body.enterprise_county not in COUNTIES:
        problems.append(
            Violation(
                code="complaint.county_unknown",
                field="enterprise_county",
                message="a county of Lishui (see /public/agencies for the codes)",
            )
        )
    if body.happened_on is not None and body.happened_on > today:
        problems.append(
            Violation(
                code="complaint.future",
                field="happened_on",
                message="what happened lies in the past",
            )
        )
    return problems


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@router.post("", name="complaints.file", status_code=status.HTTP_201_CREATED, responses=TOO_MANY)
async def file_complaint(
    body: ComplaintBody,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_KEY,
            min_length=16,
            max_length=64,
            pattern=r"^[A-Za-z0-9._:-]+$",
            description="A name for this filing that only you know (e.g. a UUID): sent again "
            "with the same complaint, it is filed once and answered with the same code and "
            "secret, so an answer lost on the way loses nothing.",
        ),
    ] = None,
) -> Filed:
    """File a complaint about an agency, anonymously or not; no account needed. Attachments
    are uploaded first (``POST /public/complaints/attachments``) and named by their ids."""
    return await file(body, client_of(request), engine, settings, temporal, idempotency_key)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _within_the_hour(
    count: Callable[[Engine, str, dt.datetime], int],
    engine: Engine,
    client: str,
    limit: int,
    what: str,
    code: str,
) -> None:
    """Refuse (429) an address that sent ``limit`` of these in the last hour already."""
    hour_ago = utcnow() - dt.timedelta(hours=1)
    if await anyio.to_thread.run_sync(count, engine, client, hour_ago) >= limit:
        raise TooManyRequests(f"too many {what} from this address: try again in an hour", code=code)


async def file(
    body: ComplaintBody,
    client_host: str,
    engine: Engine,
    settings: Settings,
    temporal: Client,
    key: str | None = None,
) -> Filed:
    """The filing, wherever it comes from (this API, or the public console page). With a
    ``key``, its code, secret and reporter reference are derived from it (a keyed hash), so
    the same filing sent again is answered as the first was, and completes whatever an
    attempt cut short (by a crash, or Temporal away) left undone."""
    now = utcnow()
    problems = _refusals(body, now.astimezone(CHINA_TZ).date())
    if body.files and (
        missing := await anyio.to_thread.run_sync(files.unknown, engine, body.files)
    ):
        problems.append(
            Violation(
                code="file.unknown",
                field="files",
                message=f"no upload with id {sorted(missing)[0]}: upload attachments first",
            )
        )
    if problems:
        raise RuleViolations(problems)
    sealer = settings.reporter_sealer()
    client = sealer.digest(client_host)
    content = sealer.digest(json.dumps(body.model_dump(mode="json"), sort_keys=True))
    if key is None:
        code, secret = "JB" + _random(12), _random(24)  # 59 and 118 bits
        reporter_ref = secrets.token_hex(16)
        kept = None
    else:
        code, secret = "JB" + _derived(sealer, key, "code", 12), _derived(sealer, key, "secret", 24)
        reporter_ref = sealer.digest(f"complaint.reporter:{key}")[:32]
        kept = await anyio.to_thread.run_sync(complaints.access, engine, code)
    if kept is None:
        await _new_filing(engine, settings, client, content, now)
    else:
        _same_complaint(kept, content)
    identity = body.reporter.model_dump_json(exclude_none=True) if body.reporter else "{}"
    named = identity != "{}"  # a reporter block with nothing in it names nobody
    if named:
        await anyio.to_thread.run_sync(
            complaints.keep_reporter, engine, sealer, reporter_ref, identity.encode(), now
        )
    known = (
        await anyio.to_thread.run_sync(agencies.get, engine, body.agency_uscc)
        if body.agency_uscc
        else None
    )
    filing = ComplaintSubject(
        code=code,
        agency_uscc=body.agency_uscc,
        agency_name=known.facts.legal_name
        if known
        else (body.agency_name or body.agency_uscc or ""),
        enterprise_name=body.enterprise_name,
        enterprise_county=body.enterprise_county,
        project_id=body.project_id,
        county_code=handling_county(
            body.enterprise_county, known.jurisdiction_code if known else None
        ),
        happened_on=body.happened_on,
        account=body.account,
        files=list(dict.fromkeys(body.files)),
        whistleblower=body.whistleblower,
        reporter_ref=reporter_ref if named else None,
        filed_at=kept.filed_at if kept is not None else now,
    )
    async with reaching_temporal(settings.command_timeout_seconds):
        try:
            await temporal.start_workflow(
                ComplaintWorkflow.run,
                ComplaintInput(code=code, policy=settings.policy, filing=filing),
                id=complaint_workflow_id(code),
                task_queue=settings.temporal_task_queue,
                # A complaint's id is its code: never a second run of it, even once it ended.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            if key is None:
                raise
            # Sent again: filed already, perhaps by an attempt that ended before its answer.
    access = ComplaintAccessRow(
        code=code,
        secret_hash=_hash(secret),
        client_digest=client,
        content_digest=content,
        filed_at=filing.filed_at,
    )
    _same_complaint(await anyio.to_thread.run_sync(complaints.keep_access, engine, access), content)
    return Filed(code=code, secret=secret)


def _same_complaint(kept: ComplaintAccessRow, content: str) -> None:
    if kept.content_digest != content:
        raise Conflict(
            "this Idempotency-Key was sent with another complaint: use a new key for it",
            code="idempotency.key_reused",
        )


async def _new_filing(
    engine: Engine, settings: Settings, client: str, content: str, now: dt.datetime
) -> None:
    """Refuse a filing beyond the address's hourly count, or the same complaint again."""
    await _within_the_hour(
        complaints.filings_since,
        engine,
        client,
        settings.complaint_filings_per_hour,
        "complaints",
        "complaint.too_many",
    )
    if await anyio.to_thread.run_sync(
        complaints.filed_already, engine, content, now - REPEAT_WINDOW
    ):
        raise Conflict(
            "this complaint was filed already: use the tracking code you were given",
            code="complaint.duplicate",
        )


def _random(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _derived(sealer: Sealer, key: str, what: str, length: int) -> str:
    """``length`` characters of the alphabet from a keyed hash of the filing's key: the same
    key gives the same code and secret, and nobody without the service's key can find them."""
    number = int(sealer.digest(f"complaint.{what}:{key}"), 16)
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


@router.post(
    "/attachments",
    name="complaints.attach",
    status_code=status.HTTP_201_CREATED,
    responses=TOO_MANY,
)
async def attach(
    file: UploadFile, request: Request, engine: EngineDep, settings: SettingsDep
) -> Attached:
    """A photo (JPEG, PNG) or a PDF for a complaint, checked by its content; name its id in
    the complaint's ``files``. Counted against the address's hourly attachments."""
    return await keep_attachment(file, client_of(request), engine, settings)


async def keep_attachment(
    file: StarletteUpload, client_host: str, engine: Engine, settings: Settings
) -> Attached:
    limit = settings.complaint_attachment_max_bytes
    name = upload_name(file.filename, "attachment")
    content = await file.read(limit + 1)
    actual = sniff(content)
    problem = None
    if len(content) > limit:
        problem = ("file.too_large", f"an attachment is at most {limit} bytes")
    elif actual not in ATTACHMENT_TYPES:
        problem = ("file.not_accepted", "a JPEG or PNG photo, or a PDF (checked by content)")
    if problem:
        raise RuleViolations.one(problem[0], "file", problem[1])
    assert actual is not None
    client = settings.reporter_sealer().digest(client_host)
    await _within_the_hour(
        complaints.attachments_since,
        engine,
        client,
        settings.complaint_attachments_per_hour,
        "attachments",
        "complaint.too_many_attachments",
    )
    store = FileStore(settings.files_dir)

    def keep() -> Attached:
        stored = described(content, filename=name, content_type=actual)
        complaints.keep_attachment(engine, stored, client, utcnow(), lambda: store.write(content))
        return Attached(file_id=stored.sha256, size=stored.size, content_type=actual)

    return await anyio.to_thread.run_sync(keep)


@router.get("/{code}", name="complaints.track")
async def track(
    code: Annotated[str, Path(max_length=32)],
    engine: EngineDep,
    secret: Annotated[str | None, Header(alias=SECRET_HEADER, max_length=64)] = None,
) -> Tracked:
    """Where the complaint stands, for whoever holds its code and secret (header
    ``X-Complaint-Secret``); anything else is 404, whether or not the code exists."""
    access = await anyio.to_thread.run_sync(complaints.access, engine, code)
    if (
        access is None
        or secret is None
        or not hmac.compare_digest(access.secret_hash, _hash(secret))
    ):
        raise NotFound("no complaint with that code and secret", code="complaint.not_found")
    shown = await anyio.to_thread.run_sync(complaints.get, engine, code)
    if shown is None:  # its first record is moments behind the filing
        filed = ComplaintStage.FILED
        return Tracked(code=code, stage=filed, outcome_stage=filed, filed_at=access.filed_at)
    progress, answering = shown.progress, shown.progress
    if progress.merged_into is not None:  # the complaint it joined answers for it
        joined = await anyio.to_thread.run_sync(complaints.get, engine, progress.merged_into)
        answering = joined.progress if joined is not None else progress
    owed = answering.reward if answering.reward_holder == code else None
    return Tracked(
        code=code,
        stage=progress.stage,
        filed_at=shown.subject.filed_at,
        merged_into=progress.merged_into,
        outcome_stage=answering.stage,
        published=None if answering.open else answering.published,
        reward_yuan=owed.reward_yuan if owed else None,
        reward_paid_on=answering.reward_paid_on if owed else None,
    )
