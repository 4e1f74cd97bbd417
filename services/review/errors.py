"""Every refusal the review service answers, once: its own (the inbox, assignment, public comment,
the signer's identity, the review engine away) and the review workflow's, generated from
``contracts.workflow.REFUSALS`` so that the workflow and the service share one list.

A workflow refusal names its facts in each message's own language (an action is "phê duyệt" in
Vietnamese, "approve" in English): it is raised as :class:`WorkflowRefused`, which formats its
messages through :class:`contracts.workflow.ReviewRefused`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from contracts.workflow import REFUSALS, RefusalKind, ReviewRefused
from servicekit.errors import Catalogue, DomainError, ErrorCode, Refusal

VIETNAM_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
"""The time people read in messages (a period closes at 17:00 in Hà Nội, not at 10:00 UTC)."""
ENGINE_RETRY_AFTER_SECONDS = 5
NOBODY = "—"

# --- the inbox and its tasks -------------------------------------------------------------------

OTHER_ORGANISATION = ErrorCode(
    "other-organisation",
    Refusal.FORBIDDEN,
    "Chỉ xem được nhiệm vụ của đơn vị mình ({own}), không xem được của đơn vị {asked}.",
    "Reviewers see only their own organisation's tasks ({own}), not those of {asked}.",
    meaning="The inbox was asked for another organisation's tasks; leave out `organisation`.",
)
TASK_NOT_FOUND = ErrorCode(
    "task-not-found",
    Refusal.NOT_FOUND,
    "Không tìm thấy nhiệm vụ xét duyệt '{task_id}' của đơn vị bạn.",
    "No review task with id '{task_id}' in your organisation.",
    meaning="No such task in the reviewer's organisation (another organisation's task answers alike).",
)
ROLE_NOT_PERMITTED = ErrorCode(
    "role-not-permitted",
    Refusal.FORBIDDEN,
    "Việc này cần vai trò '{role}'; mã truy cập của bạn có các vai trò: {roles}.",
    "This needs the role '{role}'; your token gives the roles: {roles}.",
    meaning="The reviewer lacks the role the step needs (or, to assign a task, the leader's).",
)
TASK_ASSIGNED_TO_ANOTHER = ErrorCode(
    "task-assigned-to-another",
    Refusal.CONFLICT,
    "Nhiệm vụ {task_id} đang được giao cho '{assignee}'; chỉ người đó xử lý được.",
    "Task {task_id} is assigned to '{assignee}'; only they can act on it.",
    meaning="The task is assigned to another reviewer.",
)

# --- assignment --------------------------------------------------------------------------------

TASK_ALREADY_CLAIMED = ErrorCode(
    "task-already-claimed",
    Refusal.CONFLICT,
    "Nhiệm vụ {task_id} đã được '{assignee}' nhận.",
    "Task {task_id} is already claimed by '{assignee}'.",
    meaning="Another reviewer holds the task; they may release or delegate it, or a leader reassign it.",
)
TASK_NOT_CLAIMED_BY_YOU = ErrorCode(
    "task-not-claimed-by-you",
    Refusal.CONFLICT,
    "Chỉ người đang nhận nhiệm vụ {task_id} mới trả lại hoặc chuyển giao được; người đang nhận: {holder}.",
    "Only the reviewer holding task {task_id} can release or delegate it; it is held by: {holder}.",
    meaning="Releasing or delegating a task the reviewer does not hold.",
)
UNKNOWN_ASSIGNEE = ErrorCode(
    "unknown-assignee",
    Refusal.INVALID,
    "Không giao được cho '{assignee}': không phải cán bộ của {organisation} mà hệ thống biết (cán bộ "
    "được biết sau lần đăng nhập đầu tiên; xem GET /v1/staff).",
    "Cannot assign to '{assignee}': not an officer of {organisation} the platform knows (an officer is "
    "known after their first sign-in; see GET /v1/staff).",
    meaning="An assignee or delegate must be a known staff member of the task's organisation.",
)
ASSIGNEE_LACKS_ROLE = ErrorCode(
    "assignee-lacks-role",
    Refusal.INVALID,
    "Không giao được cho {assignee}: bước này cần vai trò '{role}', cán bộ đó có: {roles}.",
    "Cannot assign to {assignee}: this step needs the role '{role}'; they hold: {roles}.",
    meaning="A task goes only to someone who may act on it: the assignee must hold the step's role.",
)
SAME_PERSON = ErrorCode(
    "same-person",
    Refusal.FORBIDDEN,
    "Bạn đã thực hiện bước '{first}' của hồ sơ này ở cấp này; bước '{then}' phải do người khác thực hiện.",
    "You took the '{first}' step of this dossier at this level; the '{then}' step must be someone else's.",
    meaning="Separation of duties (TDKT_REVIEW_SEPARATION_OF_DUTIES; by default the signer is not "
    "the appraiser).",
)
TASK_NOT_OPEN = ErrorCode(
    "task-not-open",
    Refusal.CONFLICT,
    "Nhiệm vụ {task_id} đã kết thúc (hoàn thành hoặc bị hủy), không giao lại được.",
    "Task {task_id} has ended (completed or cancelled) and cannot be reassigned.",
    meaning="Claiming, delegating or assigning a task no longer open.",
)

# --- public comment ----------------------------------------------------------------------------

NO_PUBLIC_COMMENT = ErrorCode(
    "no-public-comment",
    Refusal.NOT_FOUND,
    "Hồ sơ {dossier_id} không được công khai lấy ý kiến.",
    "Dossier {dossier_id} is not published for public comment.",
    meaning="An objection to a dossier that was never published for comment.",
)
PUBLIC_COMMENT_CLOSED = ErrorCode(
    "public-comment-closed",
    Refusal.CONFLICT,
    "Thời hạn lấy ý kiến về hồ sơ {dossier_id} đã kết thúc lúc {closed_at:%H:%M ngày %d/%m/%Y} (giờ Việt Nam).",
    "The public comment period on dossier {dossier_id} ended at {closed_at:%H:%M on %d/%m/%Y} (Vietnam time).",
    meaning="An objection after the period closed (the service's clock).",
)
UNKNOWN_NOMINEE = ErrorCode(
    "unknown-nominee",
    Refusal.INVALID,
    "Không có người được đề nghị '{entry_id}' trong danh sách công khai của hồ sơ {dossier_id}.",
    "No nominee '{entry_id}' in the published list of dossier {dossier_id}.",
    meaning="An objection names an entry that is not among the published nominees.",
)
TOO_MANY_OBJECTIONS_FROM_ADDRESS = ErrorCode(
    "too-many-objections-from-address",
    Refusal.TOO_MANY,
    "Địa chỉ mạng của bạn đã gửi {limit} ý kiến trong {minutes} phút qua; vui lòng gửi lại sau {seconds} giây.",
    "Your network address sent {limit} objections in the last {minutes} minutes; send again in {seconds} "
    "seconds.",
    meaning="Each client address (the TCP peer; X-Forwarded-For only from a proxy in uvicorn's "
    "FORWARDED_ALLOW_IPS) may send "
    "TDKT_REVIEW_OBJECTIONS_PER_ADDRESS objections per TDKT_REVIEW_OBJECTION_WINDOW_SECONDS; "
    "`Retry-After` says when it may send again.",
)
TOO_MANY_OBJECTIONS_TO_DOSSIER = ErrorCode(
    "too-many-objections-to-dossier",
    Refusal.TOO_MANY,
    "Hồ sơ {dossier_id} đã nhận {limit} ý kiến trong {minutes} phút qua; vui lòng gửi lại sau {seconds} giây.",
    "Dossier {dossier_id} received {limit} objections in the last {minutes} minutes; send again in "
    "{seconds} seconds.",
    meaning="A dossier takes at most TDKT_REVIEW_OBJECTIONS_PER_DOSSIER objections per "
    "TDKT_REVIEW_OBJECTION_WINDOW_SECONDS, from all addresses together; `Retry-After` says when.",
)


# --- notes: reviewers' comments and files on a task -----------------------------------------------

DOSSIER_NOT_FOUND = ErrorCode(
    "dossier-not-found",
    Refusal.NOT_FOUND,
    "Không tìm thấy hồ sơ '{dossier_id}' trong các hồ sơ đơn vị bạn xét duyệt.",
    "No dossier '{dossier_id}' among those your organisation reviews.",
    meaning="The dossier's notes are read by the organisations that have (or had) a task for it; "
    "to anyone else it answers as missing.",
)
COMMENT_EMPTY = ErrorCode(
    "comment-empty",
    Refusal.INVALID,
    "Ý kiến không được để trống.",
    "A comment cannot be empty.",
    meaning="The comment's text is empty or only spaces (at most 4000 characters).",
)
REVIEW_ENDED = ErrorCode(
    "review-ended",
    Refusal.CONFLICT,
    "Việc xét duyệt hồ sơ {dossier_id} đã kết thúc (không chấp thuận, hoặc đã duyệt ở cấp cuối); "
    "không thêm được ý kiến hay tệp.",
    "The review of dossier {dossier_id} has ended (rejected, or approved at its last level); "
    "no comment or file can be added.",
    meaning="Comments and files are added while the dossier's review runs: not once it was rejected or "
    "approved at its last level.",
)
NOTE_FILE_TOO_LARGE = ErrorCode(
    "note-file-too-large",
    Refusal.TOO_LARGE,
    "Tệp vượt quá {limit} byte.",
    "The file exceeds {limit} bytes.",
    meaning="The limit is TDKT_REVIEW_MAX_NOTE_FILE_BYTES; nothing of the upload is kept.",
)
NOTE_FILE_TYPE_NOT_ALLOWED = ErrorCode(
    "note-file-type-not-allowed",
    Refusal.UNSUPPORTED,
    "Loại tệp '{detected}' không được chấp nhận; các loại được nhận: {accepted}.",
    "This type of file ('{detected}') is not accepted; accepted: {accepted}.",
    meaning="The type is judged from the content, not the name (TDKT_REVIEW_NOTE_FILE_TYPES).",
)
NOTE_FILE_NOT_FOUND = ErrorCode(
    "note-file-not-found",
    Refusal.NOT_FOUND,
    "Không tìm thấy tệp '{file_id}' của hồ sơ {dossier_id}.",
    "No file '{file_id}' on dossier {dossier_id}.",
    meaning="No such file among the dossier's notes (the dossier itself is one the caller may read).",
)


# --- the review engine (Temporal) --------------------------------------------------------------

REVIEW_NOT_RUNNING = ErrorCode(
    "review-not-running",
    Refusal.CONFLICT,
    "Quy trình xét duyệt của nhiệm vụ {task_id} đã kết thúc.",
    "The review of task {task_id} has ended.",
    meaning="The dossier's review workflow has ended (decided, rejected or withdrawn).",
)
WORKFLOW_ENGINE_UNAVAILABLE = ErrorCode(
    "workflow-engine-unavailable",
    Refusal.UNAVAILABLE,
    "Hệ thống điều phối xét duyệt tạm thời không phản hồi; thao tác có thể chưa được ghi nhận. "
    "Hãy xem lại nhiệm vụ rồi thử lại.",
    "The review engine did not answer; the action may not have been recorded. "
    "Look at the task again, then retry.",
    meaning="Temporal did not answer: look at the task, then retry (after `Retry-After` seconds).",
)


def engine_unavailable(detail: str) -> DomainError:
    error = WORKFLOW_ENGINE_UNAVAILABLE(detail=detail)
    error.headers["Retry-After"] = str(ENGINE_RETRY_AFTER_SECONDS)
    return error


# --- the review workflow's refusals ------------------------------------------------------------

_KINDS = {
    RefusalKind.CONFLICT: Refusal.CONFLICT,
    RefusalKind.INVALID: Refusal.INVALID,
    RefusalKind.FORBIDDEN: Refusal.FORBIDDEN,
}
WORKFLOW_REFUSALS: dict[str, ErrorCode] = {
    code: ErrorCode(code, _KINDS[refusal.kind], refusal.message_vi, refusal.message_en, refusal.meaning)
    for code, refusal in REFUSALS.items()
}
"""``contracts.workflow.REFUSALS`` as catalogue entries, in their order."""


class WorkflowRefused(DomainError):
    """A reviewer's action refused by the review workflow, or by this service checking the same
    rule first; its detail is the English message, as the workflow gives it."""

    def __init__(self, refused: ReviewRefused, detail: str | None = None) -> None:
        self.refused = refused
        spec = WORKFLOW_REFUSALS[refused.code]
        super().__init__(spec, refused.facts, detail=detail or refused.message("en"))

    @property
    def message_vi(self) -> str:
        return self.refused.message("vi")

    @property
    def message_en(self) -> str:
        return self.refused.message("en")


CATALOGUE = Catalogue(
    "review",
    OTHER_ORGANISATION,
    TASK_NOT_FOUND,
    ROLE_NOT_PERMITTED,
    TASK_ASSIGNED_TO_ANOTHER,
    UNKNOWN_ASSIGNEE,
    ASSIGNEE_LACKS_ROLE,
    SAME_PERSON,
    TASK_ALREADY_CLAIMED,
    TASK_NOT_CLAIMED_BY_YOU,
    TASK_NOT_OPEN,
    NO_PUBLIC_COMMENT,
    PUBLIC_COMMENT_CLOSED,
    UNKNOWN_NOMINEE,
    TOO_MANY_OBJECTIONS_FROM_ADDRESS,
    TOO_MANY_OBJECTIONS_TO_DOSSIER,
    DOSSIER_NOT_FOUND,
    COMMENT_EMPTY,
    REVIEW_ENDED,
    NOTE_FILE_TOO_LARGE,
    NOTE_FILE_TYPE_NOT_ALLOWED,
    NOTE_FILE_NOT_FOUND,
    REVIEW_NOT_RUNNING,
    WORKFLOW_ENGINE_UNAVAILABLE,
    *WORKFLOW_REFUSALS.values(),
)
