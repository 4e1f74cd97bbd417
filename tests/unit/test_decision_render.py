"""Rendering of award decisions, certificates and revocations (NĐ 30/2020 layout, DOMAIN.md §4).

The PDFs are read back with pdfium: the text a reader would extract, every glyph's box (nothing may leave
the margins or the certificate border), the fonts behind the glyphs, and page 1 rendered to a PNG.
"""

from __future__ import annotations

import ctypes
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from contracts.events import EntrySummary, NomineeKind, RewardMultiple
from services.decisions.documents import compose
from services.decisions.documents.certificate import render_certificates
from services.decisions.documents.decision import (
    UNKNOWN_AMOUNT_NOTE,
    format_amount,
    render_decision,
    render_revocation,
)
from services.decisions.documents.layout import long_date
from services.decisions.documents.model import (
    AnnexLine,
    Certificate,
    DecisionDocument,
    IssuingBody,
    RevocationDocument,
    Signer,
)
from services.decisions.domain import decision_reward
from services.decisions.models import Decision, DecisionEntry

MM = 72 / 25.4
A4_WIDTH, A4_HEIGHT = 210 * MM, 297 * MM
TOLERANCE = 1.0
TEXT_LEFT, TEXT_RIGHT = 30 * MM, A4_WIDTH - 15 * MM
TEXT_BOTTOM, TEXT_TOP = 20 * MM, A4_HEIGHT - 20 * MM
TEXT_CENTRE = (TEXT_LEFT + TEXT_RIGHT) / 2
BORDER_OUTER_INSET, BORDER_INNER_INSET = 10 * MM, 13 * MM
ANNEX_HEADER = "STT / Số sổ vàng Họ và tên / Tên tập thể Chức vụ, đơn vị công tác Tiền thưởng (đồng)"

