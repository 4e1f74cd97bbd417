"""Local, content-addressed file storage (``<root>/<sha256[:2]>/<sha256>``): intake's attachments
to a dossier and review's files on a task (an appraisal report, the council's minutes) — one way to
keep an upload, so both services refuse the same things the same way.

Uploads are streamed to a temporary file with a hard size cap, typed from their content with
``filetype`` (the client's declared type and file name are not trusted), and only then moved
into place, so a refused upload leaves nothing behind.

A file's name is the client's too: ``safe_file_name`` reduces it to a plain one before it is kept,
and ``content_disposition`` (``file_response``) names it to whoever downloads it, in ASCII and in
UTF-8 (RFC 6266, RFC 5987).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import anyio
import filetype
from starlette.responses import FileResponse

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


FILE_NAME_LENGTH = 255
"""Characters of a kept file name (the columns that keep one hold 255)."""
_UNSAFE = re.compile(r'[<>:"|?*\\/]')
"""Characters no file system or shell takes plainly in a name (Windows refuses them all)."""
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
)
_LONGEST_EXTENSION = 16


def safe_file_name(name: str | None, default: str, limit: int = FILE_NAME_LENGTH) -> str:
    """``name`` as a plain file name: NFC; the last part of a path (``C:\\x\\a.pdf`` → ``a.pdf``);
    without control, format (zero-width, bidirectional) or unassigned characters and without the
    characters Windows refuses; no leading dot (no hidden file, no ``..``), no trailing dot or space;
    spaces collapsed; at most ``limit`` characters, the extension kept; ``default`` when nothing is
    left. The same name comes out unchanged, so it can be applied again where a name is shown."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(char for char in text if unicodedata.category(char) not in ("Cc", "Cf", "Cn", "Cs"))
    text = " ".join(_UNSAFE.sub("_", text).split()).lstrip(". ").rstrip(". ")
    stem, dot, extension = text.rpartition(".")
    if stem.upper() in _RESERVED or (not dot and text.upper() in _RESERVED):
        text = f"_{text}"
    if len(text) > limit:
        kept = f".{extension}" if dot and 0 < len(extension) <= _LONGEST_EXTENSION else ""
        text = text[: limit - len(kept)].rstrip(". ") + kept
    return text or default


def _ascii_file_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    plain = re.sub(r"[^A-Za-z0-9._ ()\[\]+,=@-]", "_", plain.encode("ascii", "ignore").decode())
    return plain.lstrip(".") or "download"


def content_disposition(kind: Literal["inline", "attachment"], file_name: str) -> str:
    """A ``Content-Disposition`` value naming ``file_name`` (made safe first) twice: an ASCII
    ``filename`` for old clients ("Báo cáo.pdf" → "Bao cao.pdf"; no quote, backslash or line break
    can reach the header) and ``filename*`` in UTF-8, percent-encoded (RFC 5987), which current
    browsers prefer."""
    name = safe_file_name(file_name, "download")
    return f"{kind}; filename=\"{_ascii_file_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(
    path: Path, media_type: str, file_name: str, kind: Literal["inline", "attachment"] = "attachment"
) -> FileResponse:
    """A kept file, named with ``content_disposition``."""
    return FileResponse(
        path, media_type=media_type, headers={"Content-Disposition": content_disposition(kind, file_name)}
    )


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
