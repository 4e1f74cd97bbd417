"""Local, content-addressed file storage (``<root>/<sha256[:2]>/<sha256>``): intake's attachments
to a dossier and review's files on a task (an appraisal report, the council's minutes) — one way to
keep an upload, so both services refuse the same things the same way.

Uploads are streamed to a temporary file with a hard size cap, typed from their content with
``filetype`` (the client's declared type and file name are not trusted), and only then moved
into place, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import filetype

SNIFF_BYTES = 8192
DOCUMENT_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
)
"""The documents a dossier's paperwork comes as by default (PDF, scans, DOCX/XLSX/ODT), judged from
the content; each service's settings may change its own list."""


class TooLarge(Exception):
    pass


class TypeNotAllowed(Exception):
    def __init__(self, detected: str | None) -> None:
        super().__init__(detected or "unknown")
        self.detected = detected


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int
    media_type: str


class ContentStore:
    def __init__(self, root: Path, max_bytes: int, allowed_types: tuple[str, ...]) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.allowed_types = frozenset(allowed_types)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def put(self, chunks: AsyncIterator[bytes]) -> StoredFile:
        await anyio.Path(self.root).mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        temporary = anyio.Path(self.root) / f".upload-{uuid.uuid4().hex}"
        try:
            async with await anyio.open_file(temporary, "wb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLarge
                    if len(head) < SNIFF_BYTES:
                        head += chunk[: SNIFF_BYTES - len(head)]
                    digest.update(chunk)
                    await handle.write(chunk)
            kind = filetype.guess(head)
            media_type = kind.mime if kind is not None else None
            if media_type is None or media_type not in self.allowed_types:
                raise TypeNotAllowed(media_type)
            target = anyio.Path(self.path_of(digest.hexdigest()))
            await target.parent.mkdir(parents=True, exist_ok=True)
            await temporary.replace(target)
            return StoredFile(sha256=digest.hexdigest(), size_bytes=size, media_type=media_type)
        finally:
            await temporary.unlink(missing_ok=True)
