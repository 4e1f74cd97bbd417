"""Notice texts from Jinja2 templates (``templates/<language>/<kind>.j2``, blocks ``subject`` and
``body``): Vietnamese by default, English where the recipient asked for it, and English wherever a
template is missing in the recipient's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context

from contracts.labels import LEVELS, ROLES, STEPS, label
from contracts.names import search_key

TEMPLATE_DIR = Path(__file__).parent / "templates"
DEFAULT_LANGUAGE = "vi"
FALLBACK_LANGUAGE = "en"
LANGUAGES = ("vi", "en")
DIGEST = "digest"

DAY_FORMATS = {"vi": "%d/%m/%Y", "en": "%Y-%m-%d"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


@dataclass(frozen=True)
class Links:
    """Public addresses printed in notices (the decisions registry is public)."""

    decisions_url: str

    def of_decision(self, decision_id: str) -> str:
        return f"{self.decisions_url}/v1/decisions/{decision_id}/pdf"

    def of_certificate(self, decision_id: str, line_number: int) -> str:
        return f"{self.decisions_url}/v1/decisions/{decision_id}/certificates/{line_number}"

    @property
    def verify(self) -> str:
        return f"{self.decisions_url}/v1/verify"


class Renderer:
    def __init__(self, links: Links, loader: BaseLoader | None = None) -> None:
        self._links = links
        self._env = Environment(
            loader=loader or FileSystemLoader(TEMPLATE_DIR),
            undefined=StrictUndefined,
            autoescape=False,  # plain-text e-mail and feed entries; webhooks carry them as JSON strings
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["day"] = _day
        self._env.filters["sentence"] = _sentence

    @property
    def links(self) -> Links:
        return self._links

    def render(self, kind: str, language: str, facts: dict[str, Any]) -> Rendered:
        template = self._template(kind, language)
        used = (template.name or FALLBACK_LANGUAGE).split("/")[0]
        context = template.new_context(self._context(used, facts))
        subject = " ".join("".join(template.blocks["subject"](context)).split())
        body = "".join(template.blocks["body"](context)).strip() + "\n"
        return Rendered(subject=subject, body=body, language=used)

    def digest(self, language: str, items: list[dict[str, str]]) -> Rendered:
        return self.render(DIGEST, language, {"items": items})

    def _template(self, kind: str, language: str) -> Template:
        return self._env.select_template([f"{language}/{kind}.j2", f"{FALLBACK_LANGUAGE}/{kind}.j2"])

    def _context(self, language: str, facts: dict[str, Any]) -> dict[str, Any]:
        context = {**facts, **wording(language, facts)}
        context["language"] = language
        context["verify_url"] = self._links.verify
        if decision_id := facts.get("decision_id"):
            context["decision_url"] = self._links.of_decision(decision_id)
            if line_number := facts.get("line_number"):
                context["certificate_url"] = self._links.of_certificate(decision_id, line_number)
        return context


def wording(language: str, facts: dict[str, Any]) -> dict[str, Any]:
    """What a text calls the things ``facts`` name by code, in ``language``: organisations, the
    award, the dossier, its level, step and role. A name the facts lack (an older event) reads
    as its code."""
    english = language == "en"
    submitter = facts.get("submitting_organisation_name") or facts.get("submitting_organisation") or ""
    award = (english and facts.get("award_name_en")) or facts.get("award_name_vi") or facts.get("award_code")
    phrase = award_phrase(award or "", bool(facts.get("award_is_title")), facts.get("period_year"), language)
    brief, full = dossier_phrases(facts, submitter, phrase, language)
    level = facts.get("level")
    level_name = facts.get("level_name_en" if english else "level_name_vi") or label(LEVELS, level, language)
    where = level_name
    if reviewer := facts.get("level_organisation_name"):
        where = f"{where} ({reviewer})"
    return {
        "submitter": submitter,
        "award": award or "",
        "award_phrase": phrase,
        "document": certificate_kind(facts, language),
        "dossier": brief,
        "dossier_full": full,
        "level_name": level_name,
        "where": where,
        "step_name": label(STEPS, facts.get("step"), language),
        "role_name": label(ROLES, facts.get("role"), language),
    }


def dossier_phrases(facts: dict[str, Any], submitter: str, phrase: str, language: str) -> tuple[str, str]:
    """How a text names a dossier, briefly (a subject) and in full (a body): by the submitting
    system's reference, with its submitter and award in full; without a reference, by its award
    and submitter; by its id only where neither is known."""
    reference = facts.get("external_reference")
    if not (phrase and submitter):
        named = reference or facts.get("dossier_id", "")
        brief = f"dossier {named}" if language == "en" else f"hồ sơ {named}"
        return brief, brief
    if language == "en":
        if reference:
            return f"dossier {reference}", f"dossier {reference} from {submitter} for {phrase}"
        nomination = f"the nomination for {phrase} from {submitter}"
    else:
        if reference:
            return f"hồ sơ {reference}", f"hồ sơ {reference} của {submitter} đề nghị tặng {phrase}"
        nomination = f"hồ sơ đề nghị tặng {phrase} do {submitter} trình"
    return nomination, nomination


def award_phrase(award: str, is_title: bool, period_year: int | None, language: str) -> str:
    """What is awarded, as it reads after "tặng": a title (danh hiệu) is quoted and dated, a form
    of commendation is named as it is."""
    if not is_title:
        return f"the {award}" if language == "en" and award else award
    phrase = f"the title “{award}”" if language == "en" else f"danh hiệu “{award}”"
    if period_year is None:
        return phrase
    return f"{phrase} for {period_year}" if language == "en" else f"{phrase} năm {period_year}"


def certificate_kind(facts: dict[str, Any], language: str) -> str:
    """The document a nominee receives (DOMAIN.md §4.3): a Bằng khen or a Giấy khen is itself the
    document; an order or a medal comes with its Bằng; a title (danh hiệu) with its certificate.
    Product default where DOMAIN.md names no document: "Giấy chứng nhận" (certificate)."""
    award_vi = facts.get("award_name_vi") or ""
    award_en = facts.get("award_name_en") or award_vi
    english = language == "en"
    if facts.get("award_is_title"):
        return "certificate of the title" if english else "Giấy chứng nhận danh hiệu"
    for kind in ("Bằng khen", "Giấy khen"):
        if award_vi.startswith(kind):
            return award_en if english else kind
    if award_vi.startswith(("Huân chương", "Huy chương")):
        return f"certificate of the {award_en}" if english else f"Bằng {award_vi}"
    return "certificate" if english else "Giấy chứng nhận"


def attachment_name(facts: dict[str, Any], decision_id: str, line_number: int) -> str:
    """The file name of a nominee's certificate: the kind of document, the decision, the line
    ("bang-khen-07-qd-ttg-1.pdf")."""
    document = certificate_kind(facts, DEFAULT_LANGUAGE)
    decision = facts.get("decision_number") or decision_id
    return f"{slug(document)}-{slug(decision)}-{line_number}.pdf"


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Bằng khen" → "bang-khen", "07/QĐ-TTg" → "07-qd-ttg"."""
    return "-".join(re.findall(r"[a-z0-9]+", search_key(text)))


@pass_context
def _day(context: Context, value: str | date | None) -> str:
    """A date (or ISO timestamp) as the template's language writes it."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime(DAY_FORMATS.get(context["language"], DAY_FORMATS[FALLBACK_LANGUAGE]))


def _sentence(text: str) -> str:
    """``text`` as a sentence begins: its first letter in capitals."""
    return text[:1].upper() + text[1:]
