"""File names a client sends are kept plain, and named on download in ASCII and UTF-8
(``servicekit.files``)."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit.files import FILE_NAME_LENGTH, content_disposition, safe_file_name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("to-trinh.pdf", "to-trinh.pdf"),
        ("C:\\Users\\an\\Báo cáo thành tích.docx", "Báo cáo thành tích.docx"),
        ("../../etc/passwd", "passwd"),
        (".htaccess", "htaccess"),
        ("..", "tep"),
        ("a\r\nX-Injected: 1.pdf", "aX-Injected_ 1.pdf"),
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        ("hoa-don\u202egpj.exe", "hoa-dongpj.exe"),
        ("tên\u200b\ufeff.pdf", "tên.pdf"),
        ('a"b<c>|d?.pdf', "a_b_c__d_.pdf"),
        ("  báo   cáo .pdf. ", "báo cáo .pdf"),
        ("CON.txt", "_CON.txt"),
        ("", "tep"),
        (None, "tep"),
    ],
)
def test_a_file_name_is_reduced_to_a_plain_one(sent: str | None, kept: str) -> None:
    assert safe_file_name(sent, "tep") == kept


def test_a_decomposed_name_is_kept_composed_and_a_long_one_keeps_its_extension() -> None:
    assert safe_file_name(unicodedata.normalize("NFD", "Nguyễn.pdf"), "tep") == "Nguyễn.pdf"
    long = safe_file_name("a" * 400 + ".docx", "tep")
    assert len(long) == FILE_NAME_LENGTH and long.endswith("a.docx")


@given(st.text(max_size=300))
def test_any_name_comes_out_plain_and_unchanged_the_second_time(sent: str) -> None:
    kept = safe_file_name(sent, "tep")
    assert 0 < len(kept) <= FILE_NAME_LENGTH and not kept.startswith(".")
    assert not set(kept) & set('/\\"<>:|?*') and kept == unicodedata.normalize("NFC", kept)
    assert all(unicodedata.category(char) not in ("Cc", "Cf", "Cn", "Cs") for char in kept)
    assert safe_file_name(kept, "tep") == kept


def test_the_header_names_the_file_in_ascii_and_in_utf8() -> None:
    header = content_disposition("attachment", 'Đơn đề nghị "khẩn".pdf')
    assert header == (
        'attachment; filename="Don de nghi _khan_.pdf"; '
        "filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B%20_kh%E1%BA%A9n_.pdf"
    )
    assert content_disposition("inline", "a.pdf") == "inline; filename=\"a.pdf\"; filename*=UTF-8''a.pdf"


@given(st.text(max_size=300))
def test_no_name_can_break_the_header(sent: str) -> None:
    header = content_disposition("inline", sent)
    assert header.isascii() and header.isprintable()
    fallback = header.split('filename="', 1)[1].split('"; filename*=', 1)[0]
    assert '"' not in fallback and "\\" not in fallback
    assert unquote(header.split("UTF-8''", 1)[1]) == safe_file_name(sent, "download")
