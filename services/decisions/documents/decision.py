"""Award and revocation decisions as PDF bytes, in the NĐ 30/2020/NĐ-CP layout (``layout``): the
award decision (Mẫu 1.2) with its annex listing every awardee, and the decision revoking one line
of an earlier award. Pure: the result is the PDF's bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.platypus import NextPageTemplate, PageBreak, Paragraph, Table

from services.decisions.documents.layout import (
    ANNEX_TEMPLATE,
    BOLD,
    FRAME_WIDTH,
    ITALIC,
    Metadata,
    articles,
    build_portrait,
    header,
    long_date,
    one_at_a_time,
    paragraph,
    paragraph_style,
    preamble,
    register_fonts,
    sentence,
    signature,
    table_style,
    title,
)
from services.decisions.documents.model import AnnexLine, DecisionDocument, RevocationDocument

__all__ = ["render_decision", "render_revocation"]

# --- wording ----------------------------------------------------------------------------------------

_DEFAULT_REWARD_BASIS = "Mức tiền thưởng thực hiện theo quy định hiện hành."
# A revocation carries no Nơi nhận of its own; it goes where an award decision goes by default.
_REVOCATION_RECIPIENTS = ("Như Điều 3",)
_REVOCATION_ARCHIVE_UNIT = "TĐKT"

UNKNOWN_AMOUNT_NOTE = (
    "Dấu “—”: mức tiền thưởng chưa xác định tại danh sách này, thực hiện theo quy định hiện hành."
)


def format_amount(amount_vnd: int | None) -> str:
    """Vietnamese thousands separators ("2.340.000"); an em dash, never 0, when the amount is not
    known (its multiple UNCONFIRMED): the annex then explains the dash (``UNKNOWN_AMOUNT_NOTE``)."""
    return "—" if amount_vnd is None else f"{amount_vnd:,}".replace(",", ".")


def _award_phrase(award_name_vi: str, is_title: bool, period_year: int | None) -> str:
    """What is awarded, as it reads after "tặng": a title is quoted and dated, a form is named as is."""
    if not is_title:
        return award_name_vi
    phrase = f"danh hiệu “{award_name_vi}”"
    return f"{phrase} năm {period_year}" if period_year is not None else phrase


def decision_summary(document: DecisionDocument) -> str:
    """The trích yếu of an award decision."""
    return f"Về việc tặng {_award_phrase(document.award_name_vi, document.is_title, document.period_year)}"


REVOCATION_SUMMARY = "Về việc hủy bỏ Quyết định khen thưởng"


def _awardee_count(lines: Sequence[AnnexLine]) -> str:
    """Who Điều 1 awards, e.g. "3 cá nhân và 1 tập thể", naming only the kinds that are present."""
    collectives = sum(1 for line in lines if line.is_collective)
    individuals = len(lines) - collectives
    parts = [f"{individuals} cá nhân"] if individuals else []
    parts += [f"{collectives} tập thể"] if collectives else []
    return " và ".join(parts)


def _awardee_kinds(lines: Sequence[AnnexLine]) -> str:
    """The annex subtitle's subject: "Cá nhân", "Tập thể" or "Cá nhân, tập thể"."""
    has_collective = any(line.is_collective for line in lines)
    has_individual = any(not line.is_collective for line in lines)
    if has_collective and has_individual:
        return "Cá nhân, tập thể"
    return "Tập thể" if has_collective else "Cá nhân"


# --- the annex -------------------------------------------------------------------------------------

_ANNEX_HEADING = paragraph_style("annex-heading", 14, BOLD)
_ANNEX_SUBTITLE = paragraph_style("annex-subtitle", 14, BOLD)
_ANNEX_REFERENCE = paragraph_style("annex-reference", 13, ITALIC, spaceAfter=12)
_ANNEX_NOTE = paragraph_style("annex-note", 12, ITALIC, align=TA_LEFT, spaceBefore=6)
_CELL_HEADER = paragraph_style("cell-header", 12, BOLD)
_CELL_CENTRE = paragraph_style("cell-centre", 13)
_CELL_LEFT = paragraph_style("cell-left", 13, align=TA_LEFT)
_CELL_RIGHT = paragraph_style("cell-right", 13, align=TA_RIGHT)


_ANNEX_COLUMNS = (50.0, 150.0, FRAME_WIDTH - 50.0 - 150.0 - 82.0, 82.0)
_ANNEX_HEADINGS = (
    "STT / Số sổ vàng",
    "Họ và tên / Tên tập thể",
    "Chức vụ, đơn vị công tác",
    "Tiền thưởng (đồng)",
)


