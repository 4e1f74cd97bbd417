"""Decisions, certificates and revocations as PDF bytes (reportlab), laid out per NĐ 30/2020/NĐ-CP.

The layout is DOMAIN.md §4: A4 portrait, margins 20/20/30/15 mm, the ô 1–ô 9 blocks, page numbers centred
in the top margin from the second page, and the annex numbered on its own. Certificates follow §4.3
(A4 landscape, NĐ 98/2023 Điều 104 line order). NĐ 30 asks for Times New Roman; Liberation Serif has the
same metrics and covers Vietnamese, so line breaks match what a Word copy of the decision would show.

Every function is pure: the only I/O is reading the vendored fonts, and the result is the PDF's bytes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from services.decisions.documents.model import (
    AnnexLine,
    Certificate,
    DecisionDocument,
    IssuingBody,
    RevocationDocument,
    Signer,
)

__all__ = ["render_certificates", "render_decision", "render_revocation"]

# --- fonts -------------------------------------------------------------------------------------------

_FONT_DIR = Path(__file__).parent / "fonts"
REGULAR = "LiberationSerif"
BOLD = "LiberationSerif-Bold"
ITALIC = "LiberationSerif-Italic"
BOLD_ITALIC = "LiberationSerif-BoldItalic"
_FONT_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}


@functools.cache
def _register_fonts() -> None:
    """Register Liberation Serif once per process; reportlab's font registry is global."""
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / file_name)))
    # The family mapping is what makes <b> and <i> inside a Paragraph pick the embedded TTF faces
    # instead of silently falling back to a base-14 Type 1 font without Vietnamese glyphs.
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)


def _text_width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


# --- wording shared by every document ----------------------------------------------------------------

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
_DEFAULT_REWARD_BASIS = "Mức tiền thưởng thực hiện theo quy định hiện hành."
# A revocation carries no Nơi nhận of its own; it goes where an award decision goes by default.
_REVOCATION_RECIPIENTS = ("Như Điều 3",)
_REVOCATION_ARCHIVE_UNIT = "TĐKT"
# Local bodies break their name before the administrative unit: "ỦY BAN NHÂN DÂN / TỈNH AN HÀ".
_ADMINISTRATIVE_UNITS = (
    "TỈNH",
    "THÀNH PHỐ",
    "HUYỆN",
    "QUẬN",
    "THỊ XÃ",
    "XÃ",
    "PHƯỜNG",
    "THỊ TRẤN",
    "ĐẶC KHU",
)


def long_date(day: date) -> str:
    """The ô 4 date, e.g. "ngày 03 tháng 12 năm 2025": NĐ 30 pads the day below 10 and only months 1–2.

    Padding January and February keeps "tháng 1"/"tháng 2" from being altered into "tháng 11"/"tháng 12".
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


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


def _sentence(text: str) -> str:
    """Callers' sentences may or may not carry their full stop; print exactly one."""
    stripped = text.strip().rstrip(".;")
    return f"{stripped}."


# --- page geometry and paragraph styles of NĐ 30 -----------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20 * mm, 20 * mm, 30 * mm, 15 * mm
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
PAGE_NUMBER_BASELINE = PAGE_HEIGHT - 12 * mm
"""Page numbers sit in the top margin, centred over the text column."""

# The quốc hiệu at 13 pt is 271 pt wide: its column must hold it on one line; ô 2 gets the rest.
_NATIONAL_COLUMN = 285.0
_BODY_COLUMN = FRAME_WIDTH - _NATIONAL_COLUMN
_SIGNER_COLUMN = 265.0
_FIRST_LINE_INDENT = 10 * mm
_SIGNATURE_SPACE = 25 * mm
_RULE_THICKNESS = 0.6


def _style(
    name: str, size: float, font: str = REGULAR, align: int = TA_CENTER, **extra: Any
) -> ParagraphStyle:
    # Single line spacing (1.2 em) is the NĐ 30 minimum and keeps the decision on as few pages as possible.
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=round(size * 1.2, 1), alignment=align, **extra
    )


