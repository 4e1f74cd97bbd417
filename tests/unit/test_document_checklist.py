"""A dossier's document checklist (``domain.documents``): attachments count for the required document
of their type; an UNCONFIRMED requirement is listed but never missing."""

from __future__ import annotations

from services.intake.domain.catalogue import RequiredDocument
from services.intake.domain.documents import checklist, complete


def _required(code: str, confirmed: bool = True) -> RequiredDocument:
    return RequiredDocument(
        code=code, name_vi=code, name_en=code, template=None, legal_basis="thử nghiệm", confirmed=confirmed
    )


def test_each_requirement_lists_its_attachments_in_upload_order() -> None:
    checks = checklist(
        [_required("TO_TRINH"), _required("BAO_CAO_THANH_TICH")],
        [
            ("a1", "BAO_CAO_THANH_TICH"),
            ("a2", "OTHER"),
            ("a3", "BAO_CAO_THANH_TICH"),
            ("a4", "HO_SO_DIEN_TU"),
        ],
    )
    assert [(c.document.code, c.attachment_ids, c.missing) for c in checks] == [
        ("TO_TRINH", (), True),
        ("BAO_CAO_THANH_TICH", ("a1", "a3"), False),
    ]
    assert complete(checks) is False
    assert complete(checklist([_required("TO_TRINH")], [("a5", "TO_TRINH")])) is True


def test_an_unconfirmed_requirement_is_never_missing() -> None:
    checks = checklist([_required("TO_TRINH", confirmed=False)], [])
    assert checks[0].attachment_ids == () and checks[0].missing is False
    assert complete(checks) is True
    assert complete(checklist([], [("a1", "OTHER")])) is True, "an award requiring nothing"
