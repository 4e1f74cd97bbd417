import asyncio
import hashlib
import os
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from services.decisions.documents import inspection, signing
from services.decisions.documents.signing import (
    DocumentSigner,
    generate_local_ca,
    load_signing_material,
    verify,
)
from tests.support import hostile

DECISION_NUMBER = "01/QĐ-UBND"
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
"""When the development CA is made: the tests read no other clock."""
SIGNED_AT = NOW + timedelta(hours=2)
FONT = Path(signing.__file__).parent / "fonts" / "LiberationSerif-Regular.ttf"


def _sign(signer: DocumentSigner, pdf: bytes) -> bytes:
    return signer.sign(pdf, reason="Ban hành quyết định khen thưởng", location="An Hà", at=SIGNED_AT)


@pytest.fixture(scope="module")
def decision_pdf() -> bytes:
    pdfmetrics.registerFont(TTFont("LiberationSerif", str(FONT)))
    buffer = BytesIO()
    # Uncompressed so that a test can find the decision number in the page's content stream.
    page = canvas.Canvas(buffer, pageCompression=0, invariant=1)
    page.setFont("LiberationSerif", 14)
    page.drawString(72, 770, f"Quyết định số {DECISION_NUMBER}")
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def ca_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("signing")


@pytest.fixture(scope="module")
def signer(ca_directory: Path) -> DocumentSigner:
    return DocumentSigner(generate_local_ca(ca_directory, NOW))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> DocumentSigner:
    """Same subject names as ours, different CA key: only the key tells them apart."""
    return DocumentSigner(generate_local_ca(tmp_path_factory.mktemp("stranger"), NOW))


@pytest.fixture(scope="module")
def signed_pdf(signer: DocumentSigner, decision_pdf: bytes) -> bytes:
    return _sign(signer, decision_pdf)


def test_signed_decision_verifies(signer: DocumentSigner, signed_pdf: bytes, decision_pdf: bytes) -> None:
    result = verify(signed_pdf, signer, SIGNED_AT)

    assert (result.signed, result.intact, result.covers_whole_file, result.trusted) == (
        True,
        True,
        True,
        True,
    )
    assert result.valid
    assert result.problems == ()
    assert result.signer_subject is not None
    assert "CN=TĐKT decision signing (development)" in result.signer_subject
    assert result.signed_at == SIGNED_AT, "the signing time is the one the signer was given"
    assert result.document_sha256 == hashlib.sha256(signed_pdf).hexdigest()
    assert signed_pdf.startswith(decision_pdf), "the signature must be an incremental update"


def test_verification_judges_the_certificates_at_the_moment_it_is_given(
    signed_pdf: bytes, signer: DocumentSigner
) -> None:
    assert verify(signed_pdf, signer, SIGNED_AT + timedelta(days=365)).valid
    expired = verify(signed_pdf, signer, NOW + timedelta(days=6 * 365))  # the signer's 5 years are over
    assert not expired.valid
    assert "untrusted-signer" in expired.problems


def test_local_ca_is_generated_once(ca_directory: Path, signer: DocumentSigner) -> None:
    files = {name: (ca_directory / name).read_bytes() for name in ("ca.pem", "signer.pem", "signer-key.pem")}

    again = generate_local_ca(ca_directory, NOW)

    assert {name: (ca_directory / name).read_bytes() for name in files} == files
    assert again.trust_root_files == (ca_directory / "ca.pem",)
    assert (ca_directory / "signer-key.pem").stat().st_mode & 0o777 == 0o600


def test_changed_decision_number_is_altered(signer: DocumentSigner, signed_pdf: bytes) -> None:
    offset = signed_pdf.index(b"01/Q")  # in the original revision's content stream, not the signature
    forged = signed_pdf[:offset] + b"02/Q" + signed_pdf[offset + 4 :]

    result = verify(forged, signer, SIGNED_AT)

    assert result.signed
    assert not result.intact
    assert not result.valid
    assert result.problems == ("altered",)


def test_update_after_signing_is_reported(signer: DocumentSigner, signed_pdf: bytes) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    writer.root["/Lang"] = generic.TextStringObject("vi")
    writer.mark_update(writer.root_ref)
    output = BytesIO()
    writer.write(output)  # type: ignore[no-untyped-call]  # pyHanko leaves `write` unannotated

    result = verify(output.getvalue(), signer, SIGNED_AT)

    assert result.intact
    assert result.trusted
    assert not result.covers_whole_file
    assert not result.valid
    assert result.problems == ("content-after-signature",)


