"""Text people type, normalised and checked once, where a request or an inbound record is parsed.

Every such field comes out in Unicode NFC (a name typed as "Nguyễn" in decomposed form is stored,
searched, printed and compared as the composed one) and is refused (``ValueError`` → 422 at the
HTTP edge, a dead letter on the inbound topic) when it

- holds a bidirectional override, embedding or isolate (U+202A–U+202E, U+2066–U+2069): they
  reorder what a reader sees ("Trojan Source"), so a decision or a history line could read
  otherwise than it says;
- is not empty yet shows nothing: only spaces and invisible characters (U+200B–U+200D zero-width
  space and joiners, U+2060 word joiner, U+FEFF, U+200E/U+200F direction marks, U+00AD soft hyphen);
- holds a control character (C0, DEL, C1) — in a name or a title any, line breaks included; in free
  text any but tab and line breaks.

A name (``PersonName``: nominees, authors, titles, organisations' names) also refuses invisible
characters anywhere, which make two names that print the same differ. Free text (``HumanText``)
keeps them inside (emoji and some scripts join with U+200D). ``FreeText`` leaves a blank text to the
refusal its use already had (``comment-empty``, ``reason-required``), judged with ``is_blank``.

Each refusal's ``type`` is a stable code (``TEXT_REFUSALS``) that the HTTP edge answers with, in
Vietnamese and English, naming the field. Events between the platform's own services are not
refused again: their producers checked the text at their edge, and a consumer that refused a fact
already recorded (an entry struck, a decision issued) would lose it to its dead-letter topic.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, GetJsonSchemaHandler, ValidationInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates (and their terminators)."""
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u00ad")
"""Characters that take no room: zero-width space and joiners, word joiner, byte-order mark,
direction marks, soft hyphen."""
LINE_BREAKS = frozenset("\t\n\r")


@dataclass(frozen=True)
class TextRefusal:
    """Why a text is refused, with its stable code and its messages (``{field}`` names the field)."""

    code: str
    message_vi: str
    message_en: str


BIDI_CONTROL = TextRefusal(
    "text-bidi-control",
    "Trường {field} chứa ký tự điều khiển hướng văn bản (U+202A–U+202E, U+2066–U+2069), "
    "có thể làm văn bản hiển thị khác với nội dung thật.",
    "The field {field} contains a bidirectional control character (U+202A–U+202E, U+2066–U+2069), "
    "which can make the text display otherwise than it reads.",
)
BLANK = TextRefusal(
    "text-blank",
    "Trường {field} chỉ gồm dấu cách hoặc ký tự vô hình.",
    "The field {field} is only spaces or invisible characters.",
)
INVISIBLE_CHARACTER = TextRefusal(
    "text-invisible-character",
    "Trường {field} chứa ký tự vô hình (như U+200B), làm hai tên giống hệt nhau khi in lại khác nhau.",
    "The field {field} contains an invisible character (such as U+200B), which makes names that "
    "print alike differ.",
)
CONTROL_CHARACTER = TextRefusal(
    "text-control-character",
    "Trường {field} chứa ký tự điều khiển (như xuống dòng trong một tên).",
    "The field {field} contains a control character (such as a line break in a name).",
)
TEXT_REFUSALS = {
    refusal.code: refusal for refusal in (BIDI_CONTROL, BLANK, INVISIBLE_CHARACTER, CONTROL_CHARACTER)
}
"""By the ``type`` a refused field's validation error carries."""


def _refuse(refusal: TextRefusal, info: ValidationInfo, character: str | None = None) -> PydanticCustomError:
    found = f" (U+{ord(character):04X})" if character is not None else ""
    field = info.field_name or "text"
    return PydanticCustomError(refusal.code, refusal.message_en.format(field=field) + found)


def is_blank(text: str | None) -> bool:
    """``text`` shows nothing: empty, or spaces and invisible characters only."""
    return all(character.isspace() or character in INVISIBLE for character in text or "")


def _checked(value: str, info: ValidationInfo, *, one_line: bool, blank: bool = False) -> str:
    text = unicodedata.normalize("NFC", value)
    for character in text:
        if character in BIDI_CONTROLS:
            raise _refuse(BIDI_CONTROL, info, character)
        if unicodedata.category(character) == "Cc" and (one_line or character not in LINE_BREAKS):
            raise _refuse(CONTROL_CHARACTER, info, character)
    if text and not blank and is_blank(text):
        raise _refuse(BLANK, info)
    invisible = next((character for character in text if character in INVISIBLE), None) if one_line else None
    if invisible is not None:
        raise _refuse(INVISIBLE_CHARACTER, info, invisible)
    return text


def checked_name(value: str, info: ValidationInfo) -> str:
    """``value`` in NFC, or ``PydanticCustomError`` if it is no name a person could read."""
    return _checked(value, info, one_line=True)


def checked_text(value: str, info: ValidationInfo) -> str:
    """``value`` in NFC, or ``PydanticCustomError`` if it could mislead its reader or shows nothing."""
    return _checked(value, info, one_line=False)


def checked_free_text(value: str, info: ValidationInfo) -> str:
    """``checked_text`` that leaves a blank text to its use's own refusal (``is_blank``)."""
    return _checked(value, info, one_line=False, blank=True)


_NO_BIDI = r"^[^\u202a-\u202e\u2066-\u2069]*$"
"""ASCII in the documents (a regular-expression escape), so they hold no bidirectional control themselves."""


class _NoBidiPattern:
    """Says in the JSON Schema the part of the rules a pattern can say (no bidirectional control)."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        value: JsonSchemaValue = handler(schema)
        value.setdefault("pattern", _NO_BIDI)
        return value


PersonName = Annotated[str, AfterValidator(checked_name), _NoBidiPattern()]
"""A name or a title on one line: a nominee's, an author's, an organisation's as typed."""
HumanText = Annotated[str, AfterValidator(checked_text), _NoBidiPattern()]
"""Free text people type: reasons, comments, objections, summaries, descriptions."""
FreeText = Annotated[str, AfterValidator(checked_free_text), _NoBidiPattern()]
"""``HumanText`` where the use has its own refusal of a blank text, judged with ``is_blank``
(a comment, a reviewer's reason): its code stays what it was."""
