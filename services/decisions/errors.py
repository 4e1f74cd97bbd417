"""Every refusal the decisions service gives, once: its code (a published contract: unchanged), its
kind (the HTTP edge and the Kafka consumers map it), and what it says in Vietnamese and English
with the values that name the cause."""

from __future__ import annotations

from servicekit.errors import Catalogue, ErrorCode, Refusal

# --- the registry -------------------------------------------------------------------------------

DECISION_NOT_FOUND = ErrorCode(
    "decision-not-found",
    Refusal.NOT_FOUND,
    "Không tìm thấy quyết định '{decision_id}'.",
    "No decision with id '{decision_id}'.",
    meaning="No decision of the registry has this id.",
)

# --- approvals from the bus (defence in depth: issue 21) ----------------------------------------

APPROVAL_UNMATCHED = ErrorCode(
    "approval-unmatched",
    Refusal.INVALID,
    "Không ra quyết định cho hồ sơ '{dossier_id}': chưa thấy hồ sơ này được xét duyệt trên hệ thống.",
    "No decision for dossier '{dossier_id}': no review of this dossier was seen on the bus.",
    meaning="A `dossier.approved` event for a dossier whose review (the workflow's tasks, on the "
    "same partition before any approval) this service never saw — forged, or from another "
    "environment: dead-lettered, nothing numbered.",
)
APPROVAL_DIFFERS = ErrorCode(
    "approval-differs",
    Refusal.INVALID,
    "Không ra quyết định cho hồ sơ '{dossier_id}': phê duyệt khác hồ sơ đã trình ở {field}: "
    "'{approved}' thay vì '{submitted}'.",
    "No decision for dossier '{dossier_id}': the approval differs from the submitted dossier in "
    "{field}: '{approved}' instead of '{submitted}'.",
    meaning="The approval names another award, submitting organisation or nominee than intake "
    "published for the dossier: dead-lettered, nothing numbered.",
)
SUBMISSION_UNSEEN = ErrorCode(
    "submission-unseen",
    Refusal.UNAVAILABLE,
    "Chưa nhận được hồ sơ '{dossier_id}' từ bộ phận tiếp nhận; chờ rồi thử lại.",
    "Dossier '{dossier_id}' has not arrived from intake yet; waiting to try again.",
    meaning="An approval whose review was seen but whose submission intake's topic has not brought "
    "yet: retried in place for a bounded time, then dead-lettered.",
)

# --- documents ----------------------------------------------------------------------------------

DOCUMENT_NOT_READY = ErrorCode(
    "document-not-ready",
    Refusal.CONFLICT,
    "Văn bản của Quyết định số {number} đang được lập và ký số; vui lòng thử lại sau ít giây.",
    "The documents of decision {number} are being rendered and signed; retry in a few seconds.",
    meaning="The decision is numbered; its signed PDF follows within seconds (status `numbered`).",
)
DOCUMENT_NOT_AVAILABLE = ErrorCode(
    "document-not-available",
    Refusal.NOT_FOUND,
    "Quyết định số {number} được ban hành trước khi hệ thống lập văn bản điện tử.",
    "Decision {number} was issued before this registry kept its documents.",
    meaning="An issued decision from before the registry stored PDFs: there is no file to serve.",
)
NO_CERTIFICATES = ErrorCode(
    "no-certificates",
    Refusal.NOT_FOUND,
    "Quyết định số {number} là quyết định hủy bỏ: quyết định hủy bỏ không có giấy chứng nhận.",
    "Decision {number} is a revocation decision: a revocation has no certificates.",
    meaning="Certificates attest awards; a revocation decision awards nothing.",
)
LINE_NOT_FOUND = ErrorCode(
    "line-not-found",
    Refusal.NOT_FOUND,
    "Quyết định số {number} không có số sổ vàng {line}.",
    "Decision {number} has no line {line}.",
    meaning="The decision lists no awardee under this số sổ vàng (its lines run 1…n).",
)
LINE_REVOKED = ErrorCode(
    "line-revoked",
    Refusal.GONE,
    "Khen thưởng tại số sổ vàng {line} của Quyết định số {number} đã bị hủy bỏ theo Quyết định số "
    "{revocation_number}.",
    "The award of line {line} of decision {number} was revoked by decision {revocation_number}.",
    meaning="The award was revoked (Luật TĐKT 2022 Điều 93): its certificate is no longer served; "
    "`detail` is the revocation decision's id.",
)
ALL_LINES_REVOKED = ErrorCode(
    "all-lines-revoked",
    Refusal.GONE,
    "Mọi khen thưởng của Quyết định số {number} đã bị hủy bỏ.",
    "Every award of decision {number} was revoked.",
    meaning="No line of the decision stands, so there is no certificate left to serve.",
)

# --- issuing and revocation ---------------------------------------------------------------------

