"""The runtime kit's own refusals, which every service can answer: authentication, request
limits, request validation and readiness. Services list their own in ``services/<name>/errors.py``
and document these beside them (``AUTHENTICATION`` for an operation that needs a token)."""

from __future__ import annotations

from contracts.text import BIDI_CONTROL, BLANK, CONTROL_CHARACTER, INVISIBLE_CHARACTER, TextRefusal
from servicekit.errors import Catalogue, ErrorCode, Refusal

MISSING_TOKEN = ErrorCode(
    "missing-token",
    Refusal.UNAUTHENTICATED,
    "Thiếu mã truy cập (Authorization: Bearer …).",
    "An access token is required (Authorization: Bearer …).",
    meaning="No bearer token came with a request that needs one.",
)
INVALID_TOKEN = ErrorCode(
    "invalid-token",
    Refusal.UNAUTHENTICATED,
    "Mã truy cập không hợp lệ.",
    "The access token is invalid.",
    meaning="The token's signature, audience, issuer or claims do not check; the detail says which.",
)
TOKEN_EXPIRED = ErrorCode(
    "token-expired",
    Refusal.UNAUTHENTICATED,
    "Mã truy cập đã hết hạn.",
    "The access token has expired.",
    meaning="Get a new token (client credentials or sign-in) and send the request again.",
)
INSUFFICIENT_SCOPE = ErrorCode(
    "insufficient-scope",
    Refusal.FORBIDDEN,
    "Mã truy cập không có quyền '{scope}'.",
    "The access token lacks the scope '{scope}'.",
    meaning="The token is valid but was not granted what this operation needs.",
)
IDENTITY_PROVIDER_UNAVAILABLE = ErrorCode(
    "identity-provider-unavailable",
    Refusal.UNAVAILABLE,
    "Không kiểm tra được mã truy cập: máy chủ định danh không trả lời.",
    "The access token cannot be checked: the identity provider does not answer.",
    meaning="The issuer's discovery document or signing keys (JWKS) could not be fetched; try again.",
)
NO_ORGANISATION = ErrorCode(
    "no-organisation",
    Refusal.FORBIDDEN,
    "Mã truy cập không ghi đơn vị công tác của cán bộ.",
    "The access token names no organisation for the officer.",
    meaning="A staff token must carry the officer's organisation claim.",
)
SIGNER_NOT_NAMED = ErrorCode(
    "signer-not-named",
    Refusal.FORBIDDEN,
    "Không thể ký: mã truy cập không ghi {missing_vi} của người ký (English: {missing_en}). Đề nghị "
    "quản trị hệ thống định danh bổ sung họ tên và chức vụ của bạn.",
    "Cannot sign: the access token does not give the signer's {missing_en} ({missing_vi}). Ask the identity "
    "provider's administrator to record your full name and title.",
    meaning="A sign-off puts the leader's full name and title (claims `name` and `title`) in the "
    "decision's signature block; a token without them cannot approve.",
)
VALIDATION_FAILED = ErrorCode(
    "validation-failed",
    Refusal.INVALID,
    "Dữ liệu gửi lên không hợp lệ.",
    "The request body or parameters are invalid.",
    meaning="A field is missing, of the wrong type or out of range; `errors` lists each one.",
)


def _text_refusal(refusal: TextRefusal, meaning: str) -> ErrorCode:
    return ErrorCode(refusal.code, Refusal.INVALID, refusal.message_vi, refusal.message_en, meaning=meaning)


TEXT_BIDI_CONTROL = _text_refusal(
    BIDI_CONTROL, "A text people read holds a character that reorders how it displays (contracts.text)."
)
TEXT_BLANK = _text_refusal(BLANK, "A text people read shows nothing: spaces or invisible characters only.")
TEXT_INVISIBLE_CHARACTER = _text_refusal(
    INVISIBLE_CHARACTER, "A name or a title holds a zero-width or other invisible character."
)
TEXT_CONTROL_CHARACTER = _text_refusal(
    CONTROL_CHARACTER, "A text holds a control character (in a name or a title, a line break too)."
)
HUMAN_TEXT = (TEXT_BIDI_CONTROL, TEXT_BLANK, TEXT_INVISIBLE_CHARACTER, TEXT_CONTROL_CHARACTER)
"""What an operation whose body holds text people type can answer (``contracts.text``): the
validation error of that one field, named with its cause; ``validation-failed`` when other fields
fail too."""
BODY_TOO_LARGE = ErrorCode(
    "body-too-large",
    Refusal.TOO_LARGE,
    "Dữ liệu gửi lên vượt quá {limit} byte.",
    "The request body exceeds {limit} bytes.",
    meaning="TDKT_MAX_BODY_BYTES caps every request body.",
)
NUL_CHARACTER = ErrorCode(
    "nul-character",
    Refusal.BAD_REQUEST,
    "Yêu cầu chứa ký tự NUL (U+0000), không được chấp nhận.",
    "The request contains a NUL character (U+0000), which is not accepted.",
    meaning="No text of the platform may hold U+0000 (PostgreSQL refuses it).",
)
NOT_READY = ErrorCode(
    "not-ready",
    Refusal.UNAVAILABLE,
    "Dịch vụ chưa sẵn sàng.",
    "The service is not ready.",
    meaning="Its database or the broker does not answer; the detail says which.",
)

CATALOGUE = Catalogue(
    "servicekit",
    MISSING_TOKEN,
    INVALID_TOKEN,
    TOKEN_EXPIRED,
    INSUFFICIENT_SCOPE,
    IDENTITY_PROVIDER_UNAVAILABLE,
    NO_ORGANISATION,
    SIGNER_NOT_NAMED,
    VALIDATION_FAILED,
    *HUMAN_TEXT,
    BODY_TOO_LARGE,
    NUL_CHARACTER,
    NOT_READY,
)

AUTHENTICATION = (
    MISSING_TOKEN,
    INVALID_TOKEN,
    TOKEN_EXPIRED,
    INSUFFICIENT_SCOPE,
    IDENTITY_PROVIDER_UNAVAILABLE,
)
"""What any operation that needs a token can answer."""
STAFF_AUTHENTICATION = (*AUTHENTICATION, NO_ORGANISATION)
"""… and one that needs an officer's token."""
