"""Certificates (giấy chứng nhận) as PDF bytes: one A4 landscape page per awardee, its lines in the
order of NĐ 98/2023 Điều 104 (DOMAIN.md §4.3), the citation shrunk evenly until it fits. Pure: the
result is the PDF's bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from services.decisions.documents.layout import (
    BOLD,
    BOLD_ITALIC,
    ITALIC,
    MOTTO,
    NATIONAL_NAME,
    REGULAR,
    RULE_THICKNESS,
    long_date,
    one_at_a_time,
    register_fonts,
    short_date,
    text_width,
)
from services.decisions.documents.model import Certificate

__all__ = ["render_certificates"]

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
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + _ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS


def _with_ellipsis(text: str, font: str, size: float, width: float) -> str:
    """Mark a line as cut short, dropping trailing words until the ellipsis fits."""
    if text.endswith(_ELLIPSIS):
        return text
    words = text.split()
    while len(words) > 1 and text_width(" ".join(words) + _ELLIPSIS, font, size) > width:
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
        if text_width(text, font, size) <= width:
            return size, [text], True
        size -= 1
    size = largest
    while size >= smallest:
        lines = simpleSplit(text, font, size, width)
        if len(lines) <= max_lines:
            # An over-long word stays whole in simpleSplit's lines; clipping it keeps it inside but cuts it.
            complete = all(text_width(line, font, size) <= width for line in lines)
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
    half = text_width(MOTTO, BOLD, _HEADER_SIZE) / 2
    canvas.setLineWidth(RULE_THICKNESS)
    canvas.line(_CENTRE_X - half, rule_y, _CENTRE_X + half, rule_y)


def _draw_citation(canvas: Any, certificate: Certificate) -> None:
    lines = _citation_that_fits(certificate)
    spare = _CITATION_TOP - _CITATION_BOTTOM - sum(line.height for line in lines)
    _draw_lines(canvas, lines, _CITATION_TOP - spare / 2, _CENTRE_X)  # centred in its band


def _single_line(text: str, font: str, size: float, width: float) -> _Line:
    """One line of a bottom block, shrunk (then cut) to stay within its column."""
    while size > 9 and text_width(text, font, size) > width:
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


@one_at_a_time
def render_certificates(certificates: Sequence[Certificate]) -> bytes:
    """One A4 landscape certificate page per awardee, in the given order."""
    if not certificates:
        raise ValueError("render_certificates needs at least one certificate: a PDF cannot have no page")
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), initialFontName=REGULAR, lang="vi")
    first = certificates[0]
    canvas.setTitle(f"{first.award_name_vi} — Quyết định số {first.decision_number}")
    canvas.setAuthor(first.issuer.name_vi)
    canvas.setSubject(first.award_name_vi)
    for certificate in certificates:
        _draw_certificate(canvas, certificate)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
