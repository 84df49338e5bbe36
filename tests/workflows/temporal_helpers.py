"""What workflow tests read from Temporal besides answers: rejections and the server's date."""

import datetime as dt

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
