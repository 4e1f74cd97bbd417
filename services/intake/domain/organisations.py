"""Organisations, how they relate, and which of them acts at each review level of an award.

Review levels (``ReviewLevel``: unit, district, province, central) are the tiers a dossier climbs
(DOMAIN.md §3.1). Which kind of organisation acts at each tier is *data*, a review profile picked
by configuration:

- ``four_level``: the pre-reform tiers, cơ sở → huyện → tỉnh/bộ → trung ương.
- ``two_tier_2025``: local government without districts from 01/07/2025. NĐ 129/2025/NĐ-CP Điều 59
  gives the chairman of the commune People's Committee the powers Luật TĐKT 2022 Điều 80 k2, k3 gave
  the district chairman, so the district tier has no acting organisation and the chain is
  unit/commune → province → central. Districts may stay in the registry for migrated data
  (DOMAIN.md §3.1, old-system note); this profile simply looks past them.

The acting organisation for a tier is the *topmost* ancestor-or-self of the submitter in that tier:
a school under a commune submits, but the cơ sở decisions are the commune chairman's (Luật Điều 80;
NĐ 129 Điều 59; DOMAIN.md key fact 3), so the commune acts at the unit tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from contracts.events import ReviewLevel
from services.intake.domain.errors import NoActingOrganisation, UnknownOrganisation, UnknownReviewProfile

if TYPE_CHECKING:
    from services.intake.domain.catalogue import AwardDefinition

DEFAULT_REVIEW_PROFILE = "four_level"


class OrgLevel(StrEnum):
    CENTRAL = "central"
    """Thủ tướng Chính phủ, Chủ tịch nước."""
    MINISTRY = "ministry"
    """Bộ, ban, ngành trung ương."""
    PROVINCE = "province"
    """Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương."""
    PROVINCE_DEPARTMENT = "province_department"
    """Sở, cơ quan chuyên môn thuộc UBND tỉnh."""
    DISTRICT = "district"
    """Ủy ban nhân dân huyện (abolished from 01/07/2025; kept for migrated data)."""
    COMMUNE = "commune"
    """Ủy ban nhân dân xã, phường, đặc khu."""
    UNIT = "unit"
    """Cơ quan, đơn vị (trường học, trạm y tế, …)."""
    ENTERPRISE = "enterprise"
    """Doanh nghiệp."""


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Organisation:
    code: Annotated[str, Field(min_length=1, max_length=50)]
    name_vi: Annotated[str, Field(min_length=1)]
    level: OrgLevel
    parent_code: str | None
    issuer_code: Annotated[str, Field(min_length=1)]
    """Ký hiệu of its decisions, e.g. UBND in 12/QĐ-UBND."""
    signer_title_vi: Annotated[str, Field(min_length=1)]
    place_vi: Annotated[str, Field(min_length=1)]
    """Địa danh its documents are dated at (NĐ 30/2020/NĐ-CP ô 4)."""

    @property
    def prints_parent(self) -> bool:
        """A department or unit prints its parent body above its own name (NĐ 30/2020 ô 2);
        a people's committee, ministry or central body prints only itself."""
        return self.level in (OrgLevel.PROVINCE_DEPARTMENT, OrgLevel.UNIT, OrgLevel.ENTERPRISE)


class Relation(StrEnum):
    """What organisation ``b`` is to organisation ``a`` in ``OrganisationRegistry.relation(a, b)``."""

    OWN = "own"
    PARENT = "parent"
    CHILD = "child"
    ANCESTOR = "ancestor"
    DESCENDANT = "descendant"
    SIBLING = "sibling"
    UNRELATED = "unrelated"


