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
from servicekit.auth import Principal, Staff
from servicekit.problems import ProblemError
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


SIGN_OFF_ROLE = ReviewerRole.LEADER
"""The role of a level's one task in reviews started before the steps (receipt, appraisal,
council, sign-off) became tasks of their own."""


@dataclass(frozen=True)
class Reviewer:
    subject: str
    name: str
    organisation: str
    roles: frozenset[ReviewerRole]

    @classmethod
    def from_principal(cls, principal: Principal) -> Reviewer:
        staff = Staff.from_principal(principal)
        roles = frozenset(
            ReviewerRole(role) for role in staff.roles if role in ReviewerRole.__members__.values()
        )
        return cls(staff.subject, staff.name, staff.organisation, roles)


def visible(reviewer: Reviewer, task: ReviewTask) -> ReviewTask:
    if task.organisation != reviewer.organisation:
        raise task_not_found(task.task_id)
    return task


def task_not_found(task_id: str) -> ProblemError:
    return ProblemError(
        404,
        "task-not-found",
        f"Không tìm thấy nhiệm vụ xét duyệt '{task_id}'.",
        f"No review task with id '{task_id}'.",
    )


def require_role(reviewer: Reviewer, role: ReviewerRole) -> None:
    if role not in reviewer.roles:
        raise ProblemError(
            403,
            "role-not-permitted",
            f"Việc này cần vai trò '{role.value}'.",
            f"This needs the role '{role.value}'.",
        )


def role_of(task: ReviewTask) -> ReviewerRole:
    """The role the task's step needs (tasks from before steps were the leader's sign-off)."""
    return ReviewerRole(task.role) if task.role else SIGN_OFF_ROLE


def check_can_act(reviewer: Reviewer, task: ReviewTask) -> None:
    """Completion checks the current assignee: an assigned task is the assignee's to complete."""
    visible(reviewer, task)
    if task.state != TaskState.OPEN:  # the inbox saw it closed: the workflow would refuse it alike
        raise ReviewRefused(TASK_NOT_ACTIONABLE, task_id=task.task_id)
    require_role(reviewer, role_of(task))
    if task.assignee is not None and task.assignee != reviewer.subject:
        raise ProblemError(
            409,
            "task-assigned-to-another",
            f"Nhiệm vụ đang được giao cho '{task.assignee}'.",
            f"The task is assigned to '{task.assignee}'.",
        )