_HEADER = _style("header", 13)
_HEADER_BOLD = _style("header-bold", 13, BOLD)
_HEADER_ITALIC = _style("header-italic", 13, ITALIC)
_DOCUMENT_TYPE = _style("document-type", 14, BOLD, spaceBefore=18)
_SUMMARY = _style("summary", 14, BOLD)
_AUTHORITY = _style("authority", 14, BOLD, spaceBefore=12, spaceAfter=6)
_BODY = _style("body", 14, align=TA_JUSTIFY, firstLineIndent=_FIRST_LINE_INDENT, spaceAfter=6)
_BODY_ITALIC = _style(
    "body-italic", 14, ITALIC, align=TA_JUSTIFY, firstLineIndent=_FIRST_LINE_INDENT, spaceAfter=6
)
_DECIDES = _style("decides", 14, BOLD, spaceBefore=6, spaceAfter=6)
_RECIPIENTS_LABEL = _style("recipients-label", 12, BOLD_ITALIC, align=TA_LEFT)
_RECIPIENT = _style("recipient", 11, align=TA_LEFT)
_SIGNER = _style("signer", 14, BOLD)
_ANNEX_HEADING = _style("annex-heading", 14, BOLD)
_ANNEX_SUBTITLE = _style("annex-subtitle", 14, BOLD)
_ANNEX_REFERENCE = _style("annex-reference", 13, ITALIC, spaceAfter=12)
_ANNEX_NOTE = _style("annex-note", 12, ITALIC, align=TA_LEFT, spaceBefore=6)
_CELL_HEADER = _style("cell-header", 12, BOLD)
_CELL_CENTRE = _style("cell-centre", 13)
_CELL_LEFT = _style("cell-left", 13, align=TA_LEFT)
_CELL_RIGHT = _style("cell-right", 13, align=TA_RIGHT)


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: callers' strings are escaped so "&" or "<" cannot break the markup."""
    return Paragraph(escape(text), style)


def _rule(width: float, space_before: float = 4, space_after: float = 0) -> HRFlowable:
    return HRFlowable(
        width=width,
        thickness=_RULE_THICKNESS,
        lineCap="butt",
        color=colors.black,
        spaceBefore=space_before,
        spaceAfter=space_after,
        hAlign="CENTER",
    )


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    # A Table sets its cell font even around Paragraph cells; left at the default it would pull the base-14
    # Helvetica into the PDF.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands])


# --- ô 1 to ô 4: the header ---------------------------------------------------------------------------


def _split_body_name(name: str, font: str, size: float, width: float) -> list[str]:
    """Break an organisation name the way official headers do, keeping every line within ``width``.

    One line when it fits; otherwise two lines broken before the administrative unit ("ỦY BAN NHÂN DÂN /
    TỈNH AN HÀ") or, failing that, at the most balanced word gap; longer names wrap greedily.
    """
    if _text_width(name, font, size) <= width:
        return [name]
    words = name.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    fitting = [pair for pair in splits if all(_text_width(part, font, size) <= width for part in pair)]
    if not fitting:
        return list(simpleSplit(name, font, size, width))
    for head, tail in fitting:
        if any(tail == unit or tail.startswith(f"{unit} ") for unit in _ADMINISTRATIVE_UNITS):
            return [head, tail]
    head, tail = min(fitting, key=lambda pair: max(_text_width(part, font, size) for part in pair))
    return [head, tail]


def _body_name_paragraph(name: str, style: ParagraphStyle) -> Paragraph:
    lines = _split_body_name(name.upper(), style.fontName, style.fontSize, _BODY_COLUMN)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def _header(issuer: IssuingBody, number: str, issued_on: date) -> Table:
    """Ô 2 and ô 3 on the left, ô 1 and ô 4 on the right; one table so "Số:" and the date share a line."""
    issuing_body = [_body_name_paragraph(issuer.parent_name_vi, _HEADER)] if issuer.parent_name_vi else []
    issuing_body += [_body_name_paragraph(issuer.name_vi, _HEADER_BOLD), _rule(_BODY_COLUMN / 3)]
    national = [
        _paragraph(NATIONAL_NAME, _HEADER_BOLD),
        _paragraph(MOTTO, _HEADER_BOLD),
        _rule(_text_width(MOTTO, BOLD, 13)),
    ]
    rows = [
        [issuing_body, national],
        [
            _paragraph(f"Số: {number}", _HEADER),
            _paragraph(f"{issuer.place_vi}, {long_date(issued_on)}", _HEADER_ITALIC),
        ],
    ]
    style = _table_style(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 1), (-1, 1), 8),
        ]
    )
    return Table(rows, colWidths=[_BODY_COLUMN, _NATIONAL_COLUMN], style=style)


# --- ô 5 and ô 6: title, authority, căn cứ, articles ---------------------------------------------------


