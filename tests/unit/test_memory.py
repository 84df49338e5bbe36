"""A step's draft: apart from the state in everything a step changes, sharing the answers."""

from agencyflow.domain.project import VisitActivity
from agencyflow.workflows.memory import REMEMBERED_REPLIES, Ack
from agencyflow.workflows.project.models import ProjectState


def remembering(count: int) -> ProjectState:
    state = ProjectState(project_id="p-1", agency_uscc="91331102MA0000000X")
    for n in range(count):
        state.remember(f"update-{n}", Ack(seq=n, found=[f"h{n}"]))
    return state


def test_a_draft_changes_nothing_of_the_state() -> None:
    state = remembering(3)
    before = state.model_dump()
    draft = state.draft()
    draft.seq = 99
    draft.visits.count += 1
    draft.visits.activities.append(VisitActivity.INSPECTION)
    draft.reminders_sent.append(0)
    draft.next_hazard = 7
    assert state.model_dump() == before


def test_a_draft_shares_the_answers_instead_of_copying_them() -> None:
    state = remembering(REMEMBERED_REPLIES)
    draft = state.draft()
    assert draft.replies is state.replies
    assert draft.replied("update-5") == Ack(seq=5, found=["h5"])


def test_an_adopted_draft_keeps_the_answers_bounded() -> None:
    state = remembering(REMEMBERED_REPLIES)
    adopted = state.draft()
    adopted.remember("update-new", Ack(seq=REMEMBERED_REPLIES))
    assert adopted.replied("update-new") == Ack(seq=REMEMBERED_REPLIES)
    assert adopted.replied("update-0") is None  # the oldest made room
    assert len(adopted.replies) == REMEMBERED_REPLIES
