"""Organisations, how they relate on a given day, and which of them acts at each review level.

The platform reviews every dossier on four levels (``ReviewLevel``: unit, district, province,
central) and fills them by the organisation structure in force on the submission date (DOMAIN.md
§3.1, "The four review levels after the reform", product decision of 2026-12-06):

- *unit* is the nominating unit's own review (its council's vote or conference and its head's
  proposal): a school, a department, a company, or a commune nominating its own staff;
- the second level is the body that manages the unit below the province: the district (UBND huyện)
  before 01/07/2025 and, from that date, the commune (UBND xã) that holds the former district
  powers (NĐ 129/2025/NĐ-CP Điều 59); a provincial department for the units under it (product
  default: it holds the same cơ sở powers, Luật TĐKT Điều 80 k1);
- then the province (or ministry), then central.

A unit that is itself a commune, a provincial department or another body directly under the
province goes from the unit level straight to the province. The chain ends at the first
organisation allowed to decide the award (Luật Điều 80; with NĐ 129 Điều 59 the commune chairman
decides what the district chairman decided), so a commune chairman's Giấy khen ends at the commune.

Both halves are data. ``data/organisations.json`` is the registry: each organisation names its
parent (managing organisation) over date intervals, and its own existence interval, so
``OrganisationRegistry.as_of(day)`` is the tree of that day. ``data/review_profiles.json`` holds
one review profile per structure, each valid over a date interval like the catalogue's rule sets:
``four_level`` until 30/06/2025, ``two_tier_2025`` from 01/07/2025 (``review_profile_for``);
configuration may force one by name.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from contracts.events import ReviewLevel
from contracts.levels import level_row
from services.intake.domain.errors import (
    NoActingOrganisation,
    NoReviewProfileInForce,
    OrganisationNotInForce,
    UnknownOrganisation,
    UnknownReviewProfile,
)

if TYPE_CHECKING:
    from services.intake.domain.catalogue import AwardDefinition

_RANK = {level: rank for rank, level in enumerate(ReviewLevel)}


class OrgLevel(StrEnum):
    CENTRAL = "central"
    """Thủ tướng Chính phủ, Chủ tịch nước."""
    MINISTRY = "ministry"
    """Bộ, ban, ngành trung ương."""
    MINISTRY_UNIT = "ministry_unit"
    """Cơ quan, tổ chức, đơn vị có tư cách pháp nhân thuộc bộ, ban, ngành (Luật TĐKT Điều 80 k1)."""
    PROVINCE = "province"
    """Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương."""
    PROVINCE_DEPARTMENT = "province_department"
    """Sở, cơ quan chuyên môn thuộc UBND tỉnh."""
    DISTRICT = "district"
    """Ủy ban nhân dân huyện (abolished from 01/07/2025; kept for earlier dates)."""
    COMMUNE = "commune"
    """Ủy ban nhân dân xã, phường, đặc khu."""
    UNIT = "unit"
    """Cơ quan, đơn vị (trường học, trạm y tế, …) and the parts of one (tổ, khoa)."""
    ENTERPRISE = "enterprise"
    """Doanh nghiệp, hợp tác xã."""


def _covers(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Inclusive bounds; ``None`` is open."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class ParentLink:
    """The organisation's parent — the body that manages it — from ``valid_from`` to ``valid_to``."""

    code: str
    valid_from: date | None = None
    valid_to: date | None = None


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Organisation:
    code: Annotated[str, Field(min_length=1, max_length=50)]
    name_vi: Annotated[str, Field(min_length=1)]
    level: OrgLevel
    issuer_code: Annotated[str, Field(min_length=1)]
    """Ký hiệu of its decisions, e.g. UBND in 12/QĐ-UBND."""
    signer_title_vi: Annotated[str, Field(min_length=1)]
    place_vi: Annotated[str, Field(min_length=1)]
    """Địa danh its documents are dated at (NĐ 30/2020/NĐ-CP ô 4)."""
    parents: tuple[ParentLink, ...] = ()
    """Its parent over time; none on a day means a root that day."""
    valid_from: date | None = None
    valid_to: date | None = None
    """When it exists (inclusive); open bounds when ``None``."""
    proposer_vi: str | None = None
    """How a decision names it when it proposes ("Theo đề nghị của …"); its signer title when unset,
    which is enough where the title names the body ("Chủ tịch Ủy ban nhân dân tỉnh An Hà")."""
    council_vi: str | None = None
    """Its emulation council (Hội đồng Thi đua - Khen thưởng), which proposes when its head decides
    for its own staff; "Hội đồng Thi đua - Khen thưởng <name>" when unset."""
    proposed_by: str | None = None
    """The organisation that proposes this one's award decisions whatever the chain (the province's
    standing body, Sở Nội vụ; the Prime Minister for the State President). Unset: the organisation
    reviewing at the level below the decider in the dossier's chain."""

    @property
    def prints_parent(self) -> bool:
        """A department or unit prints its parent body above its own name (NĐ 30/2020 ô 2);
        a people's committee, ministry or central body prints only itself."""
        return self.level in (
            OrgLevel.PROVINCE_DEPARTMENT,
            OrgLevel.UNIT,
            OrgLevel.ENTERPRISE,
            OrgLevel.MINISTRY_UNIT,
        )

    @property
    def proposer_title_vi(self) -> str:
        return self.proposer_vi or self.signer_title_vi

    @property
    def council_name_vi(self) -> str:
        return self.council_vi or f"Hội đồng Thi đua - Khen thưởng {self.name_vi}"

    def exists_on(self, day: date) -> bool:
        return _covers(self.valid_from, self.valid_to, day)

    def parent_on(self, day: date) -> str | None:
        return next(
            (link.code for link in self.parents if _covers(link.valid_from, link.valid_to, day)), None
        )