def _annex_row(line: AnnexLine) -> list[Paragraph]:
    # Paragraphs, not strings: only they wrap inside a cell (and they keep the embedded font).
    return [
        paragraph(str(line.line_number), _CELL_CENTRE),
        paragraph(line.nominee_name, _CELL_LEFT),
        paragraph(line.position_title or "", _CELL_LEFT),
        paragraph(format_amount(line.amount_vnd), _CELL_RIGHT),
    ]


def _annex_table(lines: Sequence[AnnexLine]) -> Table:
    header = [paragraph(heading, _CELL_HEADER) for heading in _ANNEX_HEADINGS]
    style = table_style(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    rows = [header, *(_annex_row(line) for line in lines)]
    # repeatRows: the header row is drawn again at the top of every page the list runs onto.
    return Table(rows, colWidths=list(_ANNEX_COLUMNS), repeatRows=1, style=style)


def _annex(document: DecisionDocument) -> list[Any]:
    phrase = _award_phrase(document.award_name_vi, document.is_title, document.period_year)
    reference = (
        f"(Kèm theo Quyết định số {document.number} {long_date(document.issued_on)} "
        f"của {document.issuer.signer_title_vi})"
    )
    return [
        NextPageTemplate(ANNEX_TEMPLATE),
        PageBreak(),
        paragraph("DANH SÁCH", _ANNEX_HEADING),
        paragraph(f"{_awardee_kinds(document.lines)} được tặng {phrase}", _ANNEX_SUBTITLE),
        paragraph(reference, _ANNEX_REFERENCE),
        _annex_table(document.lines),
        *([paragraph(UNKNOWN_AMOUNT_NOTE, _ANNEX_NOTE)] if _amount_unknown(document.lines) else []),
    ]


def _amount_unknown(lines: Sequence[AnnexLine]) -> bool:
    return any(line.amount_vnd is None for line in lines)


# --- the documents ---------------------------------------------------------------------------------


def _decision_articles(document: DecisionDocument) -> list[str]:
    phrase = _award_phrase(document.award_name_vi, document.is_title, document.period_year)
    return [
        f"Tặng {phrase} cho {_awardee_count(document.lines)} (có danh sách kèm theo).",
        sentence(document.reward_basis_vi) if document.reward_basis_vi else _DEFAULT_REWARD_BASIS,
        "Quyết định có hiệu lực kể từ ngày ký. Các cá nhân, tập thể có tên tại Điều 1 và các cơ quan, "
        "đơn vị liên quan chịu trách nhiệm thi hành Quyết định này./.",
    ]


@one_at_a_time
def render_decision(document: DecisionDocument) -> bytes:
    """The award decision (NĐ 30 Mẫu 1.2) followed, on a new page, by its annex listing every awardee."""
    if not document.lines:
        raise ValueError("render_decision needs at least one awardee: Điều 1 and the annex list them")
    register_fonts()  # before the story: line breaks are measured with the fonts' metrics
    summary = decision_summary(document)
    story = [
        header(document.issuer, document.number, document.issued_on),
        *title(summary),
        *preamble(document.issuer, document.legal_bases, document.proposer_vi),
        *articles(_decision_articles(document)),
        signature(document.signer, document.recipients, document.archive_unit),
        *_annex(document),
    ]
    return build_portrait(story, Metadata(f"Quyết định {document.number}", document.issuer.name_vi, summary))


def _revocation_articles(document: RevocationDocument) -> list[str]:
    line = document.line
    revoked = (
        f"Hủy bỏ việc tặng “{document.award_name_vi}” cho {line.nominee_name} (số sổ vàng {line.line_number}) "
        f"tại Quyết định số {document.original_number} {long_date(document.original_issued_on)} "
        # Luật TĐKT Điều 93 k8: whoever awarded revokes, so the original signer is this decision's issuer.
        f"của {document.issuer.signer_title_vi}."
    )
    return [
        f"{revoked} Lý do: {sentence(document.ground_vi)} {sentence(document.reason)}",
        "Thu hồi hiện vật và tiền thưởng đã nhận theo quy định.",
        f"Quyết định có hiệu lực kể từ ngày ký. {line.nominee_name} và các cơ quan, đơn vị liên quan "
        "chịu trách nhiệm thi hành Quyết định này./.",
    ]


@one_at_a_time
def render_revocation(document: RevocationDocument) -> bytes:
    """A decision revoking one line of an earlier award decision, in the same NĐ 30 layout, no annex."""
    register_fonts()
    story = [
        header(document.issuer, document.number, document.issued_on),
        *title(REVOCATION_SUMMARY),
        *preamble(document.issuer, document.legal_bases, proposer_vi=None),
        *articles(_revocation_articles(document)),
        signature(document.signer, _REVOCATION_RECIPIENTS, _REVOCATION_ARCHIVE_UNIT),
    ]
    metadata = Metadata(f"Quyết định {document.number}", document.issuer.name_vi, REVOCATION_SUMMARY)
    return build_portrait(story, metadata)
