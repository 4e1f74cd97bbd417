"""Every refusal intake gives, once (``servicekit.errors``): over HTTP a problem+json answer whose
status comes from the kind, over the bus a dead letter whose reason is the code. The codes are a
published contract: integrators branch on them."""

from __future__ import annotations

from servicekit.errors import Catalogue, ErrorCode, Refusal

# --- integrators and their tokens ---------------------------------------------------------------

UNKNOWN_CLIENT = ErrorCode(
    "unknown-client",
    Refusal.FORBIDDEN,
    "Hệ thống '{client}' chưa được đăng ký với bộ phận tiếp nhận hồ sơ.",
    "The client '{client}' is not registered with intake.",
    meaning="A valid token (its `azp`), or an inbound record's source, names a client intake does not know "
    "(removed from the registry since, or never registered).",
)

# --- validation of a submission (``validation.py``) ---------------------------------------------

ORGANISATION_NOT_PERMITTED = ErrorCode(
    "organisation-not-permitted",
    Refusal.FORBIDDEN,
    "Hệ thống này không được trình hồ sơ thay cho đơn vị '{organisation}'.",
    "This client may not submit dossiers for organisation '{organisation}'.",
    meaning="The client is registered for other organisations only.",
)
UNKNOWN_ORGANISATION = ErrorCode(
    "unknown-organisation",
    Refusal.INVALID,
    "Không có đơn vị mã '{organisation}' trong danh mục tổ chức.",
    "There is no organisation with code '{organisation}'.",
    meaning="The submitting organisation's code is not in the organisation registry.",
)
ORGANISATION_NOT_IN_FORCE = ErrorCode(
    "organisation-not-in-force",
    Refusal.INVALID,
    "Đơn vị '{organisation}' ({name}) không còn hoặc chưa tồn tại vào ngày nộp hồ sơ {day:%d/%m/%Y}.",
    "Organisation '{organisation}' ({name}) does not exist on the submission date, {day:%Y-%m-%d}.",
    meaning="The organisation was abolished (a district after 30/06/2025) or not yet founded.",
)
NO_RULE_SET_IN_FORCE = ErrorCode(
    "no-rule-set-in-force",
    Refusal.INVALID,
    "Không có quy định thi đua, khen thưởng nào áp dụng cho ngày nộp hồ sơ {day:%d/%m/%Y}.",
    "No emulation and commendation rules are in force on the submission date, {day:%Y-%m-%d}.",
    meaning="The award catalogue has no rule set covering the submission date.",
)
UNKNOWN_AWARD = ErrorCode(
    "unknown-award",
    Refusal.INVALID,
    "Không có danh hiệu/hình thức khen thưởng mã '{award_code}' ({rule_set_id}).",
    "There is no award with code '{award_code}' in rule set {rule_set_id}.",
    meaning="The award code is not in the rule set in force; the detail lists the known codes.",
)
NO_REVIEW_PATH = ErrorCode(
    "no-review-path",
    Refusal.INVALID,
    "Đơn vị '{organisation}' không có tuyến xét duyệt cho hình thức '{award_code}'.",
    "Organisation '{organisation}' has no review path for award '{award_code}'.",
    meaning="No organisation above the submitter may decide the award, or the submitter cannot "
    "nominate for it under the organisation structure of the day.",
)
QUOTA_COUNT_REQUIRED = ErrorCode(
    "quota-count-required",
    Refusal.INVALID,
    "Đơn vị quyết định '{issuer}' giới hạn tỷ lệ '{award_code}': cần số Lao động tiên tiến của đơn vị "
    "(unit_lao_dong_tien_tien_count).",
    "The deciding organisation '{issuer}' caps '{award_code}': the unit's count of Lao động tiên tiến "
    "(unit_lao_dong_tien_tien_count) is required.",
    meaning="A quota is configured for the award at its decider; it is a share of that count.",
)
ALL_ENTRIES_INELIGIBLE = ErrorCode(
    "all-entries-ineligible",
    Refusal.INVALID,
    "Không có trường hợp nào trong hồ sơ đủ tiêu chuẩn; hồ sơ không được tiếp nhận.",
    "No entry of the dossier is eligible; the dossier is refused.",
    meaning="Every entry fails a criterion; `errors` lists each entry with the criteria it failed.",
)
VALIDATION_REFUSALS = (
    ORGANISATION_NOT_PERMITTED,
    UNKNOWN_ORGANISATION,
    ORGANISATION_NOT_IN_FORCE,
    NO_RULE_SET_IN_FORCE,
    UNKNOWN_AWARD,
    NO_REVIEW_PATH,
    QUOTA_COUNT_REQUIRED,
    ALL_ENTRIES_INELIGIBLE,
)
"""What ``DossierValidator.validate`` can refuse, for a submission and an amendment alike."""

# --- dossiers ------------------------------------------------------------------------------------