def _title(summary: str) -> list[Any]:
    return [
        _paragraph("QUYẾT ĐỊNH", _DOCUMENT_TYPE),
        _paragraph(summary, _SUMMARY),
        _rule(60, space_before=6),
    ]


def _preamble(issuer: IssuingBody, legal_bases: Sequence[str], proposer_vi: str | None) -> list[Any]:
    """Authority line, the căn cứ lines (";" between them, "." after the last), "Theo đề nghị của …"."""
    flowables: list[Any] = [_paragraph(issuer.signer_title_vi.upper(), _AUTHORITY)]
    for index, basis in enumerate(legal_bases):
        ending = "." if index == len(legal_bases) - 1 else ";"
        flowables.append(_paragraph(f"Căn cứ {basis.strip().rstrip('.;')}{ending}", _BODY_ITALIC))
    if proposer_vi:
        flowables.append(_paragraph(f"Theo đề nghị của {_sentence(proposer_vi)}", _BODY_ITALIC))
    flowables.append(_paragraph("QUYẾT ĐỊNH:", _DECIDES))
    return flowables


def _articles(texts: Sequence[str]) -> list[Any]:
    return [
        Paragraph(f"<b>Điều {number}.</b> {escape(text)}", _BODY)
        for number, text in enumerate(texts, start=1)
    ]


# --- ô 7 and ô 9b: signature block and Nơi nhận -----------------------------------------------------


def _recipients(recipients: Sequence[str], archive_unit: str) -> list[Any]:
    items = [_paragraph(f"- {item.strip().rstrip('.;')};", _RECIPIENT) for item in recipients]
    return [
        _paragraph("Nơi nhận:", _RECIPIENTS_LABEL),
        *items,
        _paragraph(f"- Lưu: VT, {archive_unit}.", _RECIPIENT),
    ]


def _signer_block(signer: Signer) -> list[Any]:
    capacity = [_paragraph(signer.capacity_vi.upper(), _SIGNER)] if signer.capacity_vi else []
    return [
        *capacity,
        _paragraph(signer.title_vi.upper(), _SIGNER),
        Spacer(1, _SIGNATURE_SPACE),  # room for the signature and seal (ô 8)
        _paragraph(signer.full_name, _SIGNER),
    ]


def _signature(signer: Signer, recipients: Sequence[str], archive_unit: str) -> Table:
    style = _table_style(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    table = Table(
        [[_recipients(recipients, archive_unit), _signer_block(signer)]],
        colWidths=[FRAME_WIDTH - _SIGNER_COLUMN, _SIGNER_COLUMN],
        style=style,
    )
    table.spaceBefore = 12
    return table


# --- the annex ---------------------------------------------------------------------------------------

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
        _paragraph(str(line.line_number), _CELL_CENTRE),
        _paragraph(line.nominee_name, _CELL_LEFT),
        _paragraph(line.position_title or "", _CELL_LEFT),
        _paragraph(format_amount(line.amount_vnd), _CELL_RIGHT),
    ]


def _annex_table(lines: Sequence[AnnexLine]) -> Table:
    header = [_paragraph(heading, _CELL_HEADER) for heading in _ANNEX_HEADINGS]
    style = _table_style(
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
        NextPageTemplate(_ANNEX_TEMPLATE),
        PageBreak(),
        _paragraph("DANH SÁCH", _ANNEX_HEADING),
        _paragraph(f"{_awardee_kinds(document.lines)} được tặng {phrase}", _ANNEX_SUBTITLE),
        _paragraph(reference, _ANNEX_REFERENCE),
        _annex_table(document.lines),
        *([_paragraph(UNKNOWN_AMOUNT_NOTE, _ANNEX_NOTE)] if _amount_unknown(document.lines) else []),
    ]


def _amount_unknown(lines: Sequence[AnnexLine]) -> bool:
    return any(line.amount_vnd is None for line in lines)


# --- building the portrait PDF -----------------------------------------------------------------------

_BODY_TEMPLATE = "body"
_ANNEX_TEMPLATE = "annex"


def _draw_page_number(canvas: Any, number: int) -> None:
    if number < 2:  # NĐ 30: the first page of the document, and of each annex, shows no number
        return
    canvas.saveState()
    canvas.setFont(REGULAR, 13)
    canvas.drawCentredString(MARGIN_LEFT + FRAME_WIDTH / 2, PAGE_NUMBER_BASELINE, str(number))
    canvas.restoreState()


