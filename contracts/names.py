"""How names are compared across services: the registry search and the revocation match."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """Lower case without diacritics (đ → d) and with single spaces, so "Nguyen  Thi" finds
    "Nguyễn Thị"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join(plain.split())
