"""A record that outlives its attempt's timeout writes nothing: the workflow has already
given up on it and told the user the step did not happen (``agencyflow.activities.in_time``)."""

import asyncio
import concurrent.futures
import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine
from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from agencyflow.activities.names import INBOX_SEND
from agencyflow.config.settings import Settings
from agencyflow.domain.inbox import Addressee, InboxMessage
from agencyflow.store.engine import COMMIT_BY, LateCommit, transaction
from agencyflow.store.inbox import send_in
from agencyflow.worker import build_worker
from tests.reading import open_items_of


@workflow.defn
class RecordWithShortTimeout:
    """One record, one attempt of two seconds, as a step's record is (shorter)."""

    @workflow.run
    async def run(self, message: InboxMessage) -> str:
        try:
            await workflow.execute_local_activity(
                INBOX_SEND,
                message,
                start_to_close_timeout=dt.timedelta(seconds=2),
                retry_policy=RetryPolicy(maximum_attempts=1),
            )
        except ActivityError:
            return "given up"
        return "recorded"


@contextmanager
def writes_held(engine: Engine, table: str) -> Iterator[None]:
    """Another transaction holds the table's writes (a long migration, a stuck writer)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql(f"BEGIN; LOCK TABLE {table} IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            connection.exec_driver_sql("ROLLBACK")


def _message(resource: str) -> InboxMessage:
    return InboxMessage(
        resource=resource, kind="probe.late", addressee=Addressee.county("331102"), title="迟到"
    )


async def test_a_record_that_starts_after_its_timeout_writes_nothing(
    temporal: Client, api_settings: Settings, engine: Engine
) -> None:
    """On the dev server: its clock is the wall clock the attempts' timeouts run on."""
    settings = api_settings
    client, queue = temporal, settings.temporal_task_queue
    # One thread: while one record waits for the table, the other waits for the thread,
    # and starts only once the workflow has given up on it.
    one_thread = concurrent.futures.ThreadPoolExecutor(1)
    run = uuid.uuid4().hex
    messages = [_message(f"probes/late-{n}-{run}") for n in range(2)]
    tuned = settings.model_copy(update={"worker_max_concurrent_activities": 1})
    async with build_worker(
        client, tuned, engine, workflows=[RecordWithShortTimeout], activity_executor=one_thread
    ):
        with writes_held(engine, "inbox_item"):
            outcomes = await asyncio.gather(
                *(
                    client.execute_workflow(
                        RecordWithShortTimeout.run, message, id=message.resource, task_queue=queue
                    )
                    for message in messages
                )
            )
            assert outcomes == ["given up", "given up"]
        # Released, the waiting attempts go on, both past their timeouts.
    # Leaving, the worker waited for them to end.
    one_thread.shutdown(wait=True)
    for message in messages:
        assert open_items_of(engine, message.resource) == {}

    # Nothing held, the same record lands.
    async with build_worker(client, settings, engine, workflows=[RecordWithShortTimeout]):
        outcome = await client.execute_workflow(
            RecordWithShortTimeout.run, messages[0], id=f"probes/on-time-{run}", task_queue=queue
        )
    assert outcome == "recorded"
    assert set(open_items_of(engine, messages[0].resource)) == {"probe.late"}


def test_a_transaction_past_its_commit_deadline_rolls_back(engine: Engine) -> None:
    message = _message("probes/late-2")
    token = COMMIT_BY.set(0.0)  # long past
    try:
        with pytest.raises(LateCommit), transaction(engine) as session:
            send_in(session, message)
    finally:
        COMMIT_BY.reset(token)
    assert open_items_of(engine, message.resource) == {}
    with transaction(engine) as session:
        send_in(session, message)
    assert set(open_items_of(engine, message.resource)) == {"probe.late"}