def test_signer_from_another_ca_is_untrusted(
    signer: DocumentSigner, stranger: DocumentSigner, decision_pdf: bytes
) -> None:
    foreign = _sign(stranger, decision_pdf)

    result = verify(foreign, signer, SIGNED_AT)

    assert result.intact
    assert not result.trusted
    assert not result.valid
    assert result.problems == ("untrusted-signer",)
    assert verify(foreign, list(stranger.trust_roots), SIGNED_AT).valid


def test_unparseable_signature_is_malformed(signer: DocumentSigner, signed_pdf: bytes) -> None:
    contents = re.search(rb"/Contents <([0-9a-f]+)>", signed_pdf, re.IGNORECASE)
    assert contents is not None
    start, end = contents.span(1)
    zeroed = signed_pdf[:start] + b"0" * (end - start) + signed_pdf[end:]

    result = verify(zeroed, signer, SIGNED_AT)

    assert result.signed
    assert not result.valid
    assert result.problems == ("malformed-signature",)


@pytest.mark.parametrize("garbage", [b"", os.urandom(4096), b"%PDF-1.7\n" + os.urandom(512)])
def test_garbage_is_not_a_pdf(signer: DocumentSigner, garbage: bytes) -> None:
    result = verify(garbage, signer, SIGNED_AT)

    assert not result.signed
    assert not result.valid
    assert result.problems == ("not-a-pdf",)
    assert result.document_sha256 == hashlib.sha256(garbage).hexdigest()


def test_unsigned_pdf(signer: DocumentSigner, decision_pdf: bytes) -> None:
    result = verify(decision_pdf, signer, SIGNED_AT)

    assert not result.signed
    assert result.problems == ("unsigned",)


def test_signing_the_same_bytes_twice(signer: DocumentSigner, decision_pdf: bytes) -> None:
    first, second = _sign(signer, decision_pdf), _sign(signer, decision_pdf)

    assert verify(first, signer, SIGNED_AT).valid
    assert verify(second, signer, SIGNED_AT).valid


async def test_signing_in_a_worker_thread_while_the_loop_runs(
    signer: DocumentSigner, decision_pdf: bytes
) -> None:
    signed = await asyncio.to_thread(_sign, signer, decision_pdf)

    assert (await asyncio.to_thread(verify, signed, signer, SIGNED_AT)).valid


def test_production_material_must_match(ca_directory: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    ours = generate_local_ca(ca_directory, NOW)
    other = generate_local_ca(tmp_path_factory.mktemp("other"), NOW)

    loaded = load_signing_material(ours.key_file, ours.cert_file, ours.chain_files, ours.trust_root_files)
    assert loaded == ours
    with pytest.raises(ValueError, match="not the private key"):
        load_signing_material(other.key_file, ours.cert_file, ours.chain_files, ours.trust_root_files)


LIMITS = inspection.ParseLimits(max_objects=200_000, max_stream_bytes=32 << 20, max_decoded_bytes=128 << 20)


def test_inspection_in_the_child_judges_a_document_as_verify_does(
    signer: DocumentSigner, signed_pdf: bytes
) -> None:
    roots = tuple(root.public_bytes(serialization.Encoding.DER) for root in signer.trust_roots)
    assert inspection.inspect(signed_pdf, roots, SIGNED_AT, LIMITS) == verify(signed_pdf, signer, SIGNED_AT)
    assert inspection.declared_objects(signed_pdf) < 100


def test_inspection_refuses_what_exceeds_its_limits_before_or_while_parsing() -> None:
    assert inspection.inspect(hostile.xref_bomb(10_000_000), (), SIGNED_AT, LIMITS) == inspection.OverLimits(
        inspection.Excess.OBJECTS, 10_000_000
    )
    lying = hostile.xref_bomb(10_000_000, declared=10)
    assert inspection.inspect(lying, (), SIGNED_AT, LIMITS) == inspection.OverLimits(
        inspection.Excess.DECODED, 10
    )
    with pytest.raises(RecursionError):  # the child's to bound: servicekit.sandbox
        inspection.inspect(hostile.nested(100_000), (), SIGNED_AT, LIMITS)
