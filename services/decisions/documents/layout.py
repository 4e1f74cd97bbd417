"""The NĐ 30/2020/NĐ-CP layout every decision shares (reportlab): fonts, the wording of the national
header, A4 portrait geometry and paragraph styles, ô 1–ô 4 (header), ô 5–ô 6 (title, authority, căn
cứ, articles), ô 7 and ô 9b (signature block, Nơi nhận), and the portrait PDF builder with its page
numbers (DOMAIN.md §4: margins 20/20/30/15 mm, page numbers centred in the top margin from the
second page, the annex numbered on its own).

NĐ 30 asks for Times New Roman; Liberation Serif has the same metrics and covers Vietnamese, so line
breaks match what a Word copy of the decision would show. Every function is pure: the only I/O is
reading the vendored fonts.
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
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from services.decisions.documents.model import IssuingBody, Signer

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
def register_fonts() -> None:
    """Register Liberation Serif once per process; reportlab's font registry is global."""
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / file_name)))
    # The family mapping is what makes <b> and <i> inside a Paragraph pick the embedded TTF faces
    # instead of silently falling back to a base-14 Type 1 font without Vietnamese glyphs.
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)


def text_width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


# --- wording shared by every document ----------------------------------------------------------------

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

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


def sentence(text: str) -> str:
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
RULE_THICKNESS = 0.6


def paragraph_style(
    name: str, size: float, font: str = REGULAR, align: int = TA_CENTER, **extra: Any
) -> ParagraphStyle:
    # Single line spacing (1.2 em) is the NĐ 30 minimum and keeps the decision on as few pages as possible.
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=round(size * 1.2, 1), alignment=align, **extra
    )


_HEADER = paragraph_style("header", 13)
_HEADER_BOLD = paragraph_style("header-bold", 13, BOLD)
_HEADER_ITALIC = paragraph_style("header-italic", 13, ITALIC)
_DOCUMENT_TYPE = paragraph_style("document-type", 14, BOLD, spaceBefore=18)
_SUMMARY = paragraph_style("summary", 14, BOLD)
_AUTHORITY = paragraph_style("authority", 14, BOLD, spaceBefore=12, spaceAfter=6)
_BODY = paragraph_style("body", 14, align=TA_JUSTIFY, firstLineIndent=_FIRST_LINE_INDENT, spaceAfter=6)
_BODY_ITALIC = paragraph_style(
    "body-italic", 14, ITALIC, align=TA_JUSTIFY, firstLineIndent=_FIRST_LINE_INDENT, spaceAfter=6
)
_DECIDES = paragraph_style("decides", 14, BOLD, spaceBefore=6, spaceAfter=6)
_RECIPIENTS_LABEL = paragraph_style("recipients-label", 12, BOLD_ITALIC, align=TA_LEFT)
_RECIPIENT = paragraph_style("recipient", 11, align=TA_LEFT)
_SIGNER = paragraph_style("signer", 14, BOLD)


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: callers' strings are escaped so "&" or "<" cannot break the markup."""
    return Paragraph(escape(text), style)


def _rule(width: float, space_before: float = 4, space_after: float = 0) -> HRFlowable:
    return HRFlowable(
        width=width,
        thickness=RULE_THICKNESS,
        lineCap="butt",
        color=colors.black,
        spaceBefore=space_before,
        spaceAfter=space_after,
        hAlign="CENTER",
    )


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    # A Table sets its cell font even around Paragraph cells; left at the default it would pull the base-14
    # Helvetica into the PDF.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands])


# --- ô 1 to ô 4: the header ---------------------------------------------------------------------------


def _split_body_name(name: str, font: str, size: float, width: float) -> list[str]:
    """Break an organisation name the way official headers do, keeping every line within ``width``.

    One line when it fits; otherwise two lines broken before the administrative unit ("ỦY BAN NHÂN DÂN /
    TỈNH AN HÀ") or, failing that, at the most balanced word gap; longer names wrap greedily.
    """
    if text_width(name, font, size) <= width:
        return [name]
    words = name.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    fitting = [pair for pair in splits if all(text_width(part, font, size) <= width for part in pair)]
    if not fitting:
        return list(simpleSplit(name, font, size, width))
    for head, tail in fitting:
        if any(tail == unit or tail.startswith(f"{unit} ") for unit in _ADMINISTRATIVE_UNITS):
            return [head, tail]
    head, tail = min(fitting, key=lambda pair: max(text_width(part, font, size) for part in pair))
    return [head, tail]


