"""Eligibility of one nominee for one award under one rule set: pure, no I/O, microseconds.

**Outcome.** Every checkable criterion yields ``passed``, ``failed`` or ``manual_review``. The result
is ``ineligible`` if any criterion failed, else ``manual_review`` if any needs a person, else
``eligible``. Conditions that are qualitative by nature (solidarity, good conduct, an active
emulation movement) are not criteria: the law leaves them to the council's judgement in every case,
so they are listed as ``council_checks`` for the reviewers and never change the outcome. Otherwise
every LĐTT would be ``manual_review`` and the outcome would carry no information.

**Never invent law.** Where DOMAIN.md marks a rule UNCONFIRMED, or leaves a reading open, the
criterion answers ``manual_review`` with the reason, never ``passed`` or ``failed``.

**Readings of the text** (DOMAIN.md §2.2–§2.3), applied throughout:

- A *year* is an emulation year (năm thành tích), and ``proposal_year`` is the year whose
  achievements the award is proposed for; the submission date only selects the rule set.
- *Consecutive* (liên tục) means an unbroken run of calendar years; a run "ending in the proposal
  year" must include it. Where DOMAIN.md leaves open whether a title is yearly (the 2 consecutive
  CSTĐ bộ/tỉnh titles of CSTĐTQ), titles in non-adjacent years go to manual review.
- Luật Điều 74 k1 d (Bằng khen bộ/tỉnh) does not say its run must end in the proposal year, so a
  qualifying run that ended earlier goes to manual review; so does "2 initiatives or 2 research
  works" met only by mixing one of each.
- An initiative required by CSTĐ bộ/tỉnh or CSTĐTQ passes when recognised within the counted run;
  recognised earlier, it goes to manual review (DOMAIN.md does not say when it must be).
- *Since then* (sau đó, Luật Điều 73 k1 b, Điều 44 k1 e): the years strictly after the year of the
  latest prerequisite award, up to and including the proposal year. Counting from the latest one
  keeps the years already rewarded by it from being counted twice ("one achievement, one award",
  NĐ 152 Điều 4). The required run of well-rated years must end in the proposal year and lie wholly
  in that period; the titles and excellent years are counted inside the same run.
- Only merit (công trạng) awards that were not revoked count toward a chain (NĐ 152 Điều 4; Luật
  Điều 93). For a rule set in which that principle is not confirmed, a criterion that passes only
  when ad-hoc or campaign awards are counted goes to manual review.
- An initiative recognised in a wider scope also satisfies a narrower one (national ⊇ bộ/tỉnh ⊇ cơ sở).
- CSTĐCS needs the year's LĐTT: a recorded title, or else LĐTT's own checkable criteria, because
  both titles are decided in the same annual round (a revoked LĐTT for the year fails).
- A raised status flag blocks (NĐ 152 Điều 4); under a rule set where that principle is not
  confirmed (ND98-2023) it needs review instead. A discipline record inside the counted period
  needs review: achievements count only from the end of the disciplinary period, which a year
  alone does not give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

from contracts.events import NomineeKind
from contracts.nominee import (
    CommendationType,
    Initiative,
    InitiativeKind,
    InitiativeScope,
    NomineeRecord,
    PerformanceRating,
)
from services.intake.domain.catalogue import (
    AnnualRatingRule,
    AwardDefinition,
    CollectiveExcellenceRunRule,
    CollectiveYearRule,
    ConsecutiveMeritRule,
    CouncilCheck,
    EligibilityRule,
    GrassrootsFighterRule,
    ManualRule,
    Principle,
    RuleSet,
    SincePrerequisiteRule,
    TitleRunRule,
)


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    MANUAL_REVIEW = "manual_review"


class CriterionOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    MANUAL_REVIEW = "manual_review"


@dataclass(frozen=True, slots=True)
class CriterionResult:
    code: str
    outcome: CriterionOutcome
    facts: dict[str, Any]
    """The facts the criterion read, JSON-ready, for the audit trail."""
    legal_basis: str
    message_vi: str
    message_en: str


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    award_code: str
    rule_set_id: str
    nominee_kind: NomineeKind
    proposal_year: int
    outcome: Outcome
    criteria: tuple[CriterionResult, ...]
    council_checks: tuple[CouncilCheck, ...]


@dataclass(frozen=True, slots=True)
class QuotaSetting:
    """A cap on one award within a dossier, as a share of the unit's LĐTT count.

    Luật TĐKT 2022 has no CSTĐCS quota: the 15% cap of NĐ 91/2017 Điều 9 k3 is HISTORICAL. NĐ 152,
    sector or provincial rules *may* add caps (UNCONFIRMED), so a cap is configured per issuer,
    off by default, and while ``confirmed`` is false an overflow goes to manual review.
    """

    issuer_code: str
    award_code: str
    max_share: Fraction
    legal_basis: str
    confirmed: bool = False


_P, _F, _M = CriterionOutcome.PASSED, CriterionOutcome.FAILED, CriterionOutcome.MANUAL_REVIEW

_RATING_VI = {
    PerformanceRating.EXCELLENT: "hoàn thành xuất sắc nhiệm vụ",
    PerformanceRating.GOOD: "hoàn thành tốt nhiệm vụ",
    PerformanceRating.COMPLETED: "hoàn thành nhiệm vụ",
    PerformanceRating.NOT_COMPLETED: "không hoàn thành nhiệm vụ",
}
_RATING_EN = {
    PerformanceRating.EXCELLENT: "excellent",
    PerformanceRating.GOOD: "good",
    PerformanceRating.COMPLETED: "completed",
    PerformanceRating.NOT_COMPLETED: "not completed",
}
_SCOPE_VI = {
    InitiativeScope.GRASSROOTS: "cấp cơ sở",
    InitiativeScope.MINISTRY_PROVINCE: "bộ, ban, ngành, tỉnh",
    InitiativeScope.NATIONAL: "toàn quốc",
}
_SCOPE_EN = {
    InitiativeScope.GRASSROOTS: "at grassroots level",
    InitiativeScope.MINISTRY_PROVINCE: "ministry- or province-wide",
    InitiativeScope.NATIONAL: "nationwide",
}
_FLAG_VI = {
    "under_disciplinary_review": "đang bị xem xét kỷ luật",
    "under_investigation": "đang bị điều tra",
    "under_inspection": "đang bị thanh tra, kiểm tra",
    "complaint_pending": "có khiếu nại, tố cáo đang được xác minh",
    "press_verification": "có vấn đề báo chí nêu đang được xác minh",
}
_FLAG_EN = {
    "under_disciplinary_review": "under disciplinary review",
    "under_investigation": "under investigation",
    "under_inspection": "under inspection",
    "complaint_pending": "a complaint is being verified",
    "press_verification": "press allegations are being verified",
}

_AT_LEAST = {m: frozenset(r for r in PerformanceRating if r.at_least(m)) for m in PerformanceRating}

Titles = Mapping[str, frozenset[int]]
"""Award code → the years in which the nominee holds it."""


@dataclass(frozen=True, slots=True)
class _Context:
    year: int
    record: NomineeRecord
    rule_set: RuleSet
    ratings: Mapping[int, PerformanceRating]
    collective_ratings: Mapping[int, PerformanceRating]
    merit_titles: Titles
    """Not revoked, công trạng only: what counts toward a chain."""
    all_titles: Titles
    """Not revoked, any type of commendation."""
    revoked_titles: Titles


@dataclass(frozen=True, slots=True)
class _Evaluation:
    criteria: tuple[CriterionResult, ...]
    period: tuple[int, int] | None
    """First and last year of the achievements counted, for the discipline-period check."""
    council_checks: tuple[CouncilCheck, ...] = ()


def evaluate(
    award: AwardDefinition,
    rule_set: RuleSet,
    record: NomineeRecord,
    nominee_kind: NomineeKind,
    proposal_year: int,
) -> EligibilityResult:
    """Evaluate every confirmed criterion of ``award`` for the nominee; see the module docstring."""
    if award.rule_set_id != rule_set.id:
        raise ValueError(f"{award.code} belongs to rule set {award.rule_set_id}, not {rule_set.id}")
    subject = award.criteria_for(nominee_kind)
    if subject is None:
        return _result(
            award, rule_set, nominee_kind, proposal_year, [_subject_mismatch(award, nominee_kind)], ()
        )
    ctx = _context(record, rule_set, proposal_year)
    evaluation = _evaluate_rule(subject.rule, ctx, ctx.merit_titles)
    merit_only = rule_set.principles.merit_only_chains
    if not merit_only.confirmed and ctx.all_titles != ctx.merit_titles:
        relaxed = _evaluate_rule(subject.rule, ctx, ctx.all_titles)
        evaluation = _unconfirmed_merit_only(evaluation, relaxed, merit_only, rule_set.id)
    criteria = [_status_flags(record, rule_set.principles.blocking_status), *evaluation.criteria]
    if evaluation.period is not None:
        criteria.append(_discipline_period(record, evaluation.period, rule_set.principles.discipline_period))
    checks = (*subject.council_checks, *evaluation.council_checks)
    return _result(award, rule_set, nominee_kind, proposal_year, criteria, checks)


def apply_quota(
    results: Sequence[EligibilityResult], setting: QuotaSetting, unit_lao_dong_tien_tien_count: int
) -> tuple[EligibilityResult, ...]:
    """Apply a configured cap to a whole dossier, keeping the dossier's order as its priority.

    Only results for ``setting.award_code`` that are ``eligible`` use up the cap
    (⌊LĐTT count × share⌋, exact arithmetic); each gets a ``quota`` criterion. An overflow fails the
    criterion when the cap is ``confirmed``, otherwise it needs manual review.
    """
    share = setting.max_share
    cap = unit_lao_dong_tien_tien_count * share.numerator // share.denominator
    used = 0
    capped: list[EligibilityResult] = []
    for result in results:
        if result.award_code != setting.award_code or result.outcome is not Outcome.ELIGIBLE:
            capped.append(result)
            continue
        used += 1
        within = used <= cap
        facts = {
            "position": used,
            "cap": cap,
            "max_share": str(share),
            "unit_lao_dong_tien_tien_count": unit_lao_dong_tien_tien_count,
            "issuer_code": setting.issuer_code,
            "confirmed": setting.confirmed,
        }
        if within:
            criterion = _criterion(
                "quota",
                _P,
                setting.legal_basis,
                facts,
                f"Trong hạn mức {cap} người (tỷ lệ {share} số Lao động tiên tiến của đơn vị).",
                f"Within the cap of {cap} (share {share} of the unit's Advanced Workers).",
            )
        else:
            criterion = _criterion(
                "quota",
                _F if setting.confirmed else _M,
                setting.legal_basis,
                facts,
                f"Vượt hạn mức {cap} người (thứ tự {used} trong hồ sơ)"
                + ("." if setting.confirmed else "; hạn mức chưa được xác nhận (UNCONFIRMED), cần xem xét."),
                f"Over the cap of {cap} (position {used} in the dossier)"
                + ("." if setting.confirmed else "; the cap is UNCONFIRMED, so this needs review."),
            )
        criteria = (*result.criteria, criterion)
        capped.append(replace(result, criteria=criteria, outcome=_overall(criteria)))
    return tuple(capped)


# --- run arithmetic ---------------------------------------------------------------------------


def run_ending(years: Set[int], end: int) -> int:
    """Length of the unbroken run of years in ``years`` that ends at ``end`` (0 if ``end`` is absent)."""
    length = 0
    while end - length in years:
        length += 1
    return length


def maximal_runs(years: Iterable[int]) -> list[tuple[int, int]]:
    """The maximal unbroken runs as (first, last) year pairs, earliest first."""
    runs: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


# --- rule evaluation --------------------------------------------------------------------------


def _context(record: NomineeRecord, rule_set: RuleSet, year: int) -> _Context:
    merit: dict[str, set[int]] = {}
    every: dict[str, set[int]] = {}
    revoked: dict[str, set[int]] = {}
    for award in record.awards:
        if award.revoked:
            revoked.setdefault(award.award_code, set()).add(award.year)
            continue
        every.setdefault(award.award_code, set()).add(award.year)
        if award.commendation_type is CommendationType.MERIT:
            merit.setdefault(award.award_code, set()).add(award.year)
    return _Context(
        year=year,
        record=record,
        rule_set=rule_set,
        ratings={r.year: r.rating for r in record.ratings},
        collective_ratings={r.year: r.rating for r in record.collective_rating},
        merit_titles=_freeze(merit),
        all_titles=_freeze(every),
        revoked_titles=_freeze(revoked),
    )


def _freeze(titles: dict[str, set[int]]) -> Titles:
    return {code: frozenset(years) for code, years in titles.items()}


def _years(titles: Titles, codes: Iterable[str], up_to: int) -> set[int]:
    return {y for code in codes for y in titles.get(code, ()) if y <= up_to}


def _evaluate_rule(rule: EligibilityRule, ctx: _Context, titles: Titles) -> _Evaluation:
    match rule:
        case AnnualRatingRule():
            return _annual_rating(rule, ctx)
        case GrassrootsFighterRule():
            return _grassroots_fighter(rule, ctx, titles)
        case TitleRunRule():
            return _title_run(rule, ctx, titles)
        case ConsecutiveMeritRule():
            return _consecutive_merit(rule, ctx, titles)
        case CollectiveExcellenceRunRule():
            return _collective_excellence_run(rule, ctx, titles)
        case SincePrerequisiteRule():
            return _since_prerequisite(rule, ctx, titles)
        case CollectiveYearRule():
            return _collective_year(rule, ctx)
        case ManualRule():
            return _manual(rule)


def _annual_rating(rule: AnnualRatingRule, ctx: _Context) -> _Evaluation:
    return _Evaluation(
        (_rating_at_least("rating", ctx.ratings, ctx.year, rule.min_rating, rule.legal_basis),),
        (ctx.year, ctx.year),
    )


def _rating_at_least(
    code: str, ratings: Mapping[int, PerformanceRating], year: int, minimum: PerformanceRating, basis: str
) -> CriterionResult:
    rating = ratings.get(year)
    facts = {"year": year, "rating": rating, "min_rating": minimum}
    if rating is None:
        return _criterion(
            code,
            _F,
            basis,
            facts,
            f"Không có kết quả xếp loại năm {year}.",
            f"No rating recorded for {year}.",
        )
    met = rating.at_least(minimum)
    return _criterion(
        code,
        _P if met else _F,
        basis,
        facts,
        f"Năm {year} xếp loại {_RATING_VI[rating]}; yêu cầu từ {_RATING_VI[minimum]} trở lên.",
        f"Rated {_RATING_EN[rating]} in {year}; at least {_RATING_EN[minimum]} is required.",
    )


def _grassroots_fighter(rule: GrassrootsFighterRule, ctx: _Context, titles: Titles) -> _Evaluation:
    year = ctx.year
    prerequisite, checks = _holds_title_in_year(rule.prerequisite_title, ctx, titles, rule.legal_basis)
    rating = ctx.ratings.get(year)
    works = [i for i in ctx.record.initiatives if i.year == year and i.kind in rule.initiative_kinds]
    excellent = rating is not None and rating.at_least(rule.excellent_rating)
    facts = {"year": year, "rating": rating, "initiatives": [_initiative_fact(i) for i in works]}
    if excellent or works:
        reason_vi = (
            f"xếp loại {_RATING_VI[rule.excellent_rating]}"
            if excellent
            else "có sáng kiến/đề tài/mưu trí sáng tạo được công nhận"
        )
        reason_en = (
            f"rated {_RATING_EN[rule.excellent_rating]}"
            if excellent
            else "has a recognised initiative, research work or wartime ingenuity"
        )
        merit = _criterion(
            "excellence_or_initiative",
            _P,
            rule.legal_basis,
            facts,
            f"Năm {year}: {reason_vi}.",
            f"In {year}: {reason_en}.",
        )
    else:
        merit = _criterion(
            "excellence_or_initiative",
            _F,
            rule.legal_basis,
            facts,
            f"Năm {year} không xếp loại hoàn thành xuất sắc nhiệm vụ và không có sáng kiến, đề tài khoa học hoặc mưu trí, sáng tạo được công nhận.",
            f"In {year}: neither rated excellent nor any recognised initiative, research work or wartime ingenuity.",
        )
    return _Evaluation((prerequisite, merit), (year, year), checks)


def _holds_title_in_year(
    code: str, ctx: _Context, titles: Titles, basis: str
) -> tuple[CriterionResult, tuple[CouncilCheck, ...]]:
    """The title in the proposal year: recorded, or (same annual round) met by its own criteria.

    LĐTT and CSTĐCS are reviewed in the same annual round, so the year's LĐTT is usually not yet in
    the record; its own checkable criteria stand in for it and its council checks are passed on.
    A revoked title for the year is evidence against it and is not re-derived.
    """
    year = ctx.year
    vi, en = _names(ctx.rule_set, (code,))
    facts: dict[str, Any] = {"title": code, "year": year}
    if year in titles.get(code, ()):
        return _criterion(
            "prerequisite_title",
            _P,
            basis,
            {**facts, "source": "recorded"},
            f"Đã đạt danh hiệu {vi} năm {year}.",
            f"Holds {en} for {year}.",
        ), ()
    if year in ctx.revoked_titles.get(code, ()):
        return _criterion(
            "prerequisite_title",
            _F,
            basis,
            {**facts, "source": "revoked"},
            f"Danh hiệu {vi} năm {year} đã bị hủy bỏ.",
            f"The {en} title for {year} was revoked.",
        ), ()
    award = ctx.rule_set.award(code)
    subject = None if award is None else award.criteria.individual
    if subject is None:
        return _criterion(
            "prerequisite_title",
            _F,
            basis,
            {**facts, "source": "missing"},
            f"Chưa có danh hiệu {vi} năm {year}.",
            f"No {en} title for {year}.",
        ), ()
    derived = _evaluate_rule(subject.rule, ctx, titles)
    outcome = _overall_criterion(derived.criteria)
    derived_facts = {**facts, "source": "criteria", "criteria": [c.code for c in derived.criteria]}
    return _criterion(
        "prerequisite_title",
        outcome,
        basis,
        derived_facts,
        f"Danh hiệu {vi} năm {year} chưa được ghi nhận; xét cùng đợt theo tiêu chuẩn của danh hiệu: "
        + "; ".join(c.message_vi for c in derived.criteria),
        f"No {en} title recorded for {year}; judged in the same round by its own criteria: "
        + "; ".join(c.message_en for c in derived.criteria),
    ), (*subject.council_checks, *derived.council_checks)


def _title_run(rule: TitleRunRule, ctx: _Context, titles: Titles) -> _Evaluation:
    year, needed = ctx.year, rule.run_length
    held = _years(titles, rule.titles, year)
    run = run_ending(held, year)
    vi, en = _names(ctx.rule_set, rule.titles)
    facts: dict[str, Any] = {
        "titles": list(rule.titles),
        "years": sorted(held),
        "run_ending_in_year": run,
        "required": needed,
    }
    if run >= needed:
        period = (year - run + 1, year)
        title = _criterion(
            "title_run",
            _P,
            rule.legal_basis,
            facts,
            f"Đạt {run} lần liên tục danh hiệu {vi} ({_span(period[0], year)}); yêu cầu {needed}.",
            f"{run} consecutive {en} titles ({_span(period[0], year)}); {needed} required.",
        )
    elif not rule.consecutive_means_adjacent_years and year in held and len(held) >= needed:
        period = (sorted(held)[-needed], year)
        title = _criterion(
            "title_run",
            _M,
            rule.legal_basis,
            facts,
            f'Có {needed} danh hiệu {vi} ({_span(period[0], year)}) nhưng không ở các năm liền kề; DOMAIN.md chưa xác định "liên tục" với danh hiệu này (năm liền kề hay đợt xét liền kề): cần xem xét.',
            f'{needed} {en} titles ({_span(period[0], year)}) but not in adjacent years; DOMAIN.md does not settle whether "consecutive" means adjacent years or consecutive review cycles for this title: needs review.',
        )
    else:
        period = (year, year)
        title = _criterion(
            "title_run",
            _F,
            rule.legal_basis,
            facts,
            f"Chỉ có {run} lần liên tục danh hiệu {vi} tính đến năm {year}; yêu cầu {needed}.",
            f"Only {run} consecutive {en} titles up to {year}; {needed} required.",
        )
    return _Evaluation((title, _initiative_in_period(rule, ctx, period)), period)


def _initiative_in_period(rule: TitleRunRule, ctx: _Context, period: tuple[int, int]) -> CriterionResult:
    """An initiative of the required scope; DOMAIN.md does not say when it must be recognised."""
    qualifying = [
        i
        for i in ctx.record.initiatives
        if i.kind in rule.initiative_kinds
        and i.scope.rank >= rule.initiative_scope.rank
        and i.year <= ctx.year
    ]
    inside = [i for i in qualifying if period[0] <= i.year <= period[1]]
    facts = {
        "required_scope": rule.initiative_scope,
        "period": list(period),
        "initiatives": [_initiative_fact(i) for i in qualifying],
    }
    scope_vi = _SCOPE_VI[rule.initiative_scope]
    scope_en = _SCOPE_EN[rule.initiative_scope]
    if inside:
        return _criterion(
            "initiative_scope",
            _P,
            rule.legal_basis,
            facts,
            f"Có sáng kiến/đề tài được công nhận phạm vi {scope_vi} trong thời gian xét ({_span(*period)}).",
            f"Has an initiative or research work recognised {scope_en} within the period ({_span(*period)}).",
        )
    if qualifying:
        return _criterion(
            "initiative_scope",
            _M,
            rule.legal_basis,
            facts,
            f"Sáng kiến/đề tài phạm vi {scope_vi} được công nhận ngoài thời gian xét; DOMAIN.md chưa quy định thời điểm công nhận: cần xem xét.",
            f"The {scope_en} initiative or research work was recognised outside the period; DOMAIN.md does not fix when it must be: needs review.",
        )
    return _criterion(
        "initiative_scope",
        _F,
        rule.legal_basis,
        facts,
        f"Không có sáng kiến/đề tài được công nhận phạm vi {scope_vi}.",
        f"No initiative or research work recognised {scope_en}.",
    )


@dataclass(frozen=True, slots=True)
class _Run:
    first: int
    last: int
    what_vi: str
    what_en: str
    doubt_vi: str | None = None
    """Set when the run qualifies only on a reading the text leaves open."""
    doubt_en: str | None = None

    @property
    def complete(self) -> bool:
        return self.doubt_vi is None


def _runs_outcome(code: str, basis: str, runs: list[_Run], year: int, facts: dict[str, Any]) -> _Evaluation:
    """Shared verdict over candidate runs: one complete run ending in the proposal year passes.

    A complete run that ended earlier needs review, since DOMAIN.md does not say these runs must end
    in the proposal year (Luật Điều 74 k1 d); so does a run that qualifies only on an open reading.
    """
    facts = {**facts, "runs": [[r.first, r.last, r.complete] for r in runs]}
    current = next((r for r in runs if r.complete and r.last == year), None)
    if current is not None:
        return _Evaluation(
            (
                _criterion(
                    code,
                    _P,
                    basis,
                    facts,
                    f"{current.what_vi} ({_span(current.first, current.last)}).",
                    f"{current.what_en} ({_span(current.first, current.last)}).",
                ),
            ),
            (current.first, current.last),
        )
    if runs:
        run = runs[-1]
        return _Evaluation(
            (
                _criterion(
                    code,
                    _M,
                    basis,
                    facts,
                    f"{run.what_vi} ({_span(run.first, run.last)}), "
                    + (
                        run.doubt_vi
                        or f"nhưng kết thúc trước năm {year}; DOMAIN.md không quy định giai đoạn này phải kết thúc ở năm đề nghị"
                    )
                    + ": cần xem xét.",
                    f"{run.what_en} ({_span(run.first, run.last)}), "
                    + (
                        run.doubt_en
                        or f"but it ends before {year}; DOMAIN.md does not say it must end in the proposal year"
                    )
                    + ": needs review.",
                ),
            ),
            (run.first, run.last),
        )
    return _Evaluation(
        (
            _criterion(
                code,
                _F,
                basis,
                facts,
                f"Không có giai đoạn liên tục đáp ứng tiêu chuẩn tính đến năm {year}.",
                f"No consecutive run meets the criterion up to {year}.",
            ),
        ),
        (year, year),
    )


def _consecutive_merit(rule: ConsecutiveMeritRule, ctx: _Context, titles: Titles) -> _Evaluation:
    year = ctx.year
    held = _years(titles, (rule.title,), year)
    vi, en = _names(ctx.rule_set, (rule.title,))
    runs = [
        _Run(
            a,
            b,
            f"{b - a + 1} lần liên tục đạt danh hiệu {vi}",
            f"{b - a + 1} consecutive {en} titles",
        )
        for a, b in maximal_runs(held)
        if b - a + 1 >= rule.run_length
    ]
    excellent = {y for y, r in ctx.ratings.items() if y <= year and r is PerformanceRating.EXCELLENT}
    for a, b in maximal_runs(excellent):
        if b - a + 1 < rule.excellent_run_length:
            continue
        works = [i for i in ctx.record.initiatives if a <= i.year <= b]
        initiatives = sum(1 for i in works if i.kind is InitiativeKind.INITIATIVE)
        research = sum(1 for i in works if i.kind is InitiativeKind.RESEARCH)
        if max(initiatives, research) >= rule.min_initiatives:
            runs.append(
                _Run(
                    a,
                    b,
                    f"{b - a + 1} năm liên tục hoàn thành xuất sắc nhiệm vụ, có {rule.min_initiatives} sáng kiến hoặc đề tài",
                    f"{b - a + 1} consecutive excellent years with {rule.min_initiatives} initiatives or research works",
                )
            )
        elif initiatives + research >= rule.min_initiatives:
            runs.append(
                _Run(
                    a,
                    b,
                    f"{b - a + 1} năm liên tục hoàn thành xuất sắc nhiệm vụ, có {initiatives} sáng kiến và {research} đề tài",
                    f"{b - a + 1} consecutive excellent years with {initiatives} initiative(s) and {research} research work(s)",
                    "nhưng văn bản nêu 02 sáng kiến hoặc 02 đề tài; trường hợp kết hợp chưa được xác định",
                    'but the text names "2 initiatives or 2 research works"; whether a mix counts is not settled',
                )
            )
    runs.sort(key=lambda r: (r.last, r.complete))
    facts = {"title_years": sorted(held), "excellent_years": sorted(excellent)}
    return _runs_outcome("consecutive_merit", rule.legal_basis, runs, year, facts)


def _collective_excellence_run(
    rule: CollectiveExcellenceRunRule, ctx: _Context, titles: Titles
) -> _Evaluation:
    """A TTLĐXS year counts as an excellent year: TTLĐXS itself requires an excellent rating."""
    year = ctx.year
    excellent = {
        y for y, r in ctx.collective_ratings.items() if y <= year and r is PerformanceRating.EXCELLENT
    }
    held = _years(titles, (rule.title,), year)
    vi, en = _names(ctx.rule_set, (rule.title,))
    runs = [
        _Run(
            a,
            b,
            f"{b - a + 1} năm liên tục hoàn thành xuất sắc nhiệm vụ hoặc {vi}",
            f"{b - a + 1} consecutive years rated excellent or {en}",
        )
        for a, b in maximal_runs(excellent | held)
        if b - a + 1 >= rule.run_length
    ]
    facts = {"excellent_years": sorted(excellent), "title_years": sorted(held)}
    return _runs_outcome("collective_excellence_run", rule.legal_basis, runs, year, facts)


def _since_prerequisite(rule: SincePrerequisiteRule, ctx: _Context, titles: Titles) -> _Evaluation:
    year, basis = ctx.year, rule.legal_basis
    vi, en = _names(ctx.rule_set, rule.prerequisites)
    title_vi, title_en = _names(ctx.rule_set, (rule.title,))
    prior = sorted(_years(titles, rule.prerequisites, year))
    since = prior[-1] if prior else None
    prerequisite = _criterion(
        "prerequisite",
        _P if since is not None else _F,
        basis,
        {"prerequisites": list(rule.prerequisites), "years": prior, "counted_from": since},
        f"Đã được tặng {vi} năm {since}; tính các năm sau đó."
        if since is not None
        else f"Chưa được tặng {vi} (công trạng, còn hiệu lực).",
        f"Received {en} in {since}; the years after it count."
        if since is not None
        else f"Has not received {en} (merit, not revoked).",
    )
    allowed = _AT_LEAST[rule.min_rating]
    good_years = {y for y, r in ctx.ratings.items() if r in allowed}
    start = year - run_ending(good_years, year) + 1
    if since is not None:
        start = max(start, since + 1)
    counted = max(0, year - start + 1)
    window = list(range(start, year + 1))
    rated = _criterion(
        "rated_years",
        _P if counted >= rule.min_years else _F,
        basis,
        {
            "window": [start, year] if counted else None,
            "years": counted,
            "required": rule.min_years,
            "min_rating": rule.min_rating,
        },
        f"{counted} năm liên tục xếp loại từ {_RATING_VI[rule.min_rating]} trở lên đến năm {year} (sau lần khen trước); yêu cầu {rule.min_years}.",
        f"{counted} consecutive years rated {_RATING_EN[rule.min_rating]} or better up to {year} (after the prerequisite); {rule.min_years} required.",
    )
    in_window = sorted(y for y in _years(titles, (rule.title,), year) if y >= start)
    title_count = _criterion(
        "title_count",
        _P if len(in_window) >= rule.title_count else _F,
        basis,
        {"title": rule.title, "years": in_window, "required": rule.title_count},
        f"{len(in_window)} lần đạt danh hiệu {title_vi} trong thời gian xét; yêu cầu {rule.title_count}.",
        f"{len(in_window)} {title_en} titles in the period; {rule.title_count} required.",
    )
    criteria = [prerequisite, rated, title_count]
    if rule.min_excellent_years:
        excellent = [y for y in window if ctx.ratings.get(y) is PerformanceRating.EXCELLENT]
        criteria.append(
            _criterion(
                "excellent_years",
                _P if len(excellent) >= rule.min_excellent_years else _F,
                basis,
                {"years": excellent, "required": rule.min_excellent_years},
                f"{len(excellent)} năm hoàn thành xuất sắc nhiệm vụ trong thời gian xét; yêu cầu {rule.min_excellent_years}.",
                f"{len(excellent)} excellent years in the period; {rule.min_excellent_years} required.",
            )
        )
    return _Evaluation(tuple(criteria), (start, year) if counted else (year, year))


def _collective_year(rule: CollectiveYearRule, ctx: _Context) -> _Evaluation:
    year, basis = ctx.year, rule.legal_basis
    criteria = [_rating_at_least("collective_rating", ctx.collective_ratings, year, rule.min_rating, basis)]
    stats = ctx.record.collective
    if stats is None:
        criteria.append(
            _criterion(
                "member_statistics",
                _F,
                basis,
                {"year": year},
                "Thiếu số liệu thành viên của tập thể.",
                "The collective's member statistics are missing.",
            )
        )
        return _Evaluation(tuple(criteria), (year, year))
    total, share = stats.members_total, rule.min_lao_dong_tien_tien_share
    ldtt = stats.members_lao_dong_tien_tien
    criteria.append(
        _criterion(
            "lao_dong_tien_tien_share",
            _P if ldtt * share.denominator >= total * share.numerator else _F,
            basis,
            {"members_lao_dong_tien_tien": ldtt, "members_total": total, "min_share": str(share)},
            f"{ldtt}/{total} thành viên đạt Lao động tiên tiến; yêu cầu tối thiểu {share} ({_percent(share)}).",
            f"{ldtt}/{total} members are Advanced Workers; at least {share} ({_percent(share)}) required.",
        )
    )
    if rule.all_members_completed_tasks:
        done = stats.members_completed_tasks
        criteria.append(
            _criterion(
                "all_members_completed_tasks",
                _P if done == total else _F,
                basis,
                {"members_completed_tasks": done, "members_total": total},
                f"{done}/{total} thành viên hoàn thành nhiệm vụ; yêu cầu 100%.",
                f"{done}/{total} members completed their tasks; 100% required.",
            )
        )
    if rule.min_cstdcs_members:
        cstdcs = stats.members_cstdcs
        criteria.append(
            _criterion(
                "cstdcs_members",
                _P if cstdcs >= rule.min_cstdcs_members else _F,
                basis,
                {"members_cstdcs": cstdcs, "required": rule.min_cstdcs_members},
                f"{cstdcs} thành viên đạt Chiến sĩ thi đua cơ sở; yêu cầu tối thiểu {rule.min_cstdcs_members}.",
                f"{cstdcs} members are Grassroots Emulation Fighters; at least {rule.min_cstdcs_members} required.",
            )
        )
    if rule.no_member_disciplined_warning_or_above:
        disciplined = stats.members_disciplined_warning_or_above
        criteria.append(
            _criterion(
                "no_member_disciplined",
                _P if disciplined == 0 else _F,
                basis,
                {"members_disciplined_warning_or_above": disciplined},
                f"{disciplined} thành viên bị kỷ luật từ hình thức cảnh cáo trở lên; yêu cầu không có.",
                f"{disciplined} members disciplined at warning level or above; none allowed.",
            )
        )
    return _Evaluation(tuple(criteria), (year, year))


def _manual(rule: ManualRule) -> _Evaluation:
    code = "criteria_unconfirmed" if rule.reason == "unconfirmed" else "qualitative_criteria"
    return _Evaluation(
        (_criterion(code, _M, rule.legal_basis, {"reason": rule.reason}, rule.message_vi, rule.message_en),),
        None,
    )


# --- cross-cutting criteria (NĐ 152 Điều 4) --------------------------------------------------


def _subject_mismatch(award: AwardDefinition, kind: NomineeKind) -> CriterionResult:
    kind_vi = "cá nhân" if kind is NomineeKind.INDIVIDUAL else "tập thể"
    return _criterion(
        "subject",
        _F,
        "; ".join(award.legal_basis),
        {"award_subject": award.subject, "nominee_kind": kind},
        f"{award.name_vi} không xét tặng cho {kind_vi}.",
        f"{award.name_en} is not awarded to a {kind.value}.",
    )


def _status_flags(record: NomineeRecord, principle: Principle) -> CriterionResult:
    raised = record.flags.raised()
    facts = {"raised": raised, "principle_confirmed": principle.confirmed}
    if not raised:
        return _criterion(
            "status_flags",
            _P,
            principle.legal_basis,
            facts,
            "Không thuộc trường hợp chưa xem xét khen thưởng.",
            "No situation that blocks a nomination.",
        )
    vi = ", ".join(_FLAG_VI[f] for f in raised)
    en = ", ".join(_FLAG_EN[f] for f in raised)
    if principle.confirmed:
        return _criterion(
            "status_flags",
            _F,
            principle.legal_basis,
            facts,
            f"Chưa xem xét khen thưởng: {vi}.",
            f"Nomination blocked: {en}.",
        )
    return _criterion(
        "status_flags",
        _M,
        principle.legal_basis,
        facts,
        f"Có tình trạng {vi}; quy định tạm dừng xét khen thưởng của bộ quy tắc này chưa được xác nhận: cần xem xét.",
        f"Flagged: {en}; this rule set's blocking rule is UNCONFIRMED: needs review.",
    )


def _discipline_period(
    record: NomineeRecord, period: tuple[int, int], principle: Principle
) -> CriterionResult:
    """Achievements count only from the end of a disciplinary period; the record holds only its year."""
    first, last = period
    inside = sorted({d.year for d in record.discipline if first <= d.year <= last})
    facts = {"period": [first, last], "discipline_years": inside}
    if not inside:
        return _criterion(
            "discipline_period",
            _P,
            principle.legal_basis,
            facts,
            f"Không bị kỷ luật trong thời gian tính thành tích ({_span(first, last)}).",
            f"No discipline during the counted period ({_span(first, last)}).",
        )
    return _criterion(
        "discipline_period",
        _M,
        principle.legal_basis,
        facts,
        f"Bị kỷ luật năm {', '.join(map(str, inside))} trong thời gian tính thành tích; thành tích chỉ được tính từ khi hết thời hạn kỷ luật: cần xem xét.",
        f"Disciplined in {', '.join(map(str, inside))} within the counted period; achievements count only after the disciplinary period ends: needs review.",
    )


def _unconfirmed_merit_only(
    strict: _Evaluation, relaxed: _Evaluation, principle: Principle, rule_set_id: str
) -> _Evaluation:
    """Criteria that pass only when ad-hoc or campaign awards are counted go to manual review."""
    criteria = tuple(
        s
        if s.outcome is _P or r.outcome is not _P
        else _criterion(
            s.code,
            _M,
            principle.legal_basis,
            {**r.facts, "counts_non_merit_awards": True},
            f"Chỉ đạt khi tính cả khen thưởng đột xuất/chuyên đề; trong bộ quy tắc {rule_set_id}, việc loại trừ các khen thưởng này chưa được xác nhận: cần xem xét.",
            f"Met only when ad-hoc or campaign awards are counted; whether {rule_set_id} excludes them is UNCONFIRMED: needs review.",
        )
        for s, r in zip(strict.criteria, relaxed.criteria, strict=True)
    )
    return replace(strict, criteria=criteria)


# --- helpers ------------------------------------------------------------------------------------


def _criterion(
    code: str, outcome: CriterionOutcome, basis: str, facts: dict[str, Any], message_vi: str, message_en: str
) -> CriterionResult:
    return CriterionResult(code, outcome, facts, basis, message_vi, message_en)


def _initiative_fact(initiative: Initiative) -> dict[str, Any]:
    return {
        "year": initiative.year,
        "scope": initiative.scope,
        "kind": initiative.kind,
        "title": initiative.title,
    }


def _names(rule_set: RuleSet, codes: Iterable[str]) -> tuple[str, str]:
    """Vietnamese and English names of awards for messages, the code where the catalogue lacks one."""
    awards = [(code, rule_set.award(code)) for code in codes]
    return (
        " / ".join(a.name_vi if a else code for code, a in awards),
        " / ".join(a.name_en if a else code for code, a in awards),
    )


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _percent(share: Fraction) -> str:
    return f"{float(share) * 100:g}%"


def _overall_criterion(criteria: Iterable[CriterionResult]) -> CriterionOutcome:
    outcomes = {c.outcome for c in criteria}
    if _F in outcomes:
        return _F
    return _M if _M in outcomes else _P


def _overall(criteria: Iterable[CriterionResult]) -> Outcome:
    return {_P: Outcome.ELIGIBLE, _F: Outcome.INELIGIBLE, _M: Outcome.MANUAL_REVIEW}[
        _overall_criterion(criteria)
    ]


def _result(
    award: AwardDefinition,
    rule_set: RuleSet,
    kind: NomineeKind,
    year: int,
    criteria: Sequence[CriterionResult],
    checks: tuple[CouncilCheck, ...],
) -> EligibilityResult:
    return EligibilityResult(award.code, rule_set.id, kind, year, _overall(criteria), tuple(criteria), checks)