class Relation(StrEnum):
    """What organisation ``b`` is to organisation ``a`` in ``OrganisationTree.relation(a, b)``."""

    OWN = "own"
    PARENT = "parent"
    CHILD = "child"
    ANCESTOR = "ancestor"
    DESCENDANT = "descendant"
    SIBLING = "sibling"
    UNRELATED = "unrelated"


class OrganisationTree:
    """The organisations that exist on one day, each under its parent of that day."""

    def __init__(self, registry: OrganisationRegistry, day: date) -> None:
        self.day = day
        self._registry = registry
        existing = {org.code: org for org in registry if org.exists_on(day)}
        parents: dict[str, str | None] = {}
        for code, org in existing.items():
            parent = org.parent_on(day)
            if parent is not None and parent not in existing:
                raise ValueError(f"{code!r} is under {parent!r} on {day}, which does not exist then")
            parents[code] = parent
        children: dict[str, list[str]] = {code: [] for code in existing}
        for code, parent in parents.items():
            if parent is not None:
                children[parent].append(code)
        self._orgs = MappingProxyType(existing)
        self._parents = parents
        self._children = {code: tuple(sorted(kids)) for code, kids in children.items()}
        self._ancestors = {code: self._walk_up(code) for code in existing}

    def _walk_up(self, code: str) -> tuple[str, ...]:
        chain: list[str] = []
        parent = self._parents[code]
        while parent is not None:
            if parent == code or parent in chain:
                raise ValueError(f"cycle in the organisation tree at {code!r} on {self.day}")
            chain.append(parent)
            parent = self._parents[parent]
        return tuple(chain)

    def __contains__(self, code: object) -> bool:
        return code in self._orgs

    def __iter__(self) -> Iterator[Organisation]:
        return iter(self._orgs.values())

    def get(self, code: str) -> Organisation:
        org = self._orgs.get(code)
        if org is None:
            known = self._registry.get(code)  # UnknownOrganisation when the registry has none
            raise OrganisationNotInForce(code, known.name_vi, self.day)
        return org

    def parent(self, code: str) -> Organisation | None:
        self.get(code)
        parent = self._parents[code]
        return None if parent is None else self._orgs[parent]

    def ancestors(self, code: str) -> tuple[Organisation, ...]:
        """Parent first, root last."""
        self.get(code)
        return tuple(self._orgs[a] for a in self._ancestors[code])

    def children(self, code: str) -> tuple[Organisation, ...]:
        """Direct children, by code."""
        self.get(code)
        return tuple(self._orgs[c] for c in self._children[code])

    def relation(self, a: str, b: str) -> Relation:
        """What ``b`` is to ``a``: ``relation(school, commune)`` is PARENT."""
        self.get(a)
        self.get(b)
        if a == b:
            return Relation.OWN
        if self._parents[a] == b:
            return Relation.PARENT
        if self._parents[b] == a:
            return Relation.CHILD
        if b in self._ancestors[a]:
            return Relation.ANCESTOR
        if a in self._ancestors[b]:
            return Relation.DESCENDANT
        if self._parents[a] is not None and self._parents[a] == self._parents[b]:
            return Relation.SIBLING
        return Relation.UNRELATED