IDEMPOTENCY_KEY_REUSED = ErrorCode(
    "idempotency-key-reused",
    Refusal.CONFLICT,
    "Idempotency-Key '{key}' đã được dùng cho một hồ sơ có nội dung khác.",
    "The Idempotency-Key '{key}' was already used with a different request body.",
    meaning="A retry must repeat the first body exactly; a new dossier needs a new key (over the "
    "bus: a new event id).",
)
DOSSIER_NOT_FOUND = ErrorCode(
    "dossier-not-found",
    Refusal.NOT_FOUND,
    "Không tìm thấy hồ sơ '{dossier_id}'.",
    "No dossier with id '{dossier_id}'.",
    meaning="No such dossier, or another client's (answered alike, so ids cannot be probed).",
)
VERSION_NOT_FOUND = ErrorCode(
    "version-not-found",
    Refusal.NOT_FOUND,
    "Hồ sơ '{dossier_id}' không có phiên bản {version}.",
    "The dossier '{dossier_id}' has no version {version}.",
    meaning="Versions are numbered from 1; each amendment adds one.",
)
DOSSIER_NOT_AMENDABLE = ErrorCode(
    "dossier-not-amendable",
    Refusal.CONFLICT,
    "Hồ sơ đang ở trạng thái '{status}', không thể bổ sung (chỉ bổ sung khi hồ sơ vừa nộp hoặc bị trả lại).",
    "The dossier is '{status}' and cannot be amended (only a submitted or returned dossier can).",
    meaning="Once a level has taken the dossier up, only a return opens it to amendment again.",
)
AMENDMENT_CHANGES_IDENTITY = ErrorCode(
    "amendment-changes-identity",
    Refusal.INVALID,
    "Bản bổ sung không được đổi đơn vị trình ('{organisation}') hoặc hình thức khen thưởng ('{award_code}').",
    "An amendment cannot change the submitting organisation ('{organisation}') or the award ('{award_code}').",
    meaning="Another organisation or award is another dossier: submit it anew.",
)
DOSSIER_NOT_WITHDRAWABLE = ErrorCode(
    "dossier-not-withdrawable",
    Refusal.CONFLICT,
    "Hồ sơ đang ở trạng thái '{status}', không thể rút.",
    "The dossier is '{status}' and can no longer be withdrawn.",
    meaning="After the last level approves, the decision is being issued and runs its course.",
)

# --- attachments ---------------------------------------------------------------------------------

ATTACHMENT_NOT_FOUND = ErrorCode(
    "attachment-not-found",
    Refusal.NOT_FOUND,
    "Không tìm thấy tệp đính kèm '{attachment_id}'.",
    "No attachment with id '{attachment_id}'.",
    meaning="No such attachment on this dossier (the dossier itself is the client's).",
)
ATTACHMENT_TOO_LARGE = ErrorCode(
    "attachment-too-large",
    Refusal.TOO_LARGE,
    "Tệp đính kèm vượt quá {limit} byte.",
    "The attachment exceeds {limit} bytes.",
    meaning="The limit is TDKT_INTAKE_MAX_ATTACHMENT_BYTES; nothing of the upload is kept.",
)
ATTACHMENT_TYPE_NOT_ALLOWED = ErrorCode(
    "attachment-type-not-allowed",
    Refusal.UNSUPPORTED,
    "Loại tệp '{detected}' không được chấp nhận.",
    "This type of file ('{detected}') is not accepted.",
    meaning="The type is judged from the content, not the name; the detail lists the accepted types.",
)
UNKNOWN_DOCUMENT_CODE = ErrorCode(
    "unknown-document-code",
    Refusal.INVALID,
    "Không có loại tài liệu mã '{document_code}'. Các mã hợp lệ: {known}.",
    "There is no document type with code '{document_code}'. Known codes: {known}.",
    meaning="An attachment's `document_code` must be a code of the award catalogue's document table "
    "(both messages list them); nothing of the upload is kept.",
)

# --- the reference data: award catalogue and organisation registry (``reference.py``) --------------

INVALID_DATE = ErrorCode(
    "invalid-date",
    Refusal.INVALID,
    "'{value}' không phải là ngày hợp lệ; hãy ghi theo dạng NĂM-THÁNG-NGÀY, ví dụ 2025-07-01.",
    "'{value}' is not a valid date; write it as YYYY-MM-DD, e.g. 2025-07-01.",
    meaning="The `on` parameter names the day whose law or organisations are asked for; it is an ISO "
    "calendar date.",
)
AWARD_NOT_FOUND = ErrorCode(
    "award-not-found",
    Refusal.NOT_FOUND,
    "Không có danh hiệu/hình thức khen thưởng mã '{award_code}' trong quy định áp dụng ngày "
    "{day:%d/%m/%Y} ({rule_set_id}).",
    "There is no award with code '{award_code}' in the rules in force on {day:%Y-%m-%d} ({rule_set_id}).",
    meaning="A lookup of one award (`GET /v1/awards/{code}`); a submission naming an unknown award is "
    "refused with `unknown-award` instead. The detail lists the known codes.",
)
ORGANISATION_NOT_FOUND = ErrorCode(
    "organisation-not-found",
    Refusal.NOT_FOUND,
    "Không có đơn vị mã '{organisation}' vào ngày {day:%d/%m/%Y}.",
    "There is no organisation with code '{organisation}' on {day:%Y-%m-%d}.",
    meaning="A lookup of one organisation (`GET /v1/organisations/{code}`): no such code, or one "
    "that did not exist that day (a district after 30/06/2025; the detail says so).",
)
REFERENCE_REFUSALS = (INVALID_DATE, AWARD_NOT_FOUND, ORGANISATION_NOT_FOUND)

CATALOGUE = Catalogue(
    "intake",
    UNKNOWN_CLIENT,
    *VALIDATION_REFUSALS,
    IDEMPOTENCY_KEY_REUSED,
    DOSSIER_NOT_FOUND,
    VERSION_NOT_FOUND,
    DOSSIER_NOT_AMENDABLE,
    AMENDMENT_CHANGES_IDENTITY,
    DOSSIER_NOT_WITHDRAWABLE,
    ATTACHMENT_NOT_FOUND,
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE_NOT_ALLOWED,
    UNKNOWN_DOCUMENT_CODE,
    *REFERENCE_REFUSALS,
)
