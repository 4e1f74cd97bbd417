"""PDFs an attacker uploads to ``POST /v1/verify``: small files that cost a naive reader minutes and
gigabytes. Each is a few kilobytes to a few hundred; none is a readable document."""

from __future__ import annotations

import zlib

HEADER = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def xref_bomb(entries: int, *, declared: int | None = None) -> bytes:
    """A cross-reference stream that inflates to ``entries`` three-byte entries (zeros compress about
    a thousand to one), declaring ``declared`` objects (``entries`` unless told): 10 million entries
    are a 30 KB file that took a reader 41 s and 1.6 GB."""
    data = zlib.compress(b"\0" * (entries * 3), 9)
    size = entries if declared is None else declared
    stream = (
        b"2 0 obj\n<< /Type /XRef /Size %d /W [1 1 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % (size, len(data))
    )
    return HEADER + stream + data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % len(HEADER)


def nested(depth: int) -> bytes:
    """A catalogue holding an array nested ``depth`` deep, with a classic cross-reference table."""
    body = b"1 0 obj\n<< /Type /Catalog /Deep " + b"[" * depth + b"]" * depth + b" >>\nendobj\n"
    head = b"%PDF-1.7\n"
    xref = b"xref\n0 2\n0000000000 65535 f \n%010d 00000 n \n" % len(head)
    trailer = b"trailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(head) + len(body))
    return head + body + xref + trailer
