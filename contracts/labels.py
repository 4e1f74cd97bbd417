"""What people read for the platform's codes: review levels, the steps of a level, reviewers'
actions and roles, in Vietnamese and English. One table each, shared by every text that names
them (notices, dossier histories); a code without a row reads as itself.

Levels are named by the table of review levels (``contracts/levels.py``), by period: the second
level is "cấp huyện" before 01/07/2025 and "cấp xã" from that date; ``LEVELS`` gives the names a
text uses where no date is at hand ("cấp xã/huyện")."""

from __future__ import annotations

from contracts.events import ReviewAction, ReviewStepKind
from contracts.levels import REVIEW_LEVELS, Label

__all__ = ["ACTIONS", "LEVELS", "ROLES", "STEPS", "Label", "both", "label"]

LEVELS: dict[str, Label] = {row.level: row.label for row in REVIEW_LEVELS}

STEPS: dict[str, Label] = {
    ReviewStepKind.RECEIPT: Label("Tiếp nhận", "Receipt"),
    ReviewStepKind.APPRAISAL: Label("Thẩm định", "Appraisal"),
    ReviewStepKind.PUBLIC_COMMENT: Label("Lấy ý kiến công khai", "Public comment"),
    ReviewStepKind.COUNCIL: Label("Hội đồng", "Council"),
    ReviewStepKind.SIGN_OFF: Label("Lãnh đạo ký duyệt", "Leader's sign-off"),
}

ACTIONS: dict[str, Label] = {
    ReviewAction.ACCEPT: Label("đồng ý tiếp nhận", "accepted"),
    ReviewAction.RECOMMEND: Label("đề nghị trình duyệt", "recommended for approval"),
    ReviewAction.RECORD_VOTE: Label("ghi nhận kết quả bỏ phiếu", "vote recorded"),
    ReviewAction.APPROVE: Label("đồng ý", "approved"),
    ReviewAction.REJECT: Label("không chấp thuận", "rejected"),
    ReviewAction.RETURN: Label("trả lại để bổ sung", "returned for supplement"),
    ReviewAction.WITHDRAWN: Label("hồ sơ được rút", "withdrawn"),
}

ROLES: dict[str, Label] = {
    "clerk": Label("văn thư", "clerk"),
    "officer": Label("chuyên viên", "officer"),
    "council_member": Label("thành viên Hội đồng", "council member"),
    "leader": Label("lãnh đạo", "leader"),
}


def label(table: dict[str, Label], code: str | None, language: str = "vi") -> str:
    """``code``'s label in ``language``; the code itself where the table has no row."""
    if code is None:
        return ""
    found = table.get(code)
    return found.in_language(language) if found else code


def both(table: dict[str, Label], code: str | None) -> Label:
    """``code``'s labels in both languages (the code itself for each where the table has no row)."""
    return Label(label(table, code, "vi"), label(table, code, "en"))