class OrganisationRegistry:
    """An immutable forest of organisations, indexed once so every lookup is a dict access."""

    def __init__(self, organisations: Iterable[Organisation], *, sample: bool = False) -> None:
        by_code: dict[str, Organisation] = {}
        for org in organisations:
            if org.code in by_code:
                raise ValueError(f"duplicate organisation code {org.code!r}")
            by_code[org.code] = org
        children: dict[str, list[Organisation]] = {code: [] for code in by_code}
        for org in by_code.values():
            if org.parent_code is None:
                continue
            if org.parent_code not in by_code:
                raise ValueError(f"{org.code!r} has unknown parent {org.parent_code!r}")
            children[org.parent_code].append(org)
        self._by_code = MappingProxyType(by_code)
        self._children = {code: tuple(sorted(kids, key=lambda o: o.code)) for code, kids in children.items()}
        self._ancestors = {code: self._walk_up(code) for code in by_code}
        self.sample = sample
        """True when the data is illustrative, not an official registry."""

    def _walk_up(self, code: str) -> tuple[Organisation, ...]:
        chain: list[Organisation] = []
        parent = self._by_code[code].parent_code
        while parent is not None:
            if parent == code or any(o.code == parent for o in chain):
                raise ValueError(f"cycle in the organisation tree at {code!r}")
            org = self._by_code[parent]
            chain.append(org)
            parent = org.parent_code
        return tuple(chain)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        seed = _RegistrySeed.model_validate_json(text)
        return cls(seed.organisations, sample=seed.sample)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Organisation]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Organisation:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownOrganisation(code) from None

    def ancestors(self, code: str) -> tuple[Organisation, ...]:
        """Parent first, root last."""
        self.get(code)
        return self._ancestors[code]

    def children(self, code: str) -> tuple[Organisation, ...]:
        """Direct children, by code."""
        self.get(code)
        return self._children[code]

    def relation(self, a: str, b: str) -> Relation:
        """What ``b`` is to ``a``: ``relation(school, commune)`` is PARENT."""
        org_a, org_b = self.get(a), self.get(b)
        if a == b:
            return Relation.OWN
        if org_a.parent_code == b:
            return Relation.PARENT
        if org_b.parent_code == a:
            return Relation.CHILD
        if any(o.code == b for o in self._ancestors[a]):
            return Relation.ANCESTOR
        if any(o.code == a for o in self._ancestors[b]):
            return Relation.DESCENDANT
        if org_a.parent_code is not None and org_a.parent_code == org_b.parent_code:
            return Relation.SIBLING
        return Relation.UNRELATED


class _RegistrySeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sample: bool
    note: str = ""
    organisations: list[Organisation]


class ReviewProfile(BaseModel):
    """Which organisation levels act at each review level (one tier per organisation level)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description_vi: str
    description_en: str
    legal_basis: tuple[str, ...]
    tiers: Mapping[ReviewLevel, tuple[OrgLevel, ...]]
    """An empty tuple means no organisation acts at that level: the step is skipped."""

    @model_validator(mode="after")
    def _one_tier_per_org_level(self) -> Self:
        if set(self.tiers) != set(ReviewLevel):
            raise ValueError(f"profile {self.name!r} must list every review level")
        seen: set[OrgLevel] = set()
        for org_levels in self.tiers.values():
            if seen & set(org_levels):
                raise ValueError(f"profile {self.name!r} puts an organisation level in two tiers")
            seen.update(org_levels)
        return self

    def tier_of(self, level: OrgLevel) -> ReviewLevel | None:
        for review_level, org_levels in self.tiers.items():
            if level in org_levels:
                return review_level
        return None


class _ProfilesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profiles: list[ReviewProfile]


@dataclass(frozen=True, slots=True)
class ReviewStep:
    level: ReviewLevel
    organisation_code: str


def review_chain(
    registry: OrganisationRegistry, profile: ReviewProfile, submitting_org_code: str, award: AwardDefinition
) -> list[ReviewStep]:
    """The organisations that review a dossier, lowest level first, the decider last.

    The deciding step uses the award's fixed deciding organisation when it has one (the Prime
    Minister, the State President), otherwise the topmost organisation of the deciding tier; that
    organisation's level must be one the award's deciding authority allows (Luật Điều 80).
    """
    acting: dict[ReviewLevel, Organisation] = {}
    for org in (registry.get(submitting_org_code), *registry.ancestors(submitting_org_code)):
        tier = profile.tier_of(org.level)
        if tier is not None:
            acting[tier] = org  # walking upwards, so the last one seen is the topmost of its tier
    deciding = award.deciding
    if deciding.organisation_code is not None:
        acting[deciding.level] = registry.get(deciding.organisation_code)
    decider = acting.get(deciding.level)
    if decider is None:
        raise NoActingOrganisation(
            f"no organisation above {submitting_org_code!r} acts at the {deciding.level} level "
            f"under profile {profile.name!r}"
        )
    if decider.level not in deciding.organisation_levels:
        raise NoActingOrganisation(
            f"{decider.code!r} ({decider.level}) may not decide {award.code}; "
            f"allowed: {', '.join(deciding.organisation_levels)}"
        )
    return [ReviewStep(level, acting[level].code) for level in award.review_path if level in acting]


def _data_text(name: str) -> str:
    return resources.files("services.intake.domain").joinpath("data", name).read_text(encoding="utf-8")


@cache
def default_registry() -> OrganisationRegistry:
    """The packaged sample registry (a fictional province; see ``data/organisations.json``)."""
    return OrganisationRegistry.from_json(_data_text("organisations.json"))


@cache
def review_profiles() -> Mapping[str, ReviewProfile]:
    profiles = _ProfilesFile.model_validate_json(_data_text("review_profiles.json")).profiles
    return MappingProxyType({p.name: p for p in profiles})


def review_profile(name: str) -> ReviewProfile:
    """The profile named in configuration (``IntakeSettings.review_profile``)."""
    try:
        return review_profiles()[name]
    except KeyError:
        raise UnknownReviewProfile(name) from None
