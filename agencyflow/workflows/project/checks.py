"""Checks every project step shares: who may act, and at which stage."""

from agencyflow.domain.errors import Conflict, NotFound
from agencyflow.domain.identity import Actor
from agencyflow.domain.project import ProjectProgress, ProjectStage
from agencyflow.domain.project_rules import stage_of
from agencyflow.workflows.steps import require, require_agency, require_regulator

from .models import ProjectState


def progress_of(state: ProjectState) -> ProjectProgress:
    """The project's progress; a step sent before its contract finds no project."""
    if state.progress is None:
        raise NotFound(f"no project {state.project_id}", code="project.not_found")
    return state.progress


def enterprise_name(state: ProjectState) -> str:
    assert state.request is not None, "steps come after the contract"
    return state.request.enterprise.name


def county_of(state: ProjectState) -> str:
    assert state.request is not None, "steps come after the contract"
    return state.request.enterprise.county_code


def check_agency(state: ProjectState, actor: Actor) -> None:
    """The project's own agency, while the project is open."""
    require_agency(
        actor, state.agency_uscc, "only the project's agency may do this", "auth.out_of_scope"
    )
    require(
        progress_of(state).closed_at is None,
        Conflict("the project is closed", code="project.closed"),
    )


def check_regulator(state: ProjectState, actor: Actor) -> None:
    require_regulator(actor, county_of(state), "project")


def require_stage(state: ProjectState, stage: ProjectStage, doing: str) -> None:
    current = stage_of(progress_of(state))
    require(
        current is stage,
        Conflict(
            f"cannot {doing} now: the project is at {current.label} ({current.value}); "
            f"this step belongs to {stage.label} ({stage.value})",
            code="project.out_of_order",
        ),
    )
