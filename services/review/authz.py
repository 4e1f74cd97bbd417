"""Who may see and act on a review task (pure).

Reviewers carry, in their access token, the organisation they work for and their roles
(`organisation`, `roles` claims beside the OIDC registered claims), so a real identity provider
plugs in by issuing the same claims. A reviewer sees only the tasks of their own organisation —
another organisation's task answers as missing — and acts only with the role the step needs, on a
task unassigned or assigned to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from contracts.workflow import TASK_NOT_ACTIONABLE, ReviewRefused
from servicekit.auth import STAFF_SCOPE, Principal, Staff
from services.review.errors import (
    NOBODY,
    OTHER_ORGANISATION,
    ROLE_NOT_PERMITTED,
    TASK_ASSIGNED_TO_ANOTHER,
    TASK_NOT_FOUND,
    WorkflowRefused,
)
from services.review.models import ReviewTask, TaskState


class ReviewerRole(StrEnum):
    OFFICER = "officer"
    """Cán bộ thẩm định: appraises the dossier."""
    COUNCIL_MEMBER = "council_member"
    """Thành viên Hội đồng Thi đua - Khen thưởng."""
    LEADER = "leader"
    """Lãnh đạo: signs off the level's result and assigns the organisation's tasks."""
    CLERK = "clerk"
    """Văn thư / bộ phận tiếp nhận: receives dossiers."""


REVIEWER_SCOPE = STAFF_SCOPE
"""The scope a reviewer's token holds."""
SIGN_OFF_ROLE = ReviewerRole.LEADER
"""The role of a level's one task in reviews started before the steps (receipt, appraisal,
council, sign-off) became tasks of their own."""


@dataclass(frozen=True)
class Reviewer:
    subject: str
    name: str | None
    organisation: str
    roles: frozenset[ReviewerRole]
    title: str | None = None

    @classmethod
    def from_principal(cls, principal: Principal) -> Reviewer:
        staff = Staff.from_principal(principal)
        roles = frozenset(
            ReviewerRole(role) for role in staff.roles if role in ReviewerRole.__members__.values()
        )
        return cls(staff.subject, staff.name, staff.organisation, roles, staff.title)

    def check_can_sign(self) -> None:
        """A sign-off puts the leader's full name and title in the decision's signature block."""
        Staff(self.subject, self.organisation, frozenset(self.roles), self.name, self.title).check_can_sign()


def check_organisation(reviewer: Reviewer, asked: str | None) -> None:
    """The inbox shows the reviewer's own organisation's tasks only."""
    if asked not in (None, reviewer.organisation):
        raise OTHER_ORGANISATION(own=reviewer.organisation, asked=asked)


def visible(reviewer: Reviewer, task: ReviewTask) -> ReviewTask:
    if task.organisation != reviewer.organisation:
        raise TASK_NOT_FOUND(task_id=task.task_id)
    return task


def require_role(reviewer: Reviewer, role: ReviewerRole) -> None:
    if role not in reviewer.roles:
        held = ", ".join(sorted(reviewer.roles)) or NOBODY
        raise ROLE_NOT_PERMITTED(role=role.value, roles=held)


def role_of(task: ReviewTask) -> ReviewerRole:
    """The role the task's step needs (tasks from before steps were the leader's sign-off)."""
    return ReviewerRole(task.role) if task.role else SIGN_OFF_ROLE


def check_can_act(reviewer: Reviewer, task: ReviewTask) -> None:
    """Completion checks the current assignee: an assigned task is the assignee's to complete."""
    visible(reviewer, task)
    if task.state != TaskState.OPEN:  # the inbox saw it closed: the workflow would refuse it alike
        raise WorkflowRefused(ReviewRefused(TASK_NOT_ACTIONABLE, task_id=task.task_id))
    require_role(reviewer, role_of(task))
    if task.assignee is not None and task.assignee != reviewer.subject:
        raise TASK_ASSIGNED_TO_ANOTHER(task_id=task.task_id, assignee=task.assignee)
