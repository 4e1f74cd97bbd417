"""What people read for the platform's codes: review levels, the steps of a level, reviewers'
actions and roles, in Vietnamese and English. One table each, shared by every text that names
them (notices, dossier histories); a code without a row reads as itself.

The second level is "cấp xã/huyện": the district before 01/07/2025 and, from that date, the
commune that holds the former district powers (DOMAIN.md §3.1)."""

from __future__ import annotations

from typing import NamedTuple

from contracts.events import ReviewAction, ReviewLevel, ReviewStepKind


class Label(NamedTuple):
    vi: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.vi


LEVELS: dict[str, Label] = {
    ReviewLevel.UNIT: Label("cấp cơ sở", "unit level"),
    ReviewLevel.DISTRICT: Label("cấp xã/huyện", "commune/district level"),
    ReviewLevel.PROVINCE: Label("cấp tỉnh", "provincial level"),
    ReviewLevel.CENTRAL: Label("cấp trung ương", "central level"),
}

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
