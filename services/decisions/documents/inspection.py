"""What the confined child does with an uploaded PDF (``servicekit.sandbox``): verify it, within
limits on the objects it declares and the data its streams inflate to. A pure function of its
inputs — the bytes, the trust roots (DER), the moment and the limits — so that it can be tested
without a process, and so that only plain values cross to and from the child.

Limits, from the cheapest check to the last resort:
1. the objects the file declares (``/Size`` of its trailers and cross-reference streams, the counts
   of their ``/Index``), read with one regular expression before any parsing: a cross-reference
   table of millions of entries is refused before it is built;
2. the bytes its streams decode to, one stream and the whole file (pyHanko's ``DecodeLimits``);
3. the child's memory and time (``servicekit.sandbox``): what the first two do not foresee.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.misc import PdfDecodeLimitError

from services.decisions.documents.signing import Verification, verify

_SIZE = re.compile(rb"/Size\s*(\d{1,20})")
_INDEX = re.compile(rb"/Index\s*\[([\d\s]{0,4000})\]")


@dataclass(frozen=True)
class ParseLimits:
    max_objects: int
    """Objects a file may declare."""
    max_stream_bytes: int
    """Bytes one stream may decode to."""
    max_decoded_bytes: int
    """Bytes all the file's streams may decode to together."""

    def decode_limits(self) -> DecodeLimits:
        """pyHanko's limits for untrusted input, tightened to these."""
        stream = StreamDecodeLimits(max_output_size=self.max_stream_bytes)
        return DecodeLimits(
            per_stream=stream,
            per_purpose={**DEFAULT_PURPOSE_LIMITS, DecodePurpose.XREF_STREAM: stream},
            document_budget=DocumentDecodeBudget(base_allowance=self.max_decoded_bytes, max_ratio=1),
        )


class Excess(StrEnum):
    """Which limit a file exceeds."""

    OBJECTS = "objects"
    DECODED = "decoded"


@dataclass(frozen=True)
class OverLimits:
    """The file exceeds ``excess``; ``declared`` is how many objects it declares."""

    excess: Excess
    declared: int


def declared_objects(pdf: bytes) -> int:
    """The most objects any trailer or cross-reference stream of ``pdf`` declares (0 if none can be
    read): the larger of each ``/Size`` and the sum of the counts of each ``/Index``."""
    sizes = [int(size) for size in _SIZE.findall(pdf)]
    for index in _INDEX.findall(pdf):
        sizes.append(sum(int(count) for count in index.split()[1::2]))
    return max(sizes, default=0)


def inspect(
    pdf: bytes, trust_roots: tuple[bytes, ...], at: dt.datetime, limits: ParseLimits
) -> Verification | OverLimits:
    """``signing.verify`` of ``pdf`` against the DER certificates ``trust_roots``, or which limit it
    exceeds. Memory and recursion are the caller's to bound (``MemoryError``, ``RecursionError``)."""
    declared = declared_objects(pdf)
    if declared > limits.max_objects:
        return OverLimits(Excess.OBJECTS, declared)
    roots = [x509.load_der_x509_certificate(root) for root in trust_roots]
    try:
        return verify(pdf, roots, at, limits.decode_limits())
    except PdfDecodeLimitError:
        return OverLimits(Excess.DECODED, declared)
