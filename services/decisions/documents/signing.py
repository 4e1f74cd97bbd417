"""PAdES signing and verification of decision PDFs (pyHanko).

A decision is signed once, by the platform's document-signing certificate, with a PAdES baseline B-B
signature (ETSI.CAdES.detached, SHA-256) appended as an incremental update. Verification answers the
questions a citizen or an auditor asks of an uploaded file: is it signed, were the signed bytes changed,
was anything added after signing, and does the signer chain to a certificate we trust.

pyHanko's synchronous entry points (``PdfSigner.sign_pdf``, ``validate_pdf_signature``) wrap
``asyncio.run``, so ``DocumentSigner.sign`` and ``verify`` block and must not be called from a coroutine:
run them in a worker thread (``asyncio.to_thread``), which has no running loop of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.decode_limits import DecodeLimits
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import CertificateRegistry

CA_FILE = "ca.pem"
SIGNER_CERT_FILE = "signer.pem"
SIGNER_KEY_FILE = "signer-key.pem"

_CA_VALIDITY = dt.timedelta(days=10 * 365)
_SIGNER_VALIDITY = dt.timedelta(days=5 * 365)
# Backdated so that a verifier whose clock runs slightly behind still sees a valid certificate.
_CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SigningMaterial:
    """Where the signing key, its certificate and the certificates around it live (PEM or DER)."""

    key_file: Path
    cert_file: Path
    chain_files: tuple[Path, ...]
    """Intermediate and root CA certificates embedded in each signature so verifiers can build the path."""
    trust_root_files: tuple[Path, ...]
    """The roots `verify` accepts; for the development CA this is the CA itself."""


def load_signing_material(
    key_file: Path, cert_file: Path, chain_files: Iterable[Path], trust_files: Iterable[Path]
) -> SigningMaterial:
    """Production configuration: check at start-up, not at the first signature, that the files fit.

    The key must be unencrypted PKCS#8 or traditional PEM/DER; keep it readable by the service only.
    """
    material = SigningMaterial(key_file, cert_file, tuple(chain_files), tuple(trust_files))
    _load_key_and_certificate(material)
    for path in (*material.chain_files, *material.trust_root_files):
        _load_certificates(path)
    return material


def generate_local_ca(
    directory: Path, now: dt.datetime, organisation: str = "TĐKT Platform (development)"
) -> SigningMaterial:
    """A development CA and its document-signing certificate, created only when any file is missing.

    The CA's private key is never written: this CA issues exactly one certificate, and a key that does not
    exist cannot leak. Regenerating (after deleting a file) therefore replaces all three files, and
    documents signed before no longer verify against the new CA.
    """
    material = SigningMaterial(
        key_file=directory / SIGNER_KEY_FILE,
        cert_file=directory / SIGNER_CERT_FILE,
        chain_files=(directory / CA_FILE,),
        trust_root_files=(directory / CA_FILE,),
    )
    if all(path.exists() for path in (material.key_file, material.cert_file, *material.chain_files)):
        return material

    # EC P-256 rather than RSA: key generation is instant and pyHanko validates ECDSA without extra setup.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    signer_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("TĐKT development root CA", organisation)
    now = now - _CLOCK_SKEW
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("TĐKT decision signing (development)", organisation))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _SIGNER_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write(
        material.key_file,
        signer_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        mode=0o600,
    )
    _write(material.cert_file, signer_certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    _write(directory / CA_FILE, ca_certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return material


class DocumentSigner:
    """The signing key and certificates, loaded once and reused for every document.

    Safe to share between worker threads: each `sign` call builds its own pyHanko writer and signer state.
    """

    def __init__(self, material: SigningMaterial) -> None:
        key, certificate = _load_key_and_certificate(material)
        # No certificate fetcher: the chain is what the configuration lists, never downloaded.
        chain = CertificateRegistry.build(
            _to_asn1(certificate) for path in material.chain_files for certificate in _load_certificates(path)
        )
        self._signer = signers.SimpleSigner(
            signing_cert=_to_asn1(certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=chain,
        )
        self.trust_roots: tuple[x509.Certificate, ...] = tuple(
            certificate for path in material.trust_root_files for certificate in _load_certificates(path)
        )

    def sign(
        self, pdf: bytes, *, reason: str, location: str, at: dt.datetime, field_name: str = "ChuKySo"
    ) -> bytes:
        """Sign the whole of `pdf` with an invisible signature field, declaring ``at`` as the signing
        time; blocks, see the module docstring."""
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            location=location,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        signed: BytesIO = _PdfSignerAt(metadata, self._signer, at).sign_pdf(writer)
        return signed.getvalue()


class _PdfSignerAt(signers.PdfSigner):
    """pyHanko's signer, declaring the signing time it is given instead of reading the machine's clock
    (``PdfSigningSession.system_time`` becomes the CMS signing-time attribute and the /M entry)."""

    def __init__(
        self, metadata: signers.PdfSignatureMetadata, signer: signers.Signer, at: dt.datetime
    ) -> None:
        super().__init__(metadata, signer=signer)
        self._at = at

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._at
        return session


@dataclass(frozen=True)
class Verification:
    signed: bool
    """The file is a PDF carrying at least one signature."""
    intact: bool
    """The signed bytes are exactly those that were signed."""
    covers_whole_file: bool
    """Nothing was appended after the signature (no later incremental update)."""
    trusted: bool
    """The signer's certificate chains to one of the trust roots."""
    signer_subject: str | None
    """RFC 4514 subject of the signer's certificate, e.g. "CN=…,O=…,C=VN"."""
    signed_at: dt.datetime | None
    """Signing time as the signer declared it (/M); not a trusted timestamp."""
    problems: tuple[str, ...]
    """Machine-readable reasons the document is not valid: not-a-pdf, unsigned, malformed-signature,
    altered, content-after-signature, untrusted-signer."""
    document_sha256: str
    """Hex SHA-256 of the bytes that were checked."""
    valid: bool = field(init=False)
    """All of the above: the document is exactly what our signer signed."""

    def __post_init__(self) -> None:
        # A field rather than a property so that `dataclasses.asdict` (API responses) carries it.
        object.__setattr__(
            self, "valid", self.signed and self.intact and self.covers_whole_file and self.trusted
        )


