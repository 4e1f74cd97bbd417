"""Text people type (``contracts.text``): NFC out, and refused when it hides or reorders what it
says; the HTTP edge names the field and the cause in both languages."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import BaseModel, ValidationError

from contracts.dossiers import DossierSubmission
from contracts.text import FreeText, HumanText, PersonName, is_blank
from servicekit.problems import field_name, validation_problem
from tools.demo import demo_dossier

DECOMPOSED = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")


class Typed(BaseModel):
    name: PersonName
    text: HumanText = "x"
    comment: FreeText = ""


def _refusal(**fields: str) -> tuple[str, str]:
    with pytest.raises(ValidationError) as raised:
        Typed.model_validate({"name": "An", **fields})
    [error] = raised.value.errors()
    return error["type"], error["msg"]


def test_decomposed_vietnamese_comes_out_composed() -> None:
    assert DECOMPOSED != "Nguyễn Thị Ánh" and len(DECOMPOSED) > len("Nguyễn Thị Ánh")
    typed = Typed(name=DECOMPOSED, text=DECOMPOSED, comment=DECOMPOSED)
    assert typed.name == typed.text == typed.comment == "Nguyễn Thị Ánh"


@pytest.mark.parametrize("name", ["   ", "\u200b", " \u200c\u200d ", "\u2060\ufeff", "\t"])
def test_a_name_of_spaces_or_zero_width_characters_is_refused(name: str) -> None:
    code, message = _refusal(name=name)
    assert code in ("text-blank", "text-control-character"), message
    assert "name" in message


@pytest.mark.parametrize(
    "control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_a_bidirectional_control_is_refused_in_names_and_text(control: str) -> None:
    assert _refusal(name=f"Nguyễn {control}An")[0] == "text-bidi-control"
    assert _refusal(text=f"Lý do {control}đảo")[0] == "text-bidi-control"
    assert _refusal(comment=f"Ý kiến {control}")[0] == "text-bidi-control"
    assert f"U+{ord(control):04X}" in _refusal(name=control)[1]


def test_a_name_is_one_line_of_visible_characters_and_text_may_break_lines() -> None:
    assert _refusal(name="Nguyễn\nAn")[0] == "text-control-character"
    assert _refusal(name="Nguy\u200bễn An")[0] == "text-invisible-character"
    assert _refusal(text="a\x07b")[0] == "text-control-character"
    assert _refusal(text="a\x85b")[0] == "text-control-character"  # C1
    assert Typed(name="An", text="Dòng một\r\n\tDòng hai").text == "Dòng một\r\n\tDòng hai"
    assert Typed(name="An", text="emoji 👩\u200d🏫").text == "emoji 👩\u200d🏫", "joiners inside text stay"


def test_free_text_leaves_blankness_to_its_use() -> None:
    assert Typed(name="An", comment="\u200b ").comment == "\u200b "
    assert is_blank("\u200b \ufeff") and is_blank(None) and is_blank("") and not is_blank(" a ")
    assert _refusal(text="\u200b ")[0] == "text-blank"


def test_a_submission_refuses_and_normalises_its_nominees_names() -> None:
    body = demo_dossier(2026)
    body["entries"][0]["full_name"] = DECOMPOSED
    assert DossierSubmission.model_validate(body).entries[0].full_name == "Nguyễn Thị Ánh"
    body["entries"][0]["full_name"] = "\u202eAn"
    with pytest.raises(ValidationError) as raised:
        DossierSubmission.model_validate(body)
    assert [(error["type"], error["loc"]) for error in raised.value.errors()] == [
        ("text-bidi-control", ("entries", 0, "full_name"))
    ]


def test_the_json_schema_says_no_bidirectional_control() -> None:
    schema = DossierSubmission.model_json_schema()
    full_name = schema["$defs"]["NomineeSubmission"]["properties"]["full_name"]
    assert full_name["pattern"] == r"^[^\u202a-\u202e\u2066-\u2069]*$" and full_name["maxLength"] == 300


def test_the_edge_names_the_field_and_the_cause_in_both_languages() -> None:
    error = {"loc": ["body", "entries", 0, "full_name"], "msg": "…", "type": "text-bidi-control"}
    problem = validation_problem([error])
    assert problem.code == "text-bidi-control" and problem.errors == [error]
    assert "entries[0].full_name" in problem.message_vi and "điều khiển hướng" in problem.message_vi
    assert "entries[0].full_name" in problem.message_en and "bidirectional" in problem.message_en
    mixed = validation_problem([error, {"loc": ["body", "award_code"], "msg": "…", "type": "missing"}])
    assert mixed.code == "validation-failed"
    assert field_name(["query", "nominee"]) == "nominee" and field_name([]) == "?"