def _body_name_paragraph(name: str, style: ParagraphStyle) -> Paragraph:
    lines = _split_body_name(name.upper(), style.fontName, style.fontSize, _BODY_COLUMN)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def header(issuer: IssuingBody, number: str, issued_on: date) -> Table:
    """Ô 2 and ô 3 on the left, ô 1 and ô 4 on the right; one table so "Số:" and the date share a line."""
    issuing_body = [_body_name_paragraph(issuer.parent_name_vi, _HEADER)] if issuer.parent_name_vi else []
    issuing_body += [_body_name_paragraph(issuer.name_vi, _HEADER_BOLD), _rule(_BODY_COLUMN / 3)]
    national = [
        paragraph(NATIONAL_NAME, _HEADER_BOLD),
        paragraph(MOTTO, _HEADER_BOLD),
        _rule(text_width(MOTTO, BOLD, 13)),
    ]
    rows = [
        [issuing_body, national],
        [
            paragraph(f"Số: {number}", _HEADER),
            paragraph(f"{issuer.place_vi}, {long_date(issued_on)}", _HEADER_ITALIC),
        ],
    ]
    style = table_style(
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


def title(summary: str) -> list[Any]:
    return [
        paragraph("QUYẾT ĐỊNH", _DOCUMENT_TYPE),
        paragraph(summary, _SUMMARY),
        _rule(60, space_before=6),
    ]


def preamble(issuer: IssuingBody, legal_bases: Sequence[str], proposer_vi: str | None) -> list[Any]:
    """Authority line, the căn cứ lines (";" between them, "." after the last), "Theo đề nghị của …"."""
    flowables: list[Any] = [paragraph(issuer.signer_title_vi.upper(), _AUTHORITY)]
    for index, basis in enumerate(legal_bases):
        ending = "." if index == len(legal_bases) - 1 else ";"
        flowables.append(paragraph(f"Căn cứ {basis.strip().rstrip('.;')}{ending}", _BODY_ITALIC))
    if proposer_vi:
        flowables.append(paragraph(f"Theo đề nghị của {sentence(proposer_vi)}", _BODY_ITALIC))
    flowables.append(paragraph("QUYẾT ĐỊNH:", _DECIDES))
    return flowables


def articles(texts: Sequence[str]) -> list[Any]:
    return [
        Paragraph(f"<b>Điều {number}.</b> {escape(text)}", _BODY)
        for number, text in enumerate(texts, start=1)
    ]


# --- ô 7 and ô 9b: signature block and Nơi nhận -----------------------------------------------------


def _recipients(recipients: Sequence[str], archive_unit: str) -> list[Any]:
    items = [paragraph(f"- {item.strip().rstrip('.;')};", _RECIPIENT) for item in recipients]
    return [
        paragraph("Nơi nhận:", _RECIPIENTS_LABEL),
        *items,
        paragraph(f"- Lưu: VT, {archive_unit}.", _RECIPIENT),
    ]


def _signer_block(signer: Signer) -> list[Any]:
    capacity = [paragraph(signer.capacity_vi.upper(), _SIGNER)] if signer.capacity_vi else []
    return [
        *capacity,
        paragraph(signer.title_vi.upper(), _SIGNER),
        Spacer(1, _SIGNATURE_SPACE),  # room for the signature and seal (ô 8)
        paragraph(signer.full_name, _SIGNER),
    ]


def signature(signer: Signer, recipients: Sequence[str], archive_unit: str) -> Table:
    style = table_style(
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


# --- building the portrait PDF -----------------------------------------------------------------------

_BODY_TEMPLATE = "body"
ANNEX_TEMPLATE = "annex"


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
class Metadata:
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


def build_portrait(story: list[Any], metadata: Metadata) -> bytes:
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
            PageTemplate(ANNEX_TEMPLATE, [_frame()], onPage=numbers.on_annex_page),
        ],
    )
    document.build(story)
    return buffer.getvalue()


P = ParamSpec("P")
R = TypeVar("R")
_RENDERING = threading.Lock()


def one_at_a_time(render: Callable[P, R]) -> Callable[P, R]:
    """reportlab's TrueType fonts are registered once and shared, and subsetting them into a PDF
    is not thread-safe (the service renders certificates in worker threads while its desk renders
    decisions; ``make bench`` found IndexError/KeyError in makeSubset). Rendering holds the GIL
    throughout anyway, so one at a time costs no throughput."""

    @functools.wraps(render)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with _RENDERING:
            return render(*args, **kwargs)

    return locked