class _PageNumbers:
    """Numbers the decision's pages, and the annex's separately (NĐ 30: "đánh số riêng theo từng Phụ lục")."""

    def __init__(self) -> None:
        self._annex_first_page: int | None = None

    def on_body_page(self, canvas: Any, doc: Any) -> None:
        _draw_page_number(canvas, doc.page)

    def on_annex_page(self, canvas: Any, doc: Any) -> None:
        # Page templates are applied in page order, so the first call is the annex's first page.
        if self._annex_first_page is None:
            self._annex_first_page = doc.page
        _draw_page_number(canvas, doc.page - self._annex_first_page + 1)


@dataclass(frozen=True)
class _Metadata:
    title: str
    author: str
    subject: str


def _frame() -> Frame:
    # Zero padding: the frame is the text area, so nothing lands inside the NĐ 30 margins.
    return Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        FRAME_WIDTH,
        FRAME_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def _build_portrait(story: list[Any], metadata: _Metadata) -> bytes:
    numbers = _PageNumbers()
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=metadata.title,
        author=metadata.author,
        subject=metadata.subject,
        lang="vi",
        # reportlab's canvas otherwise starts every page in Helvetica, a base-14 font without Vietnamese.
        initialFontName=REGULAR,
        pageTemplates=[
            PageTemplate(_BODY_TEMPLATE, [_frame()], onPage=numbers.on_body_page),
            PageTemplate(_ANNEX_TEMPLATE, [_frame()], onPage=numbers.on_annex_page),
        ],
    )
    document.build(story)
    return buffer.getvalue()


def _decision_articles(document: DecisionDocument) -> list[str]:
    phrase = _award_phrase(document.award_name_vi, document.is_title, document.period_year)
    return [
        f"Tặng {phrase} cho {_awardee_count(document.lines)} (có danh sách kèm theo).",
        _sentence(document.reward_basis_vi) if document.reward_basis_vi else _DEFAULT_REWARD_BASIS,
        "Quyết định có hiệu lực kể từ ngày ký. Các cá nhân, tập thể có tên tại Điều 1 và các cơ quan, "
        "đơn vị liên quan chịu trách nhiệm thi hành Quyết định này./.",
    ]


P = ParamSpec("P")
R = TypeVar("R")
_RENDERING = threading.Lock()


def _one_at_a_time(render: Callable[P, R]) -> Callable[P, R]:
    """reportlab's TrueType fonts are registered once and shared, and subsetting them into a PDF
    is not thread-safe (the service renders certificates in worker threads while its desk renders
    decisions; ``make bench`` found IndexError/KeyError in makeSubset). Rendering holds the GIL
    throughout anyway, so one at a time costs no throughput."""

    @functools.wraps(render)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with _RENDERING:
            return render(*args, **kwargs)

    return locked


@_one_at_a_time
def render_decision(document: DecisionDocument) -> bytes:
    """The award decision (NĐ 30 Mẫu 1.2) followed, on a new page, by its annex listing every awardee."""
    if not document.lines:
        raise ValueError("render_decision needs at least one awardee: Điều 1 and the annex list them")
    _register_fonts()  # before the story: line breaks are measured with the fonts' metrics
    summary = decision_summary(document)
    story = [
        _header(document.issuer, document.number, document.issued_on),
        *_title(summary),
        *_preamble(document.issuer, document.legal_bases, document.proposer_vi),
        *_articles(_decision_articles(document)),
        _signature(document.signer, document.recipients, document.archive_unit),
        *_annex(document),
    ]
    return _build_portrait(
        story, _Metadata(f"Quyết định {document.number}", document.issuer.name_vi, summary)
    )


def _revocation_articles(document: RevocationDocument) -> list[str]:
    line = document.line
    revoked = (
        f"Hủy bỏ việc tặng “{document.award_name_vi}” cho {line.nominee_name} (số sổ vàng {line.line_number}) "
        f"tại Quyết định số {document.original_number} {long_date(document.original_issued_on)} "
        # Luật TĐKT Điều 93 k8: whoever awarded revokes, so the original signer is this decision's issuer.
        f"của {document.issuer.signer_title_vi}."
    )
    return [
        f"{revoked} Lý do: {_sentence(document.ground_vi)} {_sentence(document.reason)}",
        "Thu hồi hiện vật và tiền thưởng đã nhận theo quy định.",
        f"Quyết định có hiệu lực kể từ ngày ký. {line.nominee_name} và các cơ quan, đơn vị liên quan "
        "chịu trách nhiệm thi hành Quyết định này./.",
    ]