class OrganisationRegistry:
    """Every organisation the platform knows, with its parents over time. Each day's tree is built
    once per interval between changes, when the registry is loaded, so bad data (an unknown or
    absent parent, a cycle on some day) fails at start-up and every lookup is a dict access."""

    def __init__(self, organisations: Iterable[Organisation], *, sample: bool = False) -> None:
        by_code: dict[str, Organisation] = {}
        for org in organisations:
            if org.code in by_code:
                raise ValueError(f"duplicate organisation code {org.code!r}")
            by_code[org.code] = org
        for org in by_code.values():
            _check_dates(org, by_code)
        self._by_code = MappingProxyType(by_code)
        self.sample = sample
        """True when the data is illustrative, not an official registry."""
        self._changes = sorted({date.min, *(day for org in by_code.values() for day in _changes(org))})
        self._trees = tuple(OrganisationTree(self, day) for day in self._changes)

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
        """The organisation whatever the day (its name, level, issuer code)."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownOrganisation(code) from None

    def as_of(self, day: date) -> OrganisationTree:
        """The organisations that exist on ``day``, each under its parent of that day."""
        return self._trees[bisect.bisect_right(self._changes, day) - 1]


def _check_dates(org: Organisation, by_code: Mapping[str, Organisation]) -> None:
    intervals = [(org.valid_from, org.valid_to), *((p.valid_from, p.valid_to) for p in org.parents)]
    for start, end in intervals:
        if start is not None and end is not None and end < start:
            raise ValueError(f"{org.code!r}: an interval ends ({end}) before it starts ({start})")
    links = sorted(org.parents, key=lambda p: p.valid_from or date.min)
    for link in links:
        if link.code not in by_code:
            raise ValueError(f"{org.code!r} has unknown parent {link.code!r}")
    for earlier, later in pairwise(links):
        if earlier.valid_to is None or earlier.valid_to >= (later.valid_from or date.min):
            raise ValueError(f"{org.code!r}: parents {earlier.code!r} and {later.code!r} overlap")
    if org.proposed_by is not None and org.proposed_by not in by_code:
        raise ValueError(f"{org.code!r} is proposed by unknown organisation {org.proposed_by!r}")


def _changes(org: Organisation) -> Iterator[date]:
    """The days on which something about ``org`` starts to hold."""
    for start, end in [(org.valid_from, org.valid_to), *((p.valid_from, p.valid_to) for p in org.parents)]:
        if start is not None:
            yield start
        if end is not None and end < date.max:
            yield end + timedelta(days=1)


class _RegistrySeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sample: bool
    note: str = ""
    organisations: list[Organisation]


class LevelName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ReviewProfile(BaseModel):
    """Which kinds of organisation act at each review level under one organisation structure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description_vi: str
    description_en: str
    legal_basis: tuple[str, ...]
    valid_from: date | None = None
    valid_to: date | None = None
    """The submission dates the structure is in force on (inclusive; ``None`` is open)."""
    tiers: Mapping[ReviewLevel, tuple[OrgLevel, ...]]
    """``unit``: the kinds of organisation whose own review is the unit level when they nominate.
    Every other level: the kinds that act there for the organisations under them. A kind may be
    both (a commune nominates its own staff and reviews its schools' dossiers)."""
    powers: Mapping[OrgLevel, OrgLevel] = {}
    """Deciding powers the law gives one kind of organisation that another holds under this
    structure: ``{"district": "commune"}`` (NĐ 129/2025 Điều 59)."""
    acting_names: Mapping[OrgLevel, LevelName] = {}
    """Names that win over the level's own name (``contracts.levels``, by date: "cấp xã" for the
    district level from 01/07/2025) when that kind of organisation acts at a level (a provincial
    department at the district level is "cấp sở", not "cấp huyện")."""

    @model_validator(mode="after")
    def _complete_and_unambiguous(self) -> Self:
        if set(self.tiers) != set(ReviewLevel):
            raise ValueError(f"profile {self.name!r} must list every review level in tiers")
        seen: set[OrgLevel] = set()
        for level, org_levels in self.tiers.items():
            if level is ReviewLevel.UNIT:
                continue
            if seen & set(org_levels):
                raise ValueError(f"profile {self.name!r} puts an organisation level in two tiers")
            seen.update(org_levels)
        return self

    def covers(self, day: date) -> bool:
        return _covers(self.valid_from, self.valid_to, day)

    def nominates(self, level: OrgLevel) -> bool:
        return level in self.tiers[ReviewLevel.UNIT]

    def tier_of(self, level: OrgLevel) -> ReviewLevel | None:
        """The level above the unit at which this kind of organisation acts for those under it."""
        for review_level, org_levels in self.tiers.items():
            if review_level is not ReviewLevel.UNIT and level in org_levels:
                return review_level
        return None

    def may_decide(self, allowed: Iterable[OrgLevel]) -> frozenset[OrgLevel]:
        """The kinds of organisation that decide, given the kinds the law names."""
        named = set(allowed)
        return frozenset(named | {self.powers[level] for level in named if level in self.powers})

    def level_name(self, level: ReviewLevel, day: date, acting: OrgLevel | None = None) -> LevelName:
        """The name of ``level`` for a dossier submitted on ``day`` ("cấp xã"), or of the kind of
        organisation acting at it ("cấp sở")."""
        if acting is not None and acting in self.acting_names:
            return self.acting_names[acting]
        row = level_row(level)
        if row is None:  # every ReviewLevel has a row (contracts.levels checks it)
            raise ValueError(f"no row for review level {level!r}")
        named = row.name_on(day)
        return LevelName(vi=named.vi, en=named.en)


