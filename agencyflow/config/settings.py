"""Service settings, read from ``AGENCYFLOW_*`` environment variables and ``.env``.

Nested models use ``__``: ``AGENCYFLOW_POLICY__REPORT_DEADLINE=P30D``. Use
`get_settings()`; nothing reads the environment at import time.
"""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agencyflow.domain.inbox import Addressee
from agencyflow.payload_codec import EncryptionCodec, Sealer, key_file, parse_key

from .limits import HistoryLimits
from .notify import OfficeChannels
from .policy import Policy

Port = Annotated[int, Field(ge=1, le=65535)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AGENCYFLOW_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        use_attribute_docstrings=True,
    )

    data_dir: Path = Path("var")
    """Where the embedded default keeps its state: SQLite, Temporal's store, files."""
    database_url: str = ""
    """SQLAlchemy URL of the read model; empty means SQLite at ``<data_dir>/agencyflow.db``."""

    temporal_address: str = "127.0.0.1:7233"
    """host:port of the Temporal frontend; ``agencyflow dev`` starts its server there."""
    temporal_namespace: str = "default"
    """The Temporal namespace of every workflow."""
    temporal_task_queue: str = "agencyflow"
    """The task queue the worker polls and the API starts workflows on."""
    temporal_tls: bool = False
    """Connect to Temporal over TLS."""
    temporal_api_key: SecretStr | None = None
    """For Temporal Cloud; implies TLS."""
    temporal_ui_url: str = ""
    """Base URL of the Temporal UI for links; empty means the dev server's UI."""
    temporal_ui_port: Port = 8233
    """Port of the dev server's UI (``agencyflow dev`` only)."""

    worker_max_cached_workflows: Annotated[int, Field(ge=0, le=1_000_000)] = 1000
    """Workflows a worker keeps in memory between their tasks (sticky execution). Its memory
    grows with this, not with the number of open workflows: one evicted is replayed from its
    history on its next task. 0 turns the cache off (every task replays)."""
    worker_max_concurrent_workflow_tasks: Annotated[int, Field(ge=1, le=10_000)] = 100
    """Workflow tasks a worker runs at once."""
    worker_max_concurrent_activities: Annotated[int, Field(ge=1, le=1_000)] = 32
    """Activities (platform hand-offs, notices) a worker runs at once, each on a thread of
    its own besides ``worker_activity_threads``."""
    worker_max_concurrent_local_activities: Annotated[int, Field(ge=1, le=10_000)] = 100
    """Local activities (each recorded step's write) a worker runs at once."""
    worker_activity_threads: Annotated[int, Field(ge=1, le=1_000)] = 32
    """Threads kept for local activities (each recorded step's write, synchronous): about the
    database's useful concurrency. Each activity slot adds a thread of its own, so a slow
    platform never delays a record."""
    worker_workflow_task_polls: Annotated[int, Field(ge=2, le=100)] = 5
    """Concurrent long polls for workflow tasks (at least 2: sticky and normal queue)."""
    worker_activity_task_polls: Annotated[int, Field(ge=1, le=100)] = 5
    """Concurrent long polls for activity tasks."""
    worker_sticky_schedule_to_start_seconds: Annotated[float, Field(gt=0, le=600)] = 10
    """How long a task waits on a worker's sticky queue before any worker may take it (a
    worker gone away costs its workflows this long at most)."""

    api_host: str = "127.0.0.1"
    """Interface the API listens on."""
    api_port: Port = 8000
    """Port the API listens on."""

    metrics_enabled: bool = False
    """Serve ``GET /metrics`` (Prometheus' text format) on the API, without sign-in: keep it
    off the public address (``docker/nginx.conf`` refuses it there)."""
    worker_metrics_address: str = ""
    """Where a worker serves the Temporal SDK's metrics for Prometheus, e.g. ``0.0.0.0:9464``
    (workflow and activity task latency, slots in use, cache); empty serves none."""

    otel_endpoint: str = ""
    """Where the API and workers send OpenTelemetry traces, over OTLP/HTTP, e.g.
    ``http://collector:4318/v1/traces``; empty sends none."""

    log_format: Literal["auto", "console", "json"] = "auto"
    """``auto``: coloured console lines on a terminal, JSON lines otherwise."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """Lowest level logged."""

    upload_max_bytes: Annotated[int, Field(ge=1024)] = 50 * 1024 * 1024
    """Largest file accepted (service reports, photos), in bytes."""
    request_max_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024
    """Largest request body other than a file upload, in bytes: larger is refused (413)
    before it is parsed, and a command's payload stays far inside Temporal's limits."""
    request_body_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0
    """A request body must have arrived within this many seconds (else 408)."""
    command_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0
    """How long a command waits for its workflow's answer before answering 503; the same
    request sent again (same ``Idempotency-Key``) then learns how it ended."""
    console_idle_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    """A console session left idle this long is over: its person signs in again."""
    console_lockout_failures: Annotated[int, Field(ge=1, le=100)] = 5
    """Wrong passwords in a row that lock a console login…"""
    console_lockout_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 15
    """…for this long."""
    public_url: str = ""
    """The console's address as people reach it, for links in messages; empty means
    ``http://<api_host>:<api_port>``."""
    notify_offices: dict[str, OfficeChannels] = {}
    """Who is told of an office's new inbox items and daily digest, by office (``role:scope``),
    as JSON: ``{"county_regulator:331102": {"email": ["…"], "webhook": "<robot URL>"}}``
    (a robot with 加签 adds ``"webhook_secret"``)."""
    smtp_host: str = ""
    """The mail server messages go through; empty sends no e-mail."""
    smtp_port: Port = 25
    """Its port (587 with ``smtp_starttls``, usually)."""
    smtp_starttls: bool = False
    """Upgrade the connection to TLS before signing in."""
    smtp_username: str = ""
    """Sign in as; empty signs in as nobody."""
    smtp_password: SecretStr | None = None
    """…with this password."""
    smtp_sender: str = "agencyflow@localhost"
    """The From: address."""
    notify_poll_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """How often the notifier looks for messages to send."""
    notify_max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    """Attempts at a message before it is given up (logged as an error); they back off from
    one minute, doubling, to at most six hours apart."""
    notify_digest_hour: Annotated[int, Field(ge=0, le=23)] = 8
    """The hour (China time) from which each office gets its daily digest."""
    notify_digest_days: Annotated[int, Field(ge=1, le=30)] = 3
    """The digest lists open items due within this many days."""
    platform: Literal["outbox", "http"] = "outbox"
    """How reports reach 工业企业安全在线: a local outbox table, or its HTTP API."""
    platform_url: str = ""
    """Base URL of the provincial platform's API (``platform=http``)."""
    platform_token: SecretStr | None = None
    """Bearer token for the provincial platform's API."""

    payload_key: SecretStr | None = None
    """Key that encrypts everything crossing Temporal (32 bytes, URL-safe base64); empty:
    ``<data_dir>/payload.key``, made on first start. Production sets it from a secret store."""
    payload_key_id: Annotated[str, Field(min_length=1, max_length=32)] = "k1"
    """Names the key in each encrypted payload; give a new key a new id to rotate."""
    payload_retired_keys: dict[str, SecretStr] = {}
    """Earlier keys by id (JSON), kept so that payloads sealed with them still open."""

    reporter_key: SecretStr | None = None
    """Key that seals complainants' names, phones and ID numbers at rest (32 bytes, URL-safe
    base64), apart from the payload key: whoever may read payloads may still not read them.
    Empty: ``<data_dir>/reporter.key``, made on first start."""
    reporter_key_id: Annotated[str, Field(min_length=1, max_length=32)] = "r1"
    """Names the key in each sealed identity; give a new key a new id to rotate."""
    reporter_retired_keys: dict[str, SecretStr] = {}
    """Earlier reporter keys by id (JSON), kept so that identities sealed with them open."""
    complaint_filings_per_hour: Annotated[int, Field(ge=1, le=10_000)] = 5
    """Complaints one client address may file in an hour (``POST /public/complaints``)."""
    complaint_attachments_per_hour: Annotated[int, Field(ge=1, le=10_000)] = 30
    """Attachments one client address may upload for complaints in an hour."""
    complaint_attachment_max_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    """The largest attachment (photo or PDF) the public may send with a complaint."""

    history_max_events: Annotated[int, Field(ge=10)] = HistoryLimits().max_events
    """A workflow continues as new past this many history events (or when Temporal says)."""
    history_max_bytes: Annotated[int, Field(ge=10_000)] = HistoryLimits().max_bytes
    """…or past this many bytes of history."""

    demo_users: bool = True
    """``agencyflow dev`` creates one demo user per role on its first start."""

    policy: Policy = Policy()
    """The reform's tunable rules; each is ``AGENCYFLOW_POLICY__<NAME>``."""

    @model_validator(mode="after")
    def _derive_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'agencyflow.db'}"
        if self.platform == "http" and not self.platform_url:
            raise ValueError("platform=http needs platform_url")
        if not self.public_url:
            self.public_url = f"http://{self.api_host}:{self.api_port}"
        for office in self.notify_offices:
            Addressee.named(office)  # a typo must stop the start, not silence an office
        if not self.temporal_ui_url:
            host = self.temporal_address.rsplit(":", 1)[0]
            self.temporal_ui_url = f"http://{host}:{self.temporal_ui_port}"
        return self

    def payload_codec(self) -> EncryptionCodec:
        """The codec every client and worker of this deployment must share."""
        current = self.payload_key.get_secret_value() if self.payload_key else self._embedded_key()
        keys = {
            kid: parse_key(key.get_secret_value()) for kid, key in self.payload_retired_keys.items()
        }
        keys[self.payload_key_id] = parse_key(current)
        return EncryptionCodec(self.payload_key_id, keys)

    def reporter_sealer(self) -> Sealer:
        """What seals and opens complainants' identities (and counts their filings)."""
        current = (
            self.reporter_key.get_secret_value()
            if self.reporter_key
            else key_file(self.data_dir / "reporter.key")
        )
        keys = {
            kid: parse_key(key.get_secret_value())
            for kid, key in self.reporter_retired_keys.items()
        }
        keys[self.reporter_key_id] = parse_key(current)
        return Sealer(self.reporter_key_id, keys)

    def _embedded_key(self) -> str:
        """The embedded default's key, made with its Temporal store and never after: a key
        made anew beside old histories would leave every running workflow unreadable."""
        path = self.data_dir / "payload.key"
        if not path.exists() and self.temporal_db_path.exists():
            raise RuntimeError(
                f"{path} is missing but Temporal's store {self.temporal_db_path} is not new: "
                "restore the key from your backup (its workflows cannot be read without it); "
                "only if this store predates encryption, make one: "
                f"`agencyflow keygen > {path}`"
            )
        return key_file(path)

    def history_limits(self) -> HistoryLimits:
        return HistoryLimits(max_events=self.history_max_events, max_bytes=self.history_max_bytes)

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def temporal_db_path(self) -> Path:
        return self.data_dir / "temporal.db"

    @property
    def temporal_host_port(self) -> tuple[str, int]:
        host, _, port = self.temporal_address.rpartition(":")
        return host, int(port)


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once; tests build `Settings(...)` directly instead."""
    return Settings()