@_one_at_a_time
def render_revocation(document: RevocationDocument) -> bytes:
    """A decision revoking one line of an earlier award decision, in the same NĐ 30 layout, no annex."""
    _register_fonts()
    story = [
        _header(document.issuer, document.number, document.issued_on),
        *_title(REVOCATION_SUMMARY),
        *_preamble(document.issuer, document.legal_bases, proposer_vi=None),
        *_articles(_revocation_articles(document)),
        _signature(document.signer, _REVOCATION_RECIPIENTS, _REVOCATION_ARCHIVE_UNIT),
    ]
    metadata = _Metadata(f"Quyết định {document.number}", document.issuer.name_vi, REVOCATION_SUMMARY)
    return _build_portrait(story, metadata)


# --- certificates (A4 landscape) ---------------------------------------------------------------------

CERTIFICATE_WIDTH, CERTIFICATE_HEIGHT = landscape(A4)
BORDER_OUTER_INSET = 10 * mm
BORDER_INNER_INSET = 13 * mm
_CONTENT_INSET = 22 * mm
_CONTENT_LEFT = _CONTENT_INSET
_CONTENT_RIGHT = CERTIFICATE_WIDTH - _CONTENT_INSET
_CONTENT_WIDTH = _CONTENT_RIGHT - _CONTENT_LEFT
_CONTENT_TOP = CERTIFICATE_HEIGHT - _CONTENT_INSET
_CONTENT_BOTTOM = _CONTENT_INSET
_CENTRE_X = CERTIFICATE_WIDTH / 2
_HEADER_SIZE = 15.0
_CITATION_TOP = _CONTENT_TOP - 2 * _HEADER_SIZE * 1.25 - 16  # below the quốc hiệu, tiêu ngữ and rule
_SIGNATURE_TOP = _CONTENT_BOTTOM + 140  # the bottom blocks live below this line, the citation above it
_CITATION_BOTTOM = _SIGNATURE_TOP + 10
_SIGNATURE_COLUMN = 300.0
_SIGNATURE_CENTRE_X = _CONTENT_RIGHT - _SIGNATURE_COLUMN / 2
_REFERENCE_COLUMN = _CONTENT_WIDTH - _SIGNATURE_COLUMN - 20
_PROSE_WIDTH = _CONTENT_WIDTH * 0.85  # full-width sentences read poorly on a landscape page
_MIN_PROSE_SIZE = 10.0
_MIN_CITATION_SCALE = 0.5
_LEADING = 1.25
_BORDER_COLOUR = colors.Color(0.55, 0.08, 0.08)
_RED = colors.Color(0.80, 0.0, 0.0)
_ELLIPSIS = "…"


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    colour: Any = colors.black
    space_before: float = 0.0

    @property
    def height(self) -> float:
        return self.space_before + self.size * _LEADING


