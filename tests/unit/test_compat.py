"""The schema compatibility rules, and the committed schemas against the code."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from contracts.compat import breaking_changes, consumers_first
from contracts.events import DossierSubmitted
from tools import generate

BASE: dict[str, Any] = DossierSubmitted.model_json_schema(mode="serialization")


def _data_def(schema: dict[str, Any]) -> dict[str, Any]:
    definitions: dict[str, Any] = schema["$defs"]["DossierSubmittedData"]
    return definitions


def test_identical_schema_is_compatible() -> None:
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_new_optional_field_is_compatible() -> None:
    new = copy.deepcopy(BASE)
    _data_def(new)["properties"]["note"] = {"type": "string", "default": ""}
    assert breaking_changes(BASE, new) == []


def test_new_required_field_breaks() -> None:
    new = copy.deepcopy(BASE)
    _data_def(new)["properties"]["note"] = {"type": "string"}
    _data_def(new)["required"].append("note")
    assert breaking_changes(BASE, new) == ["$.data.note: new required property"]


def test_optional_field_becoming_required_breaks() -> None:
    new = copy.deepcopy(BASE)
    new["required"].append("dataschema")
    assert breaking_changes(BASE, new) == ["$.dataschema: became required"]


def test_removed_field_breaks() -> None:
    new = copy.deepcopy(BASE)
    del _data_def(new)["properties"]["award_code"]
    _data_def(new)["required"].remove("award_code")
    assert breaking_changes(BASE, new) == ["$.data.award_code: property removed"]


def test_changed_type_breaks() -> None:
    new = copy.deepcopy(BASE)
    _data_def(new)["properties"]["version"] = {"type": "string"}
    assert breaking_changes(BASE, new) == ["$.data.version: type changed from ['integer'] to ['string']"]


def test_removed_enum_value_breaks() -> None:
    new = copy.deepcopy(BASE)
    new["$defs"]["ReviewLevel"]["enum"].remove("district")
    assert breaking_changes(BASE, new) == ["$.data.review_levels[]: enum values removed: ['district']"]


def test_an_added_enum_value_is_compatible_but_consumers_go_first() -> None:
    new = copy.deepcopy(BASE)
    new["$defs"]["ReviewLevel"]["enum"].append("ward")
    assert breaking_changes(BASE, new) == []
    assert consumers_first(BASE, new) == [
        "$.data.review_levels[]: enum values added: ['ward'] (deploy its consumers first)"
    ]
    assert consumers_first(BASE, copy.deepcopy(BASE)) == []


def test_make_docs_says_which_consumers_go_first(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    committed = {path: json.loads(path.read_text()) for path in generate.event_schemas()}
    submitted = next(path for path in committed if path.name == "vn.tdkt.dossier.submitted.v1.json")
    older = copy.deepcopy(committed[submitted])
    older["$defs"]["ReviewLevel"]["enum"].remove("central")
    copied = tmp_path / submitted.name
    copied.write_text(json.dumps(older))
    monkeypatch.setattr(generate, "event_schemas", lambda: {copied: committed[submitted]})
    monkeypatch.setattr(generate, "api_documents", dict)
    monkeypatch.setattr(generate, "REPOSITORY_ROOT", tmp_path)
    assert generate.main([]) == 0
    assert "Deploy consumers first" in capsys.readouterr().err and '"central"' in copied.read_text()


@pytest.mark.parametrize("path", sorted(generate.event_schemas()), ids=lambda p: p.name)
def test_committed_schema_is_current_and_compatible(path: Any) -> None:
    generated = generate.event_schemas()[path]
    assert path.exists(), f"{path.name} is not committed: run `make docs`"
    committed = json.loads(path.read_text())
    assert breaking_changes(committed, generated) == []
    assert generate.render(committed) == generate.render(generated), f"{path.name} is stale: run `make docs`"


def test_committed_api_documents_are_current(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TDKT_DATA_DIR", str(tmp_path))
    for path, document in generate.api_documents().items():
        assert path.exists(), f"{path.name} is not committed: run `make docs`"
        assert path.read_text() == generate.render(document), f"{path.name} is stale: run `make docs`"