LEADER_REQUIRED = ErrorCode(
    "leader-required",
    Refusal.FORBIDDEN,
    "Chỉ lãnh đạo cơ quan mới ban hành quyết định của cơ quan; mã truy cập của {officer} không có vai "
    "trò lãnh đạo.",
    "Only a leader of the organisation issues its decisions; {officer}'s token holds no leader role.",
    meaning="Issuing batched decisions before their period ends is the act of a leader (role `leader`).",
)
NOT_ISSUING_AUTHORITY = ErrorCode(
    "not-issuing-authority",
    Refusal.FORBIDDEN,
    "Chỉ lãnh đạo {issuer}, cơ quan đã ban hành Quyết định số {number}, mới được hủy bỏ quyết định "
    "khen thưởng này (Luật Thi đua, khen thưởng Điều 93 khoản 8).",
    "Only a leader of {issuer}, which issued decision {number}, may revoke it (Luật TĐKT 2022 "
    "Article 93(8)).",
    meaning="Whoever awarded revokes: a token of the issuing organisation with the `leader` role.",
)
DECISION_NOT_REVOCABLE = ErrorCode(
    "decision-not-revocable",
    Refusal.CONFLICT,
    "Chỉ hủy bỏ được quyết định khen thưởng đã ban hành; Quyết định số {number} là quyết định hủy bỏ "
    "hoặc văn bản của nó đang được lập và ký số.",
    "Only an issued award decision can be revoked; decision {number} is a revocation, or its "
    "documents are still being signed.",
    meaning="A revocation revokes one line of an issued award decision.",
)
ALREADY_REVOKED = ErrorCode(
    "already-revoked",
    Refusal.CONFLICT,
    "Số sổ vàng {line} của Quyết định số {number} đã bị hủy bỏ theo Quyết định số {revocation_number}.",
    "Line {line} of decision {number} was already revoked by decision {revocation_number}.",
    meaning="A line is revoked once; `detail` is the revocation decision's id.",
)

# --- verification -------------------------------------------------------------------------------

FILE_TOO_LARGE = ErrorCode(
    "file-too-large",
    Refusal.TOO_LARGE,
    "Tệp vượt quá {megabytes} MB.",
    "The file exceeds {megabytes} MB.",
    meaning="`POST /v1/verify` reads PDFs up to this size; the registry's documents are far smaller.",
)
PDF_TOO_MANY_OBJECTS = ErrorCode(
    "pdf-too-many-objects",
    Refusal.INVALID,
    "Tệp PDF khai báo {objects} đối tượng, nhiều hơn mức {limit} mà hệ thống kiểm tra; văn bản do hệ "
    "thống phát hành có ít hơn nhiều.",
    "The PDF declares {objects} objects, more than the {limit} verification reads; the registry's "
    "documents hold far fewer.",
    meaning="A trailer or cross-reference stream declares more objects than "
    "TDKT_DECISIONS_VERIFY_MAX_OBJECTS: the file is refused before it is parsed.",
)
PDF_TOO_MUCH_DATA = ErrorCode(
    "pdf-too-much-data",
    Refusal.INVALID,
    "Dữ liệu nén trong tệp PDF giải nén ra quá nhiều: quá {stream_megabytes} MB cho một luồng dữ liệu "
    "hoặc quá {total_megabytes} MB cho cả tệp.",
    "The PDF's compressed data inflates too far: past {stream_megabytes} MB for one stream or "
    "{total_megabytes} MB for the whole file.",
    meaning="A compression bomb: TDKT_DECISIONS_VERIFY_MAX_STREAM_BYTES and "
    "TDKT_DECISIONS_VERIFY_MAX_DECODED_BYTES bound what its streams may decode to.",
)
PDF_TOO_COMPLEX = ErrorCode(
    "pdf-too-complex",
    Refusal.INVALID,
    "Tệp PDF quá phức tạp để kiểm tra: việc đọc tệp cần quá {megabytes} MB bộ nhớ, hoặc cấu trúc của tệp "
    "lồng nhau quá sâu.",
    "The PDF is too complex to verify: reading it needs more than {megabytes} MB of memory, or its "
    "structures nest too deeply.",
    meaning="The process that reads the file ran out of its memory (TDKT_DECISIONS_VERIFY_MEMORY_BYTES) "
    "or of stack; `detail` says which.",
)
PDF_TOOK_TOO_LONG = ErrorCode(
    "pdf-took-too-long",
    Refusal.INVALID,
    "Việc kiểm tra tệp PDF cần quá {seconds} giây và đã bị dừng; văn bản do hệ thống phát hành được "
    "kiểm tra trong chưa đầy một giây.",
    "Verifying the PDF took more than {seconds} seconds and was stopped; the registry's documents "
    "verify in under a second.",
    meaning="The process that reads the file is killed after TDKT_DECISIONS_VERIFY_TIMEOUT_SECONDS.",
)
VERIFICATION_BUSY = ErrorCode(
    "verification-busy",
    Refusal.UNAVAILABLE,
    "Hệ thống đang kiểm tra nhiều tệp cùng lúc; vui lòng thử lại sau {seconds} giây.",
    "The registry is verifying as many files as it can at once; retry in {seconds} seconds.",
    meaning="At most TDKT_DECISIONS_VERIFY_CONCURRENCY files are verified at once; one more is "
    "refused at once (503 with `Retry-After`), not queued.",
)

CATALOGUE = Catalogue(
    "decisions",
    APPROVAL_UNMATCHED,
    APPROVAL_DIFFERS,
    SUBMISSION_UNSEEN,
    DECISION_NOT_FOUND,
    DOCUMENT_NOT_READY,
    DOCUMENT_NOT_AVAILABLE,
    NO_CERTIFICATES,
    LINE_NOT_FOUND,
    LINE_REVOKED,
    ALL_LINES_REVOKED,
    LEADER_REQUIRED,
    NOT_ISSUING_AUTHORITY,
    DECISION_NOT_REVOCABLE,
    ALREADY_REVOKED,
    FILE_TOO_LARGE,
    PDF_TOO_MANY_OBJECTS,
    PDF_TOO_MUCH_DATA,
    PDF_TOO_COMPLEX,
    PDF_TOOK_TOO_LONG,
    VERIFICATION_BUSY,
)