OVER_LIMITS = (PdfDecodeLimitError, MemoryError, RecursionError)
"""What ``verify`` lets through instead of judging: the file exceeds what reading it may cost."""


def verify(
    pdf: bytes,
    trust: DocumentSigner | Sequence[x509.Certificate],
    at: dt.datetime,
    decode_limits: DecodeLimits | None = None,
) -> Verification:
    """Check the document's last signature against `trust`, its certificates as they stand at ``at``;
    blocks. Bad input is judged (``problems``), never raised, except input that exceeds what reading
    it may cost (``OVER_LIMITS``: its streams inflate past ``decode_limits``, pyHanko's defaults for
    untrusted input when ``None``; memory runs out; it nests too deeply), which is raised.

    The last signature is the only one that can cover the whole file, and a decision carries exactly one.

    Revocation: soft-fail mode, no fetching. The development CA publishes no CRL or OCSP responder, so
    "require" would reject every signature; "hard-fail" without fetching would reject any production
    certificate that names a CRL or OCSP URL; fetching would turn every upload into requests to a third
    party. The consequence is that a revoked signing (X.509) certificate still verifies here (a revoked
    award is the registry's to judge: services/decisions/verification.py); detecting it needs
    LTV signatures (embedded revocation data) or fetching, neither of which we do yet.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    trust_roots = trust.trust_roots if isinstance(trust, DocumentSigner) else tuple(trust)
    try:
        reader = PdfFileReader(BytesIO(pdf), decode_limits=decode_limits)
    except OVER_LIMITS:
        raise
    except Exception:  # a reader error of any kind means the upload is not a PDF we can read
        return _unsigned(digest, "not-a-pdf")
    try:
        signatures = reader.embedded_signatures
    except OVER_LIMITS:
        raise
    except Exception:  # pyHanko parses each signature's CMS here: a damaged one fails the enumeration
        return _malformed(digest)
    if not signatures:
        return _unsigned(digest, "unsigned")
    context = ValidationContext(
        trust_roots=[_to_asn1(certificate) for certificate in trust_roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=at,
    )
    try:
        # skip_diff: any update after signing already fails the document, so judging it is wasted work.
        status = validate_pdf_signature(signatures[-1], context, skip_diff=True)
    except OVER_LIMITS:
        raise
    except Exception:  # unsupported or corrupt CMS structures surface as assorted pyHanko errors
        return _malformed(digest)
    return _judge(status, digest)


def _judge(status: PdfSignatureStatus, digest: str) -> Verification:
    intact = status.intact and status.valid
    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # pyHanko's own `trusted` also requires `intact`; kept apart so an altered file is not also reported
    # as untrusted when its signer is in fact ours.
    trusted = status.valid and status.trust_problem_indic is None and status.validation_path is not None
    problems = tuple(
        code
        for code, failed in (
            ("altered", not intact),
            ("content-after-signature", not covers_whole_file),
            ("untrusted-signer", not trusted),
        )
        if failed
    )
    signer = x509.load_der_x509_certificate(status.signing_cert.dump())
    return Verification(
        signed=True,
        intact=intact,
        covers_whole_file=covers_whole_file,
        trusted=trusted,
        signer_subject=signer.subject.rfc4514_string(),
        signed_at=status.signer_reported_dt,
        problems=problems,
        document_sha256=digest,
    )


def _unsigned(digest: str, problem: str) -> Verification:
    return Verification(False, False, False, False, None, None, (problem,), digest)


def _malformed(digest: str) -> Verification:
    return Verification(True, False, False, False, None, None, ("malformed-signature",), digest)


def _load_key_and_certificate(material: SigningMaterial) -> tuple[PrivateKeyTypes, x509.Certificate]:
    data = material.key_file.read_bytes()
    if b"-----BEGIN" in data:
        key = serialization.load_pem_private_key(data, password=None)
    else:
        key = serialization.load_der_private_key(data, password=None)
    certificate = _load_certificates(material.cert_file)[0]
    if key.public_key() != certificate.public_key():
        raise ValueError(
            f"{material.key_file} is not the private key of the certificate in {material.cert_file}"
        )
    return key, certificate


def _to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """pyHanko works on asn1crypto objects; everything else here uses `cryptography`."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _load_certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        ]
    )


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes, *, mode: int) -> None:
    # Unlinked first so the mode applies even when replacing a file; os.open sets it at creation, so the
    # key is never briefly readable by others.
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