def _clip(text: str, font: str, size: float, width: float) -> str:
    """Cut ``text`` to ``width``, marking the cut with an ellipsis."""
    if _text_width(text, font, size) <= width:
        return text
    while text and _text_width(text + _ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS


def _with_ellipsis(text: str, font: str, size: float, width: float) -> str:
    """Mark a line as cut short, dropping trailing words until the ellipsis fits."""
    if text.endswith(_ELLIPSIS):
        return text
    words = text.split()
    while len(words) > 1 and _text_width(" ".join(words) + _ELLIPSIS, font, size) > width:
        words.pop()
    return _clip(" ".join(words) + _ELLIPSIS, font, size, width)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    # simpleSplit keeps an over-long word whole; clipping it is what keeps it inside the border.
    return [_clip(line, font, size, width) for line in simpleSplit(text, font, size, width)]


@dataclass(frozen=True)
class _Block:
    """One element of the citation, wrapped and sized; ``complete`` is False when it had to be cut."""

    lines: list[_Line]
    complete: bool
    essential: bool
    """Who awards what to whom: must be shown whole whenever any size allows it."""

    @property
    def height(self) -> float:
        return sum(line.height for line in self.lines)


def _fit(
    text: str, font: str, sizes: tuple[float, float], max_lines: int, width: float
) -> tuple[float, list[str], bool]:
    """The largest size in ``sizes`` (largest, smallest) at which ``text`` fits ``width``, and whether whole.

    A modest shrink (to 3/4) on one line reads better than a wrap; beyond that the text wraps onto at most
    ``max_lines`` lines, and at the smallest size whatever is still left over is cut with an ellipsis.
    """
    largest, smallest = sizes
    size = largest
    while size >= largest * 0.75:
        if _text_width(text, font, size) <= width:
            return size, [text], True
        size -= 1
    size = largest
    while size >= smallest:
        lines = simpleSplit(text, font, size, width)
        if len(lines) <= max_lines:
            # An over-long word stays whole in simpleSplit's lines; clipping it keeps it inside but cuts it.
            complete = all(_text_width(line, font, size) <= width for line in lines)
            return size, [_clip(line, font, size, width) for line in lines], complete
        size -= 1
    kept = _wrap(text, font, smallest, width)[:max_lines]
    kept[-1] = _with_ellipsis(kept[-1], font, smallest, width)
    return smallest, kept, False


def _block(
    text: str,
    font: str,
    sizes: tuple[float, float],
    max_lines: int,
    *,
    essential: bool,
    colour: Any = colors.black,
    space_before: float = 0.0,
    width: float = _CONTENT_WIDTH,
) -> _Block:
    size, texts, complete = _fit(text, font, sizes, max_lines, width)
    lines = [
        _Line(line, font, size, colour, space_before if index == 0 else 0.0)
        for index, line in enumerate(texts)
    ]
    return _Block(lines, complete, essential)


def _prose_sizes(preferred: float, scale: float) -> tuple[float, float]:
    # Below 10 pt the position and achievement stop being legible on paper: cut them instead.
    return max(preferred * scale, _MIN_PROSE_SIZE), _MIN_PROSE_SIZE


def _citation(certificate: Certificate, scale: float) -> list[_Block]:
    """The centred lines 2–5 of NĐ 98 Điều 104 at ``scale`` of their preferred sizes."""
    line = certificate.line
    award_verb = "TẶNG DANH HIỆU" if certificate.is_title else "TẶNG"
    blocks = [
        _block(
            certificate.issuer.signer_title_vi.upper(),
            BOLD,
            (20 * scale, 12 * scale),
            2,
            essential=True,
            colour=_RED,
        ),
        _Block([_Line(award_verb, BOLD, 18 * scale, space_before=8 * scale)], complete=True, essential=True),
        _block(
            certificate.award_name_vi.upper(),
            BOLD,
            (32 * scale, 16 * scale),
            3,
            essential=True,
            colour=_RED,
            space_before=6 * scale,
        ),
        _block(line.nominee_name, BOLD, (28 * scale, 14 * scale), 2, essential=True, space_before=12 * scale),
    ]
    if line.position_title:
        blocks.append(
            _block(
                line.position_title,
                REGULAR,
                _prose_sizes(17, scale),
                2,
                essential=False,
                space_before=4 * scale,
                width=_PROSE_WIDTH,
            )
        )
    if certificate.achievement_vi:
        blocks.append(
            _block(
                certificate.achievement_vi,
                ITALIC,
                _prose_sizes(16, scale),
                4,
                essential=False,
                space_before=8 * scale,
                width=_PROSE_WIDTH,
            )
        )
    return blocks


def _citation_that_fits(certificate: Certificate) -> list[_Line]:
    """Shrink the whole citation evenly until it fits between the header and the signature blocks.

    The largest scale wins at which the essential lines are whole and the block fits; the position and
    achievement may be cut at any scale. At the smallest scale everything fits by construction.
    """
    available = _CITATION_TOP - _CITATION_BOTTOM
    scale = 1.0
    while True:
        blocks = _citation(certificate, scale)
        fits = sum(block.height for block in blocks) <= available
        if scale <= _MIN_CITATION_SCALE or (fits and all(b.complete for b in blocks if b.essential)):
            return [line for block in blocks for line in block.lines]
        scale = max(scale - 0.05, _MIN_CITATION_SCALE)


def _draw_lines(canvas: Any, lines: Sequence[_Line], top: float, centre_x: float) -> None:
    y = top
    for line in lines:
        y -= line.space_before + line.size  # baseline one em below the top of the line
        canvas.setFillColor(line.colour)
        canvas.setFont(line.font, line.size)
        canvas.drawCentredString(centre_x, y, line.text)
        y -= line.size * (_LEADING - 1)


def _draw_border(canvas: Any) -> None:
    # A plain double frame in dark red: decorative without imitating any state-level certificate design.
    canvas.saveState()
    canvas.setStrokeColor(_BORDER_COLOUR)
    for inset, thickness in ((BORDER_OUTER_INSET, 3.0), (BORDER_INNER_INSET, 1.0)):
        canvas.setLineWidth(thickness)
        canvas.rect(inset, inset, CERTIFICATE_WIDTH - 2 * inset, CERTIFICATE_HEIGHT - 2 * inset)
    canvas.restoreState()


def _draw_national_header(canvas: Any) -> None:
    heading = [_Line(NATIONAL_NAME, BOLD, _HEADER_SIZE), _Line(MOTTO, BOLD, _HEADER_SIZE)]
    _draw_lines(canvas, heading, _CONTENT_TOP, _CENTRE_X)
    rule_y = _CONTENT_TOP - 2 * _HEADER_SIZE * _LEADING - 2
    half = _text_width(MOTTO, BOLD, _HEADER_SIZE) / 2
    canvas.setLineWidth(_RULE_THICKNESS)
    canvas.line(_CENTRE_X - half, rule_y, _CENTRE_X + half, rule_y)


def _draw_citation(canvas: Any, certificate: Certificate) -> None:
    lines = _citation_that_fits(certificate)
    spare = _CITATION_TOP - _CITATION_BOTTOM - sum(line.height for line in lines)
    _draw_lines(canvas, lines, _CITATION_TOP - spare / 2, _CENTRE_X)  # centred in its band


def _single_line(text: str, font: str, size: float, width: float) -> _Line:
    """One line of a bottom block, shrunk (then cut) to stay within its column."""
    while size > 9 and _text_width(text, font, size) > width:
        size -= 0.5
    return _Line(_clip(text, font, size, width), font, size)


def _draw_decision_reference(canvas: Any, certificate: Certificate) -> None:
    """Bottom left, bold italic: the decision and the awardee's số sổ vàng."""
    texts = (
        f"Quyết định số {certificate.decision_number} ngày {short_date(certificate.issued_on)}",
        f"Số sổ vàng: {certificate.line.line_number}",
    )
    canvas.setFillColor(colors.black)
    for row, text in enumerate(reversed(texts)):
        line = _single_line(text, BOLD_ITALIC, 13, _REFERENCE_COLUMN)
        canvas.setFont(line.font, line.size)
        canvas.drawString(_CONTENT_LEFT, _CONTENT_BOTTOM + 4 + row * 18, line.text)


def _draw_certificate_signature(canvas: Any, certificate: Certificate) -> None:
    """Bottom right: place and date, capacity and title, room for signature and seal, then the name."""
    signer = certificate.signer
    place_date = f"{certificate.issuer.place_vi}, {long_date(certificate.issued_on)}"
    titles = [signer.capacity_vi.upper()] if signer.capacity_vi else []
    titles.append(signer.title_vi.upper())
    top = [_single_line(place_date, ITALIC, 14, _SIGNATURE_COLUMN)]
    top += [_single_line(title, BOLD, 14, _SIGNATURE_COLUMN) for title in titles]
    canvas.setFillColor(colors.black)
    _draw_lines(canvas, top, _SIGNATURE_TOP, _SIGNATURE_CENTRE_X)
    name = _single_line(signer.full_name, BOLD, 15, _SIGNATURE_COLUMN)
    _draw_lines(canvas, [name], _CONTENT_BOTTOM + name.height, _SIGNATURE_CENTRE_X)


def _draw_certificate(canvas: Any, certificate: Certificate) -> None:
    _draw_border(canvas)
    _draw_national_header(canvas)
    _draw_citation(canvas, certificate)
    _draw_decision_reference(canvas, certificate)
    _draw_certificate_signature(canvas, certificate)


@_one_at_a_time
def render_certificates(certificates: Sequence[Certificate]) -> bytes:
    """One A4 landscape certificate page per awardee, in the given order."""
    if not certificates:
        raise ValueError("render_certificates needs at least one certificate: a PDF cannot have no page")
    _register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), initialFontName=REGULAR, lang="vi")
    first = certificates[0]
    canvas.setTitle(f"Giấy chứng nhận — Quyết định {first.decision_number}")
    canvas.setAuthor(first.issuer.name_vi)
    canvas.setSubject(first.award_name_vi)
    for certificate in certificates:
        _draw_certificate(canvas, certificate)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
