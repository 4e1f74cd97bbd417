"""Notice texts from Jinja2 templates (``templates/<language>/<kind>.j2``, blocks ``subject`` and
``body``): Vietnamese by default, English where the recipient asked for it, and English wherever a
template is missing in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context

TEMPLATE_DIR = Path(__file__).parent / "templates"
DEFAULT_LANGUAGE = "vi"
FALLBACK_LANGUAGE = "en"
LANGUAGES = ("vi", "en")
DIGEST = "digest"

LEVEL_NAMES = {
    "vi": {"unit": "cấp cơ sở", "district": "cấp huyện", "province": "cấp tỉnh", "central": "cấp trung ương"},
    "en": {"unit": "unit", "district": "district", "province": "province", "central": "central"},
}
STEP_NAMES = {
    "vi": {
        "receipt": "tiếp nhận",
        "appraisal": "thẩm định",
        "public_comment": "lấy ý kiến công khai",
        "council": "họp Hội đồng",
        "sign_off": "trình lãnh đạo ký",
    },
    "en": {
        "receipt": "receipt",
        "appraisal": "appraisal",
        "public_comment": "public comment",
        "council": "council vote",
        "sign_off": "sign-off",
    },
}
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
        context = dict(facts)
        context["language"] = language
        context["reference"] = facts.get("external_reference") or facts.get("dossier_id", "")
        levels, steps = (
            LEVEL_NAMES.get(language, LEVEL_NAMES["en"]),
            STEP_NAMES.get(language, STEP_NAMES["en"]),
        )
        context["level_name"] = levels.get(facts.get("level") or "", facts.get("level"))
        context["step_name"] = steps.get(facts.get("step") or "", facts.get("step") or "")
        context["verify_url"] = self._links.verify
        if decision_id := facts.get("decision_id"):
            context["decision_url"] = self._links.of_decision(decision_id)
            if line_number := facts.get("line_number"):
                context["certificate_url"] = self._links.of_certificate(decision_id, line_number)
        return context


@pass_context
def _day(context: Context, value: str | date | None) -> str:
    """A date (or ISO timestamp) as the template's language writes it."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime(DAY_FORMATS.get(context["language"], DAY_FORMATS[FALLBACK_LANGUAGE]))
