"""What workflow tests read from Temporal besides answers: rejections and the server's date."""

import datetime as dt
from collections.abc import Awaitable

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from agencyflow.domain.calendar import CHINA_TZ


def rejection_of(error: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> ApplicationError:
    """The business rejection behind a failed update (see `workflows.rejections`)."""
    cause = error.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def server_today(env: WorkflowEnvironment) -> dt.date:
    """Today in China by the test server's clock, which time-skipping moves ahead."""
    return (await env.get_current_time()).astimezone(CHINA_TZ).date()


async def refusal(attempt: Awaitable[object]) -> ApplicationError:
    """The business rejection of an update the workflow refuses (sent by ``attempt``)."""
    with pytest.raises(WorkflowUpdateFailedError) as error:
        await attempt
    return rejection_of(error)