ISSUER = IssuingBody(
    name_vi="Ủy ban nhân dân tỉnh An Hà",
    place_vi="An Hà",
    signer_title_vi="Chủ tịch Ủy ban nhân dân tỉnh An Hà",
)
SIGNER = Signer(capacity_vi="KT. CHỦ TỊCH", title_vi="PHÓ CHỦ TỊCH", full_name="Trần Thị Ngọc Ánh")
AWARD = "Chiến sĩ thi đua cơ sở"
ISSUED_ON = date(2025, 1, 3)
NUMBER = "01/QĐ-UBND"
LEGAL_BASES = (
    "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
    "Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022",
    "Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định chi tiết một số điều "
    "của Luật Thi đua, khen thưởng",
    "Biên bản họp Hội đồng Thi đua - Khen thưởng tỉnh ngày 20 tháng 12 năm 2024",
)
PROPOSER = "Giám đốc Sở Nội vụ tại Tờ trình số 45/TTr-SNV ngày 25 tháng 12 năm 2024"
REWARD_BASIS = "Mỗi cá nhân được tặng Bằng chứng nhận, khung và tiền thưởng 1,0 lần mức lương cơ sở"

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ")
MIDDLE_NAMES = ("Thị Hồng", "Văn", "Thị Ngọc", "Đức", "Minh", "Thị Thu", "Quốc", "Thanh")
GIVEN_NAMES = ("Nhung", "Được", "Ánh", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Lan")
POSITIONS = (
    "Giáo viên Trường Trung học phổ thông chuyên Lê Quý Đôn, Sở Giáo dục và Đào tạo tỉnh An Hà",
    "Phó Trưởng phòng Tổ chức cán bộ",
    "Điều dưỡng trưởng Khoa Hồi sức tích cực - Chống độc, Bệnh viện Đa khoa tỉnh An Hà, kiêm Bí thư Chi "
    "đoàn Thanh niên Cộng sản Hồ Chí Minh khối lâm sàng",
)
COLLECTIVES = tuple(
    f"{unit} số {index}"
    for index, unit in enumerate(
        (
            "Tổ Toán - Tin, Trường Trung học phổ thông chuyên Lê Quý Đôn",
            "Phòng Giáo dục và Đào tạo huyện Đông Hưng",
            "Khoa Nội tổng hợp, Bệnh viện Đa khoa tỉnh An Hà",
            "Đội Cảnh sát giao thông, Công an huyện Đông Hưng",
            "Trạm Y tế xã Hòa Bình",
            "Ban Chỉ huy Quân sự huyện Đông Hưng",
            "Hợp tác xã Nông nghiệp Được Mùa",
            "Chi cục Thuế khu vực Đông Hưng",
            "Trường Tiểu học Nguyễn Văn Trỗi",
            "Phòng Văn hóa và Thông tin huyện Đông Hưng",
        ),
        start=1,
    )
)


def annex_line(index: int) -> AnnexLine:
    """The index-th awardee: every 50th a collective, the rest individuals with unique names."""
    if index % 50 == 49:
        return AnnexLine(index + 1, COLLECTIVES[index // 50], "Sở Nội vụ tỉnh An Hà", True, 4_680_000)
    name = " ".join((SURNAMES[index % 8], MIDDLE_NAMES[(index // 8) % 8], GIVEN_NAMES[(index // 64) % 10]))
    amount = None if index % 7 == 3 else 2_340_000
    return AnnexLine(index + 1, name, POSITIONS[index % 3], False, amount)


def decision(lines: Sequence[AnnexLine], **changes: Any) -> DecisionDocument:
    document = DecisionDocument(
        number=NUMBER,
        issued_on=ISSUED_ON,
        issuer=ISSUER,
        signer=SIGNER,
        award_name_vi=AWARD,
        is_title=True,
        period_year=2024,
        legal_bases=LEGAL_BASES,
        proposer_vi=PROPOSER,
        lines=tuple(lines),
        reward_basis_vi=REWARD_BASIS,
        recipients=("Như Điều 3", "Ban TĐKT Trung ương - Bộ Nội vụ", "Chủ tịch, các PCT UBND tỉnh"),
        archive_unit="KGVX",
    )
    return replace(document, **changes)


def certificate(line: AnnexLine, achievement: str | None = None, award: str = AWARD) -> Certificate:
    return Certificate(
        decision_number=NUMBER,
        issued_on=ISSUED_ON,
        issuer=ISSUER,
        signer=SIGNER,
        award_name_vi=award,
        is_title=award == AWARD,
        line=line,
        achievement_vi=achievement
        or "Đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm học 2024 - 2025, góp phần vào sự nghiệp "
        "giáo dục và đào tạo của tỉnh.",
    )


# --- reading the PDF back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glyph:
    char: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def centre_y(self) -> float:
        return (self.bottom + self.top) / 2

    @property
    def height(self) -> float:
        return self.top - self.bottom


def normalised(text: str) -> str:
    """Wrapped lines and cells come back split by CR/LF; compare text as one line of single spaces."""
    return " ".join(text.split())


def page_text(page: pdfium.PdfPage) -> str:
    return normalised(page.get_textpage().get_text_range())


def glyphs(page: pdfium.PdfPage) -> list[Glyph]:
    """Every drawn, non-blank character with its tight box in PDF points."""
    textpage = page.get_textpage()
    found = []
    for index in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        if char.isspace() or pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
            continue
        found.append(Glyph(char, *textpage.get_charbox(index)))
    return found


def glyph_fonts(page: pdfium.PdfPage) -> set[str]:
    textpage = page.get_textpage()
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    names = set()
    for index in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
            continue
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, len(buffer), ctypes.byref(flags))
        names.add(buffer.value.decode().split("+")[-1])  # drop a subset prefix such as "AAAAAA+"
    return names


def inside(glyph: Glyph, left: float, bottom: float, right: float, top: float) -> bool:
    return (
        glyph.left >= left - TOLERANCE
        and glyph.right <= right + TOLERANCE
        and glyph.bottom >= bottom - TOLERANCE
        and glyph.top <= top + TOLERANCE
    )


def in_text_area(glyph: Glyph) -> bool:
    return inside(glyph, TEXT_LEFT, TEXT_BOTTOM, TEXT_RIGHT, TEXT_TOP)


def count_whole(name: str, text: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text))


@dataclass(frozen=True)
class RenderedDecision:
    document: DecisionDocument
    pdf_bytes: bytes
    pdf: pdfium.PdfDocument
    texts: list[str]

    @property
    def annex_start(self) -> int:
        return next(index for index, text in enumerate(self.texts) if text.startswith("DANH SÁCH "))

    @property
    def annex_text(self) -> str:
        return " ".join(self.texts[self.annex_start :])

    def expected_page_number(self, index: int) -> int:
        """NĐ 30: the decision counts from its first page, the annex afresh from its own."""
        return index + 1 if index < self.annex_start else index - self.annex_start + 1


def rendered(document: DecisionDocument) -> RenderedDecision:
    pdf_bytes = render_decision(document)
    pdf = pdfium.PdfDocument(pdf_bytes)
    return RenderedDecision(document, pdf_bytes, pdf, [page_text(page) for page in pdf])


@pytest.fixture(scope="module", params=[1, 500], ids=["one-entry", "500-entries"])
def decision_pdf(request: pytest.FixtureRequest) -> RenderedDecision:
    return rendered(decision([annex_line(index) for index in range(request.param)]))


@pytest.fixture(scope="module")
def long_decision_pdf() -> RenderedDecision:
    """A decision whose body alone runs onto a second page."""
    bases = tuple(f"{basis} (lần {n})" for n in range(1, 6) for basis in LEGAL_BASES)
    return rendered(decision([annex_line(index) for index in range(3)], legal_bases=bases))


# --- the decision ----------------------------------------------------------------------------------------


def test_decision_states_every_block_with_its_diacritics(decision_pdf: RenderedDecision) -> None:
    body = " ".join(decision_pdf.texts[: decision_pdf.annex_start])
    expected = [
        "ỦY BAN NHÂN DÂN TỈNH AN HÀ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/QĐ-UBND",
        "An Hà, ngày 03 tháng 01 năm 2025",
        "QUYẾT ĐỊNH Về việc tặng danh hiệu “Chiến sĩ thi đua cơ sở” năm 2024",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN HÀ",
        *(f"Căn cứ {basis};" for basis in LEGAL_BASES[:-1]),
        f"Căn cứ {LEGAL_BASES[-1]}.",
        f"Theo đề nghị của {PROPOSER}.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Tặng danh hiệu “Chiến sĩ thi đua cơ sở” năm 2024 cho",
        "(có danh sách kèm theo).",
        f"Điều 2. {REWARD_BASIS}.",
        "Điều 3. Quyết định có hiệu lực kể từ ngày ký.",
        "chịu trách nhiệm thi hành Quyết định này./.",
        "Nơi nhận: - Như Điều 3; - Ban TĐKT Trung ương - Bộ Nội vụ; - Chủ tịch, các PCT UBND tỉnh;",
        "- Lưu: VT, KGVX.",
        "KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
        "Trần Thị Ngọc Ánh",
    ]
    for fragment in expected:
        assert fragment in body, fragment


def test_article_1_counts_individuals_and_collectives(decision_pdf: RenderedDecision) -> None:
    counted = {1: "1 cá nhân", 500: "490 cá nhân và 10 tập thể"}[len(decision_pdf.document.lines)]
    assert f"năm 2024 cho {counted} (có danh sách kèm theo)." in decision_pdf.texts[0]


def test_annex_lists_every_awardee_once_with_its_line_number(decision_pdf: RenderedDecision) -> None:
    annex = decision_pdf.annex_text
    kinds = "Cá nhân, tập thể" if len(decision_pdf.document.lines) > 1 else "Cá nhân"
    assert annex.startswith(
        f"DANH SÁCH {kinds} được tặng danh hiệu “Chiến sĩ thi đua cơ sở” năm 2024 "
        "(Kèm theo Quyết định số 01/QĐ-UBND ngày 03 tháng 01 năm 2025 của Chủ tịch Ủy ban nhân dân tỉnh An Hà)"
    )
    for line in decision_pdf.document.lines:
        assert count_whole(line.nominee_name, annex) == 1, line.nominee_name
        assert f"{line.line_number} {line.nominee_name}" in annex, line.line_number
        assert format_amount(line.amount_vnd) in annex


def test_nothing_leaves_the_margins_but_the_page_number(decision_pdf: RenderedDecision) -> None:
    for index, page in enumerate(decision_pdf.pdf):
        assert page.get_size() == pytest.approx((A4_WIDTH, A4_HEIGHT), abs=0.5)
        outside = [glyph for glyph in glyphs(page) if not in_text_area(glyph)]
        number = decision_pdf.expected_page_number(index)
        if number < 2:
            assert outside == [], f"page {index + 1}: {outside[:5]}"
            continue
        assert "".join(glyph.char for glyph in outside) == str(number), f"page {index + 1}"
        assert all(glyph.bottom > TEXT_TOP for glyph in outside)
        centre = (min(glyph.left for glyph in outside) + max(glyph.right for glyph in outside)) / 2
        assert centre == pytest.approx(TEXT_CENTRE, abs=1.5)


def test_first_page_has_no_number_and_the_second_shows_2(long_decision_pdf: RenderedDecision) -> None:
    pdf = long_decision_pdf.pdf
    assert long_decision_pdf.annex_start >= 2, "the fixture's body must run onto a second page"
    assert [glyph for glyph in glyphs(pdf[0]) if glyph.top > TEXT_TOP] == []
    number = [glyph for glyph in glyphs(pdf[1]) if glyph.bottom > TEXT_TOP]
    assert "".join(glyph.char for glyph in number) == "2"
    assert number[0].centre_x == pytest.approx(TEXT_CENTRE, abs=4)
    # The annex is numbered on its own (NĐ 30 Phụ lục I): its first page shows no number either.
    assert [glyph for glyph in glyphs(pdf[long_decision_pdf.annex_start]) if glyph.top > TEXT_TOP] == []


def test_annex_header_row_repeats_on_every_annex_page(decision_pdf: RenderedDecision) -> None:
    annex_pages = decision_pdf.texts[decision_pdf.annex_start :]
    if len(decision_pdf.document.lines) == 500:
        assert len(annex_pages) >= 10
    for number, text in enumerate(annex_pages, start=1):
        assert ANNEX_HEADER in text, f"annex page {number}"
        assert text.count("Họ và tên / Tên tập thể") == 1


def test_only_liberation_serif_is_embedded(decision_pdf: RenderedDecision) -> None:
    data = decision_pdf.pdf_bytes
    assert b"LiberationSerif" in data
    for base14 in (b"Helvetica", b"Times-Roman", b"Courier", b"Symbol"):
        assert base14 not in data
    for page in list(decision_pdf.pdf)[:3]:
        assert {font.split("-")[0] for font in glyph_fonts(page)} == {"LiberationSerif"}


def test_metadata_names_the_decision(decision_pdf: RenderedDecision) -> None:
    metadata = decision_pdf.pdf.get_metadata_dict()
    assert metadata["Title"] == "Quyết định 01/QĐ-UBND"
    assert metadata["Author"] == "Ủy ban nhân dân tỉnh An Hà"
    assert metadata["Subject"] == "Về việc tặng danh hiệu “Chiến sĩ thi đua cơ sở” năm 2024"


def grey(page: pdfium.PdfPage, path: Path) -> Image.Image:
    """Page rendered at 72 dpi (1 px = 1 pt), saved as PNG, as greyscale."""
    image: Image.Image = page.render(scale=1).to_pil()
    image.save(path)
    assert path.stat().st_size > 0
    return image.convert("L")


def darkest(image: Image.Image, box: tuple[float, float, float, float]) -> int:
    """Darkest pixel value in the box (left, top, right, bottom, in pixels from the top left corner)."""
    left, top, right, bottom = box
    extrema = image.crop((round(left), round(top), round(right), round(bottom))).getextrema()
    return int(extrema[0])  # type: ignore[arg-type]


def test_page_1_renders_inside_the_margins(decision_pdf: RenderedDecision, tmp_path: Path) -> None:
    image = grey(decision_pdf.pdf[0], tmp_path / "decision-page-1.png")
    width, height = image.size
    left, right = TEXT_LEFT - 2, TEXT_RIGHT + 2
    top, bottom = height - TEXT_TOP - 2, height - TEXT_BOTTOM + 2
    assert darkest(image, (left, top, right, bottom)) < 80
    for margin in (
        (0, 0, left, height),
        (right, 0, width, height),
        (0, 0, width, top),
        (0, bottom, width, height),
    ):
        assert darkest(image, margin) > 200, margin


def test_dates_and_amounts_are_written_the_vietnamese_way() -> None:
    assert long_date(date(2025, 1, 3)) == "ngày 03 tháng 01 năm 2025"
    assert long_date(date(2025, 2, 28)) == "ngày 28 tháng 02 năm 2025"
    assert long_date(date(2025, 3, 9)) == "ngày 09 tháng 3 năm 2025"
    assert long_date(date(2025, 12, 15)) == "ngày 15 tháng 12 năm 2025"
    assert format_amount(2_340_000) == "2.340.000"
    assert format_amount(None) == "—"


def test_a_form_of_commendation_is_not_called_a_title() -> None:
    document = decision(
        [annex_line(49)],
        award_name_vi="Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        is_title=False,
        period_year=None,
        reward_basis_vi=None,
        issuer=IssuingBody(
            "Sở Giáo dục và Đào tạo tỉnh An Hà",
            "An Hà",
            "Giám đốc Sở Giáo dục và Đào tạo",
            "Ủy ban nhân dân tỉnh An Hà",
        ),
    )
    texts = rendered(document).texts
    assert "ỦY BAN NHÂN DÂN TỈNH AN HÀ SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH AN HÀ" in texts[0]
    assert "Về việc tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh GIÁM ĐỐC" in texts[0]
    assert "Điều 1. Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho 1 tập thể" in texts[0]
    assert "Điều 2. Mức tiền thưởng thực hiện theo quy định hiện hành." in texts[0]
    assert "Tập thể được tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (Kèm theo" in texts[1]


# --- certificates ----------------------------------------------------------------------------------------

LONG_NAME = (
    "Công ty Trách nhiệm hữu hạn Một thành viên Xổ số kiến thiết và Dịch vụ tổng hợp tỉnh An Hà, "
    "Chi nhánh huyện Đông Hưng, Phòng Kinh doanh tiếp thị khu vực phía Nam"
)
LONG_AWARD = (
    "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh về thành tích xuất sắc trong phong trào thi đua "
    "“Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau” giai đoạn 2021 - 2025"
)
LONG_ACHIEVEMENT = "Đã có thành tích xuất sắc " + ", ".join(
    f"trong thực hiện nhiệm vụ chính trị năm {year}, góp phần vào sự nghiệp phát triển kinh tế - xã hội"
    for year in range(2000, 2025)
)


def border_inner(glyph: Glyph, width: float, height: float) -> bool:
    return inside(
        glyph, BORDER_INNER_INSET, BORDER_INNER_INSET, width - BORDER_INNER_INSET, height - BORDER_INNER_INSET
    )


def overlapping(found: Sequence[Glyph]) -> list[tuple[Glyph, Glyph]]:
    """Pairs of glyphs on different lines whose boxes overlap: text drawn over other text."""
    pairs = []
    for index, first in enumerate(found):
        for second in found[index + 1 :]:
            same_line = abs(first.centre_y - second.centre_y) < min(first.height, second.height) / 2
            width = min(first.right, second.right) - max(first.left, second.left)
            height = min(first.top, second.top) - max(first.bottom, second.bottom)
            if not same_line and width > 0.5 and height > 0.5:
                pairs.append((first, second))
    return pairs


@pytest.fixture(scope="module")
def certificates() -> list[Certificate]:
    return [
        certificate(annex_line(1)),
        certificate(annex_line(49)),
        certificate(
            AnnexLine(3, LONG_NAME, POSITIONS[2] + " " + "Xa" * 120, True, 4_680_000),
            LONG_ACHIEVEMENT,
            LONG_AWARD,
        ),
    ]


@pytest.fixture(scope="module")
def certificates_pdf(certificates: list[Certificate]) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(render_certificates(certificates))


def test_the_certificates_file_is_titled_by_its_award(
    certificates: list[Certificate], certificates_pdf: pdfium.PdfDocument
) -> None:
    first = certificates[0]
    assert certificates_pdf.get_metadata_dict()["Title"] == (
        f"{first.award_name_vi} — Quyết định số {first.decision_number}"
    ), "a Bằng khen is not a 'Giấy chứng nhận'"


def test_one_landscape_page_per_certificate(
    certificates: list[Certificate], certificates_pdf: pdfium.PdfDocument
) -> None:
    assert len(certificates_pdf) == len(certificates)
    for page, shown in zip(certificates_pdf, certificates, strict=True):
        assert page.get_size() == pytest.approx((A4_HEIGHT, A4_WIDTH), abs=0.5)
        text = page_text(page)
        for fragment in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN HÀ",
            "Quyết định số 01/QĐ-UBND ngày 03/01/2025",
            f"Số sổ vàng: {shown.line.line_number}",
            "An Hà, ngày 03 tháng 01 năm 2025 KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
            "Trần Thị Ngọc Ánh",
        ):
            assert fragment in text, fragment
    first = page_text(certificates_pdf[0])
    assert f"TẶNG DANH HIỆU CHIẾN SĨ THI ĐUA CƠ SỞ {certificates[0].line.nominee_name}" in first
    assert f"{certificates[0].line.position_title}" in first
    assert "Đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm học 2024 - 2025" in first


def test_long_certificate_text_shrinks_wraps_and_stays_inside_the_border(
    certificates_pdf: pdfium.PdfDocument,
) -> None:
    page = certificates_pdf[2]
    text = page_text(page)
    assert "TẶNG BẰNG KHEN CỦA CHỦ TỊCH" in text
    assert LONG_NAME in text
    assert "…" in text  # the achievement was cut, not spilled
    width, height = page.get_size()
    found = glyphs(page)
    assert [glyph for glyph in found if not border_inner(glyph, width, height)] == []
    assert overlapping(found) == []


def test_certificate_renders_inside_its_border(certificates_pdf: pdfium.PdfDocument, tmp_path: Path) -> None:
    image = grey(certificates_pdf[0], tmp_path / "certificate-page-1.png")
    width, height = image.size
    assert darkest(image, (22 * MM, 22 * MM, width - 22 * MM, height - 22 * MM)) < 80  # the text
    assert (
        darkest(image, (BORDER_OUTER_INSET - 2, height / 2 - 5, BORDER_OUTER_INSET + 2, height / 2 + 5)) < 150
    )
    edge = BORDER_OUTER_INSET - 3  # outside the outer rule, stroke width included
    for strip in (
        (0, 0, edge, height),
        (width - edge, 0, width, height),
        (0, 0, width, edge),
        (0, height - edge, width, height),
    ):
        assert darkest(image, strip) > 245, strip


def test_certificate_metadata_and_fonts(certificates_pdf: pdfium.PdfDocument) -> None:
    metadata = certificates_pdf.get_metadata_dict()
    assert (
        metadata["Title"] == "Chiến sĩ thi đua cơ sở — Quyết định số 01/QĐ-UBND"
    )  # its award, not "Giấy chứng nhận"
    assert metadata["Author"] == "Ủy ban nhân dân tỉnh An Hà"
    for page in certificates_pdf:
        assert {font.split("-")[0] for font in glyph_fonts(page)} == {"LiberationSerif"}


def test_500_certificates_make_500_pages_all_inside_their_border() -> None:
    shown = [certificate(annex_line(index)) for index in range(500)]
    pdf_bytes = render_certificates(shown)
    assert b"Helvetica" not in pdf_bytes
    pdf = pdfium.PdfDocument(pdf_bytes)
    assert len(pdf) == 500
    for index, page in enumerate(pdf):
        width, height = page.get_size()
        assert all(border_inner(glyph, width, height) for glyph in glyphs(page)), f"page {index + 1}"
    for index in (0, 249, 499):
        text = page_text(pdf[index])
        line = shown[index].line
        assert line.nominee_name in text
        assert f"Số sổ vàng: {line.line_number}" in text
        assert "Quyết định số 01/QĐ-UBND" in text


def test_nothing_to_render_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_certificates([])
    with pytest.raises(ValueError, match="at least one"):
        render_decision(decision([]))


# --- money: a total only when every amount is known (issue 18) --------------------------------------------

BKCT = RewardMultiple(individual=None, collective=Decimal("3"), legal_basis="NĐ 152/2025 Điều 49–54")
"""Bằng khen of a province: 3 × base salary for a collective; the individual multiple UNCONFIRMED."""
FALSE_ZERO = re.compile(r"(?<![\d.])0 đồng")
"""A zero amount ("0 đồng"), not the end of one ("2.340.000 đồng")."""


def stored_decision(kinds: Sequence[NomineeKind]) -> tuple[Decision, list[DecisionEntry]]:
    """A provincial decision as the registry stores it, its money from the reward rules."""
    entries = [
        EntrySummary(entry_id=f"e{index}", nominee_name=annex_line(index).nominee_name, nominee_kind=kind)
        for index, kind in enumerate(kinds)
    ]
    reward = decision_reward(BKCT, entries, ISSUED_ON, is_title=False)
    assert reward is not None
    stored = Decision(
        id="d",
        number=NUMBER,
        sequence=1,
        year=ISSUED_ON.year,
        issuer_code="UBND",
        deciding_organisation="AH",
        award_code="BKCT_TINH",
        issued_on=ISSUED_ON,
        reward=reward.model_dump(mode="json"),
        created_at=datetime(2025, 1, 3, tzinfo=UTC),
    )
    lines = [
        DecisionEntry(
            decision_id="d",
            line_number=index + 1,
            dossier_id="hs",
            entry_id=entry.entry_id,
            nominee_name=entry.nominee_name,
            nominee_kind=entry.nominee_kind,
            search_key=entry.nominee_name.lower(),
            amount_vnd=paid.amount_vnd,
        )
        for index, (entry, paid) in enumerate(zip(entries, reward.entries, strict=True))
    ]
    return stored, lines


def rendered_text(kinds: Sequence[NomineeKind]) -> tuple[str, str]:
    """The decision's body and its annex, as a reader extracts them."""
    result = rendered(compose.decision_document(*stored_decision(kinds)))
    return " ".join(result.texts[: result.annex_start]), result.annex_text


def test_a_decision_whose_amounts_are_all_unknown_prints_no_total() -> None:
    """130 individuals with a Bằng khen of the province: no individual multiple, so no amount; the
    decision said "tổng số tiền thưởng là 0 đồng"."""
    body, annex = rendered_text([NomineeKind.INDIVIDUAL] * 130)
    assert "tổng số tiền thưởng" not in body and not FALSE_ZERO.search(body)
    assert (
        "Điều 2. Mức tiền thưởng kèm theo danh hiệu, hình thức khen thưởng tại Điều 1 thực hiện theo quy định "
        "hiện hành, tính theo mức lương cơ sở 2.340.000 đồng (NĐ 73/2024/NĐ-CP), làm tròn lên hàng chục nghìn đồng."
    ) in body
    assert not FALSE_ZERO.search(annex) and annex.replace(UNKNOWN_AMOUNT_NOTE, "").count("—") == 130
    assert UNKNOWN_AMOUNT_NOTE in annex, "the annex says what its dashes mean"


def test_a_decision_with_some_amounts_unknown_prints_no_total_that_counts_them_as_zero() -> None:
    body, annex = rendered_text([NomineeKind.COLLECTIVE, NomineeKind.INDIVIDUAL, NomineeKind.INDIVIDUAL])
    assert "tổng số tiền thưởng" not in body and not FALSE_ZERO.search(body)
    assert (
        "mức của từng trường hợp tại danh sách kèm theo; mức tiền thưởng của 2 trường hợp chưa ghi mức tại "
        "danh sách thực hiện theo quy định hiện hành."
    ) in body
    assert UNKNOWN_AMOUNT_NOTE in annex
    assert "7.020.000" in annex and annex.replace(UNKNOWN_AMOUNT_NOTE, "").count("—") == 2


def test_a_decision_whose_amounts_are_all_known_prints_their_total() -> None:
    body, annex = rendered_text([NomineeKind.COLLECTIVE, NomineeKind.COLLECTIVE])
    assert "tổng số tiền thưởng là 14.040.000 đồng." in body
    assert "—" not in annex and UNKNOWN_AMOUNT_NOTE not in annex


def test_a_certificate_states_no_money_so_no_false_zero() -> None:
    stored, lines = stored_decision([NomineeKind.INDIVIDUAL])
    pdf = pdfium.PdfDocument(render_certificates(compose.certificates(stored, lines)))
    text = page_text(pdf[0])
    assert lines[0].nominee_name in text and "đồng" not in text


# --- revocation ------------------------------------------------------------------------------------------


def test_revocation_cites_the_original_decision_and_line() -> None:
    line = AnnexLine(12, "Đặng Văn Được", POSITIONS[1], False, 2_340_000)
    document = RevocationDocument(
        number="15/QĐ-UBND",
        issued_on=date(2025, 9, 8),
        issuer=ISSUER,
        signer=SIGNER,
        original_number=NUMBER,
        original_issued_on=ISSUED_ON,
        award_name_vi=AWARD,
        line=line,
        ground_vi="Cá nhân được khen thưởng đã gian dối trong việc kê khai thành tích",
        reason="Kết luận thanh tra số 07/KL-TTr ngày 15 tháng 8 năm 2025 xác định số liệu sáng kiến không đúng sự thật.",
        legal_bases=LEGAL_BASES[:2],
    )
    pdf_bytes = render_revocation(document)
    pdf = pdfium.PdfDocument(pdf_bytes)
    text = " ".join(page_text(page) for page in pdf)
    for fragment in (
        "ỦY BAN NHÂN DÂN TỈNH AN HÀ",
        "Số: 15/QĐ-UBND",
        "An Hà, ngày 08 tháng 9 năm 2025",
        "QUYẾT ĐỊNH Về việc hủy bỏ Quyết định khen thưởng",
        f"Căn cứ {LEGAL_BASES[0]};",
        f"Căn cứ {LEGAL_BASES[1]}.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Hủy bỏ việc tặng “Chiến sĩ thi đua cơ sở” cho Đặng Văn Được (số sổ vàng 12) tại Quyết định "
        "số 01/QĐ-UBND ngày 03 tháng 01 năm 2025",
        "Cá nhân được khen thưởng đã gian dối trong việc kê khai thành tích.",
        "Kết luận thanh tra số 07/KL-TTr",
        "Điều 2. Thu hồi hiện vật và tiền thưởng đã nhận theo quy định.",
        "Điều 3. Quyết định có hiệu lực kể từ ngày ký.",
        "- Lưu: VT, TĐKT.",
        "Trần Thị Ngọc Ánh",
    ):
        assert fragment in text, fragment
    assert "DANH SÁCH" not in text
    assert (
        pdfium.PdfDocument(pdf_bytes).get_metadata_dict()["Subject"]
        == "Về việc hủy bỏ Quyết định khen thưởng"
    )
    for page in pdf:
        assert all(in_text_area(glyph) for glyph in glyphs(page))


def test_documents_rendered_at_once_in_several_threads_are_all_whole() -> None:
    """The service renders certificates in worker threads while its desk renders decisions;
    reportlab's shared TrueType fonts were subset by both at once (KeyError in makeSubset,
    found by `make bench`)."""
    from concurrent.futures import ThreadPoolExecutor

    def render(index: int) -> bytes:
        lines = [annex_line(index * 10 + n) for n in range(1, 4)]
        if index % 2:
            return render_decision(decision(lines))
        return render_certificates([certificate(line) for line in lines])

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often, as on a busy machine
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            documents = list(pool.map(render, range(48)))
    finally:
        sys.setswitchinterval(switching)
    assert all(pdf.startswith(b"%PDF") and len(pdf) > 10_000 for pdf in documents)