class _ProfilesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profiles: list[ReviewProfile]

    @model_validator(mode="after")
    def _one_per_day(self) -> Self:
        ordered = sorted(self.profiles, key=lambda p: p.valid_from or date.min)
        for earlier, later in pairwise(ordered):
            if earlier.valid_to is None or earlier.valid_to >= (later.valid_from or date.min):
                raise ValueError(f"review profiles {earlier.name!r} and {later.name!r} overlap")
        return self


@dataclass(frozen=True, slots=True)
class ReviewStep:
    level: ReviewLevel
    organisation_code: str


def _acting_organisations(
    tree: OrganisationTree, profile: ReviewProfile, submitting_org_code: str
) -> dict[ReviewLevel, Organisation]:
    """The organisation acting at each level the submitter's chain reaches, lowest level first."""
    chain = (tree.get(submitting_org_code), *tree.ancestors(submitting_org_code))
    submitter = chain[0]
    acting: dict[ReviewLevel, Organisation] = {}
    rest: Sequence[Organisation] = chain
    if profile.nominates(submitter.level):
        # a part of a unit (a tổ of a school) is nominated through the unit it belongs to
        own = 0
        while own + 1 < len(chain) and chain[own].level is chain[own + 1].level is OrgLevel.UNIT:
            own += 1
        acting[ReviewLevel.UNIT] = chain[own]
        rest = chain[own + 1 :]
    elif profile.tier_of(submitter.level) is None:
        raise NoActingOrganisation(
            f"{submitter.code!r} ({submitter.level}) cannot nominate under profile {profile.name!r}"
        )
    for org in rest:
        tier = profile.tier_of(org.level)
        if tier is None or (acting and _RANK[tier] < max(_RANK[level] for level in acting)):
            continue
        acting[tier] = org  # walking upwards, so the last one seen is the topmost of its tier
    return dict(sorted(acting.items(), key=lambda item: _RANK[item[0]]))


def review_chain(
    tree: OrganisationTree, profile: ReviewProfile, submitting_org_code: str, award: AwardDefinition
) -> list[ReviewStep]:
    """The organisations that review a dossier, lowest level first, the decider last.

    The decider is the award's fixed deciding organisation when it has one (the Prime Minister, the
    State President); otherwise the lowest organisation on the award's path whose kind the award's
    deciding authority allows (Luật Điều 80), with the powers the profile moves (NĐ 129 Điều 59).
    """
    acting = _acting_organisations(tree, profile, submitting_org_code)
    deciding = award.deciding
    allowed = profile.may_decide(deciding.organisation_levels)
    path = award.review_path
    if deciding.organisation_code is not None:
        acting[deciding.level] = tree.get(deciding.organisation_code)
        if acting[deciding.level].level not in allowed:
            raise NoActingOrganisation(
                f"{deciding.organisation_code!r} may not decide {award.code}; allowed: {', '.join(allowed)}"
            )
    last = next((level for level in path if level in acting and acting[level].level in allowed), None)
    if last is None:
        raise NoActingOrganisation(
            f"no organisation in the review chain of {submitting_org_code!r} on {tree.day.isoformat()} "
            f"may decide {award.code} under profile {profile.name!r}; allowed: {', '.join(sorted(allowed))}"
        )
    return [
        ReviewStep(level, acting[level].code)
        for level in path
        if level in acting and _RANK[level] <= _RANK[last]
    ]


def proposer_vi(tree: OrganisationTree, chain: Sequence[ReviewStep]) -> str:
    """Who the decision says proposed it ("Theo đề nghị của …", DOMAIN.md §4): the decider's fixed
    proposer where the registry names one (the province's standing body, Sở Nội vụ; the Prime
    Minister for the State President), else the organisation reviewing at the level below the
    decider — for a central award the province or ministry (Luật TĐKT Điều 83) — else, when the
    decider reviews its own staff's dossier, its emulation council."""
    decider = tree.get(chain[-1].organisation_code)
    if decider.proposed_by is not None:
        return tree.get(decider.proposed_by).proposer_title_vi
    if len(chain) > 1:
        return tree.get(chain[-2].organisation_code).proposer_title_vi
    return decider.council_name_vi


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
    """A profile by name (``IntakeSettings.review_profile`` forces one)."""
    try:
        return review_profiles()[name]
    except KeyError:
        raise UnknownReviewProfile(name) from None


def review_profile_for(day: date) -> ReviewProfile:
    """The profile of the organisation structure in force on ``day`` (the submission date)."""
    for profile in review_profiles().values():
        if profile.covers(day):
            return profile
    raise NoReviewProfileInForce(f"no review profile is in force on {day.isoformat()}")
