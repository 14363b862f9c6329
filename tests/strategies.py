"""Hypothesis strategies for every public salesflow type.

Every new public type gets a strategy here, and the round-trip tests draw from
:data:`ANY_OBJECT`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

import salesflow as sf
from salesflow import testing
from salesflow.gate import GATEABLE_FIELDS
from salesflow.money import MAX_PLACES

CURRENCIES = st.sampled_from(["USD", "EUR", "KRW", "JPY", "GBP"])

# Any unicode, including the characters that break naive code.
TEXT = st.text(max_size=40)
NAMES = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())

DECIMALS = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    allow_nan=False,
    allow_infinity=False,
    places=None,
).filter(lambda d: d.is_finite() and d.as_tuple().exponent >= -MAX_PLACES)
"""Decimals salesflow keeps: at most MAX_PLACES digits after the point."""


@st.composite
def money(draw: st.DrawFn, currency: st.SearchStrategy[str] = CURRENCIES) -> sf.Money:
    return sf.Money(draw(DECIMALS), draw(currency))


PROBABILITIES = st.one_of(
    st.integers(0, 100).map(Decimal),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)

TIMEZONES = st.one_of(
    st.just(timezone.utc),
    st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)

AWARE = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=TIMEZONES,
)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
OPTIONAL_TEXT = st.none() | TEXT

STANDARD_ROLES = st.sampled_from(list(sf.Role))
CUSTOM_ROLE_NAMES = st.sampled_from(["Champion", "Coach", "Procurement", "Legal ⚖️", "מנהל"])


def accounts() -> st.SearchStrategy[sf.Account]:
    return st.builds(
        sf.Account,
        id=NAMES.map(sf.AccountId),
        name=NAMES,
        industry=OPTIONAL_TEXT,
        website=OPTIONAL_TEXT,
        description=OPTIONAL_TEXT,
    )


def contacts() -> st.SearchStrategy[sf.Contact]:
    return st.builds(
        sf.Contact,
        id=NAMES.map(sf.ContactId),
        name=NAMES,
        account_id=st.none() | NAMES.map(sf.AccountId),
        title=OPTIONAL_TEXT,
        email=OPTIONAL_TEXT,
        phone=OPTIONAL_TEXT,
    )


def contact_roles(custom: tuple[str, ...] = ()) -> st.SearchStrategy[sf.ContactRole]:
    roles: st.SearchStrategy[sf.RoleName] = STANDARD_ROLES
    if custom:
        roles = roles | st.sampled_from(custom)
    return st.builds(sf.ContactRole, NAMES.map(sf.ContactId), roles, primary=st.booleans())


def gates() -> st.SearchStrategy[sf.StageGate]:
    return st.builds(
        sf.StageGate,
        required_fields=st.lists(
            st.sampled_from(sorted(GATEABLE_FIELDS)), unique=True, max_size=2
        ),
        primary_contact=st.booleans(),
        roles=st.lists(STANDARD_ROLES | CUSTOM_ROLE_NAMES, unique=True, max_size=2),
        min_amount=st.none() | money(),
        confirmed=st.lists(NAMES, unique=True, max_size=2),
        qualified=st.lists(
            st.sampled_from(["Metrics", "Champion", "Identify pain"]), unique=True, max_size=2
        ),
        checks=st.lists(NAMES, unique=True, max_size=2),
    )


def stages(*, closed: bool | None = None, won: bool | None = None) -> st.SearchStrategy[sf.Stage]:
    @st.composite
    def build(draw: st.DrawFn) -> sf.Stage:
        if won is None:
            is_won = False if closed is False else draw(st.booleans())
        else:
            is_won = won
        is_closed = True if is_won else (draw(st.booleans()) if closed is None else closed)
        category = draw(st.none() | st.sampled_from(list(sf.ForecastCategory)))
        extra = {} if category is None else {"forecast_category": category}
        return sf.Stage(
            draw(NAMES),
            draw(PROBABILITIES),
            is_closed=is_closed,
            is_won=is_won,
            rot_days=draw(st.none() | st.integers(1, 365)),
            guidance=draw(OPTIONAL_TEXT),
            key_fields=draw(st.lists(NAMES, max_size=3)),
            gate=draw(st.just(sf.StageGate()) | gates()),
            **extra,
        )

    return build()


def _settings(**fields: Any) -> sf.ProcessSettings:
    """Settings without the one contradiction salesflow refuses (forward only, yet backward)."""
    if fields["policy"] is sf.TransitionPolicy.FORWARD_ONLY:
        fields["allow_backward"] = False
    return sf.ProcessSettings(**fields)


def process_settings() -> st.SearchStrategy[sf.ProcessSettings]:
    return st.builds(
        _settings,
        policy=st.sampled_from(
            [p for p in sf.TransitionPolicy if p is not sf.TransitionPolicy.EXPLICIT]
        ),
        allow_skip=st.booleans(),
        allow_backward=st.booleans(),
        allow_reopen=st.booleans(),
        close_from_any_stage=st.booleans(),
        keep_manual_probability=st.booleans(),
        currency=st.none() | CURRENCIES,
        lost_reasons=st.lists(NAMES, unique=True, max_size=3),
        require_lost_reason=st.booleans(),
    )


@st.composite
def processes(draw: st.DrawFn, *, max_open: int = 6, max_closed: int = 3) -> sf.SalesProcess:
    """A valid process: 1..max_open open stages, then a won stage and 0..max_closed-1 others."""
    open_part = draw(st.lists(stages(closed=False), min_size=1, max_size=max_open))
    closed_part = [draw(stages(won=True))]
    closed_part += draw(st.lists(stages(closed=True), max_size=max_closed - 1))
    all_stages = open_part + closed_part
    names = draw(st.lists(NAMES, min_size=len(all_stages), max_size=len(all_stages), unique=True))
    from attrs import evolve

    renamed = [evolve(stage, name=name) for stage, name in zip(all_stages, names, strict=True)]
    custom = draw(st.lists(CUSTOM_ROLE_NAMES, unique=True, max_size=3))
    # A gate may only require custom roles the process declares (else it is refused).
    gated = [r for s in renamed for r in s.gate.roles if isinstance(r, str)]
    custom = list(dict.fromkeys([*custom, *gated]))
    return sf.SalesProcess(
        name=draw(NAMES),
        stages=renamed,
        custom_roles=custom,
        settings=draw(process_settings()),
        description=draw(OPTIONAL_TEXT),
    )


PRESETS = st.sampled_from(sorted(sf.presets.SELLER_PRESETS)).map(
    lambda name: sf.presets.SELLER_PRESETS[name]()
)


@st.composite
def opportunities(draw: st.DrawFn, process: sf.SalesProcess | None = None) -> sf.Opportunity:
    """An opportunity opened in a random stage of a (random) process, then changed a little."""
    proc = draw(processes() | PRESETS) if process is None else process
    created = draw(AWARE)
    opp = proc.open(
        name=draw(NAMES),
        close_date=draw(DATES),
        stage=draw(st.sampled_from(proc.stage_names)),
        amount=draw(st.none() | money()),
        account_id=draw(st.none() | NAMES),
        at=created,
        by=draw(st.none() | NAMES),
        next_step=draw(OPTIONAL_TEXT),
        description=draw(OPTIONAL_TEXT),
        owner=draw(st.none() | NAMES),
    )
    roles = proc.custom_roles
    for contact in draw(st.lists(NAMES, unique=True, max_size=3)):
        role = draw(STANDARD_ROLES | st.sampled_from(roles) if roles else STANDARD_ROLES)
        opp.add_contact_role(contact, role=role, primary=draw(st.booleans()))
    when = created
    for _ in range(draw(st.integers(0, 3))):
        when = when + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
        change = draw(st.sampled_from(["probability", "amount", "close_date", "category"]))
        if change == "probability":
            opp.set_probability(draw(PROBABILITIES), at=when)
        elif change == "category":
            if opp.is_open:  # an override: open deals only, never "Closed"
                categories = [
                    c for c in sf.ForecastCategory if c is not sf.ForecastCategory.CLOSED
                ]
                opp.set_forecast_category(draw(st.sampled_from(categories)), at=when)
        elif change == "amount":
            opp.change_amount(draw(st.none() | money()), at=when)
        else:
            opp.change_close_date(draw(DATES), at=when)
    return opp


def history_entries() -> st.SearchStrategy[sf.HistoryEntry]:
    return st.builds(
        sf.HistoryEntry,
        at=AWARE,
        by=st.none() | NAMES,
        owner=st.none() | NAMES,
        stage=NAMES,
        amount=st.none() | money(),
        probability=PROBABILITIES,
        close_date=DATES,
        forecast_category=st.sampled_from(list(sf.ForecastCategory)),
        previous_amount=st.none() | money(),
        previous_close_date=st.none() | DATES,
    )


# ----------------------------------------------------------------- engine


@st.composite
def engine_processes(draw: st.DrawFn) -> sf.SalesProcess:
    """A valid process with random rules: any policy, skip/backward/reopen flags,
    per-stage move lists, and gates that moves can meet (amount and minimum amount)."""
    n_open = draw(st.integers(1, 5))
    n_closed = draw(st.integers(1, 3))
    names = [f"S{i}" for i in range(n_open + n_closed)]
    settings = _settings(
        policy=draw(st.sampled_from(list(sf.TransitionPolicy))),
        allow_skip=draw(st.booleans()),
        allow_backward=draw(st.booleans()),
        allow_reopen=draw(st.booleans()),
        close_from_any_stage=draw(st.booleans()),
        keep_manual_probability=draw(st.booleans()),
    )
    stage_list = []
    for i, name in enumerate(names):
        closed = i >= n_open
        won = i == n_open
        listed = None
        may_list = not closed or settings.allow_reopen  # a closed stage's list needs reopening
        if may_list and (
            settings.policy is sf.TransitionPolicy.EXPLICIT or draw(st.integers(0, 3)) == 0
        ):
            others = [n for n in names if n != name]
            listed = draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others)))
            if i + 1 < len(names) and not closed:
                listed = sorted({*listed, names[i + 1]})
        gate = sf.StageGate()
        if draw(st.integers(0, 4)) == 0:
            gate = sf.StageGate(
                required_fields=["amount"],
                min_amount=draw(st.none() | st.just(sf.Money("500", "USD"))),
            )
        stage_list.append(
            sf.Stage(
                name,
                draw(PROBABILITIES),
                is_closed=closed,
                is_won=won,
                transitions=listed,
                gate=gate,
            )
        )
    try:
        return sf.SalesProcess(name="Random", stages=stage_list, settings=settings)
    except sf.ValidationError:
        from hypothesis import reject

        reject()


AMOUNTS = st.sampled_from(["100", "499.99", "500", "2500.00"]).map(lambda a: sf.Money(a, "USD"))


def move_streams(
    process: sf.SalesProcess, opportunity_ids: tuple[str, ...] = ("o1",)
) -> st.SearchStrategy[list[sf.Move]]:
    """Moves for a few opportunities: each opens with a move, then random moves (some to
    a stage the process lacks, some carrying amounts or close dates), interleaved."""
    return testing.move_streams(
        process,
        opportunity_ids=opportunity_ids,
        amounts=AMOUNTS,
        targets=st.sampled_from([*process.stage_names, "Nowhere"]),
    )


def moves() -> st.SearchStrategy[sf.Move]:
    return st.builds(
        sf.Move,
        NAMES.map(sf.OpportunityId),
        AWARE,
        NAMES,
        amount=st.none() | money(),
        close_date=st.none() | DATES,
        by=st.none() | NAMES,
        lost_reason=st.none() | NAMES,
        competitor=st.none() | NAMES,
    )


def activities() -> st.SearchStrategy[sf.Activity]:
    return st.builds(
        sf.Activity,
        id=NAMES.map(sf.ActivityId),
        opportunity_id=NAMES.map(sf.OpportunityId),
        kind=st.sampled_from(list(sf.ActivityKind)) | NAMES,
        at=AWARE,
        contact_id=st.none() | NAMES.map(sf.ContactId),
        owner=st.none() | NAMES,
        subject=OPTIONAL_TEXT,
        done=st.booleans(),
        due_date=st.none() | DATES,
    )


def stage_changes() -> st.SearchStrategy[sf.StageChange]:
    return st.builds(
        sf.StageChange,
        opportunity_id=NAMES.map(sf.OpportunityId),
        from_stage=NAMES,
        to_stage=NAMES,
        at=AWARE,
        by=st.none() | NAMES,
    )


# ------------------------------------------------------------ the buyer's side

LEVELS = st.integers(0, 5)


def concern_profiles() -> st.SearchStrategy[sf.ConcernProfile]:
    """Levels 0..5, at least one above zero."""
    levels = st.tuples(LEVELS, LEVELS, LEVELS, LEVELS).filter(any)
    return levels.map(lambda t: sf.ConcernProfile(needs=t[0], cost=t[1], proof=t[2], risk=t[3]))


def buying_phases(*, throughout: bool | None = False) -> st.SearchStrategy[sf.BuyingPhase]:
    return st.builds(
        sf.BuyingPhase,
        NAMES,
        description=OPTIONAL_TEXT,
        exit_criterion=st.none() | NAMES,
        relative_duration=st.none()
        | st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False),
        concerns=st.none() | concern_profiles(),
        runs_throughout=st.booleans() if throughout is None else st.just(throughout),
    )


@st.composite
def buyer_processes(
    draw: st.DrawFn, *, max_sequential: int = 4, linear: bool | None = None
) -> sf.BuyerProcess:
    """A valid buyer process: 1..max_sequential phases in sequence, plus (non-linear only)
    0..2 that run throughout, shuffled in."""
    is_linear = draw(st.booleans()) if linear is None else linear
    phases = draw(st.lists(buying_phases(), min_size=1, max_size=max_sequential))
    if not is_linear:
        extra = draw(st.lists(buying_phases(throughout=True), max_size=2))
        phases = draw(st.permutations(phases + extra))
    names = draw(st.lists(NAMES, min_size=len(phases), max_size=len(phases), unique=True))
    from attrs import evolve

    return sf.BuyerProcess(
        name=draw(NAMES),
        phases=[evolve(p, name=n) for p, n in zip(phases, names, strict=True)],
        linear=is_linear,
        description=draw(OPTIONAL_TEXT),
    )


BUYER_PRESETS = st.sampled_from(sorted(sf.presets.BUYER_PRESETS)).map(
    lambda name: sf.presets.BUYER_PRESETS[name]()
)
MAPPING_PRESETS = st.sampled_from(sorted(sf.presets.MAPPING_PRESETS)).map(
    lambda name: sf.presets.MAPPING_PRESETS[name]()
)


@st.composite
def mappings(draw: st.DrawFn, *, linear: bool | None = None) -> sf.ProcessMapping:
    """A valid mapping of a random seller process onto a random buyer process.

    Linear: stages cut into consecutive runs, one per phase, in order. Non-linear: each
    sequential phase gets at least one stage, the other stages any phase. Won stages are
    listed (with the final phase) or left implied.
    """
    seller = draw(processes() | PRESETS)
    opens = [s.name for s in seller.open_stages]
    buyer = draw(buyer_processes(max_sequential=min(4, len(opens)), linear=linear))
    sequential = [p.name for p in buyer.sequential_phases]
    if buyer.linear:
        cuts = (
            sorted(
                draw(
                    st.sets(
                        st.integers(1, len(opens) - 1),
                        min_size=len(sequential) - 1,
                        max_size=len(sequential) - 1,
                    )
                )
            )
            if len(sequential) > 1
            else []
        )
        bounds = [0, *cuts, len(opens)]
        phases = {
            stage: sequential[i]
            for i in range(len(sequential))
            for stage in opens[bounds[i] : bounds[i + 1]]
        }
    else:
        order = draw(st.permutations(range(len(opens))))
        phases = {opens[order[i]]: name for i, name in enumerate(sequential)}
        for stage in opens:
            if stage not in phases:
                phases[stage] = draw(st.sampled_from(buyer.phase_names))
    final = phases[opens[-1]]
    for stage in seller.won_stages:
        if draw(st.booleans()):
            phases[stage.name] = final
    return sf.ProcessMapping(seller, buyer, phases)


def qualification_elements() -> st.SearchStrategy[sf.QualificationElement]:
    return st.one_of(
        st.builds(
            sf.QualificationElement,
            NAMES,
            st.sampled_from([sf.QualificationStatus.UNKNOWN, sf.QualificationStatus.IDENTIFIED]),
            evidence=OPTIONAL_TEXT,
        ),
        st.builds(
            sf.QualificationElement,
            NAMES,
            st.just(sf.QualificationStatus.VALIDATED),
            evidence=NAMES,
        ),
    )


@st.composite
def scorecards(draw: st.DrawFn) -> sf.Scorecard:
    """A MEDDIC, MEDDPICC or custom scorecard with random statuses and evidence."""
    names = draw(
        st.sampled_from([sf.buyer.MEDDIC, sf.buyer.MEDDPICC])
        | st.lists(NAMES, min_size=1, max_size=5, unique=True).map(tuple)
    )
    from attrs import evolve

    elements = [evolve(draw(qualification_elements()), name=n) for n in names]
    return sf.Scorecard(framework=draw(NAMES), elements=elements)


def efforts(currency: st.SearchStrategy[str] = CURRENCIES) -> st.SearchStrategy[sf.Effort]:
    @st.composite
    def build(draw: st.DrawFn) -> sf.Effort:
        code = draw(currency)
        cost = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
        return sf.Effort(
            draw(NAMES),
            draw(st.decimals(min_value=0, max_value=200, places=1, allow_nan=False)),
            sf.Money(draw(cost), code),
            role=draw(
                st.none()
                | st.sampled_from(["account executive", "sales engineer", "architect", "legal"])
            ),
            travel=draw(st.none() | cost.map(lambda d: sf.Money(d, code))),
            on=draw(st.none() | DATES),
            note=draw(OPTIONAL_TEXT),
        )

    return build()


@st.composite
def buyer_opportunities(draw: st.DrawFn, process: sf.SalesProcess | None = None) -> sf.Opportunity:
    """An opportunity with the buyer's side filled in: initiation, warnings, scorecard, effort."""
    opp = draw(opportunities(process))
    opp.record_initiation(draw(st.none() | st.sampled_from(list(sf.Initiation))))
    for sign in draw(st.lists(st.sampled_from(list(sf.WarningSign)), max_size=4)):
        opp.flag_warning(sign)
    opp.set_qualification(draw(st.none() | scorecards()))
    code = draw(CURRENCIES)
    for effort in draw(st.lists(efforts(st.just(code)), max_size=3)):
        opp.record_effort(effort)
    return opp


WEIGHTS = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)


@st.composite
def fit_criteria(draw: st.DrawFn) -> sf.buyer.FitCriterion:
    """A fit criterion with a random weight and two to five evidence levels."""
    levels = draw(
        st.just(sf.buyer.fit.EVIDENCE_LEVELS)
        | st.lists(NAMES, min_size=2, max_size=5, unique=True).map(tuple)
    )
    return sf.buyer.FitCriterion(
        draw(NAMES), draw(WEIGHTS), levels, description=draw(st.none() | TEXT)
    )


@st.composite
def fit_profiles(draw: st.DrawFn) -> sf.buyer.FitProfile:
    """A fit profile: unique criteria (one with weight > 0) and a small matrix."""
    criteria = draw(st.lists(fit_criteria(), min_size=1, max_size=5, unique_by=lambda c: c.name))
    from attrs import evolve

    if not any(c.weight > 0 for c in criteria):
        criteria[0] = evolve(criteria[0], weight=draw(st.floats(min_value=0.01, max_value=10)))
    cells = draw(
        st.lists(
            st.builds(
                sf.buyer.MatrixCell,
                st.sampled_from(["Portal", "Intranet", "Commerce"]),
                st.sampled_from(["Banking", "Government", "Healthcare"]),
                st.sampled_from(list(sf.buyer.MatrixStrength)),
            ),
            max_size=6,
            unique_by=lambda c: (c.solution, c.industry),
        )
    )
    return sf.buyer.FitProfile(
        name=draw(NAMES), criteria=criteria, matrix=cells, matrix_weight=draw(WEIGHTS)
    )


@st.composite
def fit_evidence(draw: st.DrawFn, profile: sf.buyer.FitProfile) -> dict[str, str | int | None]:
    """Evidence for some of ``profile``'s criteria: a level's name, its index, or none."""
    evidence: dict[str, str | int | None] = {}
    for criterion in profile.criteria:
        choice = draw(st.integers(0, 3))
        level = draw(st.integers(0, len(criterion.levels) - 1))
        if choice == 1:
            evidence[criterion.name] = criterion.levels[level]
        elif choice == 2:
            evidence[criterion.name] = level
        elif choice == 3:
            evidence[criterion.name] = None
    return evidence


@st.composite
def fit_assessments(draw: st.DrawFn) -> sf.buyer.FitAssessment:
    """An assessment of random evidence against a random profile."""
    profile = draw(fit_profiles())
    return sf.buyer.assess_fit(
        profile,
        draw(fit_evidence(profile)),
        solution=draw(st.none() | st.sampled_from(["Portal", "Commerce", "CRM"])),
        industry=draw(st.none() | st.sampled_from(["Banking", "Government", "Retail"])),
    )


@st.composite
def account_priorities(draw: st.DrawFn) -> sf.AccountPriorities:
    """Prospects by fit: a few accounts, some with evidence and a solution, ranked."""
    profile = draw(fit_profiles())
    found = draw(st.lists(accounts(), max_size=5, unique_by=lambda a: a.id))
    for account in found:
        account.industry = draw(st.sampled_from([account.industry, "Banking", "Government"]))
    evidence = {a.id: draw(fit_evidence(profile)) for a in found if draw(st.booleans())}
    solutions = {
        a.id: draw(st.sampled_from(["Portal", "Commerce"])) for a in found if draw(st.booleans())
    }
    top = draw(st.none() | st.integers(1, 5))
    return sf.prioritise_accounts(
        found, profile=profile, evidence=evidence, solutions=solutions, top=top
    )


@st.composite
def priorities(draw: st.DrawFn) -> sf.Priorities:
    """A prioritised pipeline of candidates with or without an amount, with or without a fit."""
    from salesflow.buyer.priority import Candidate, rank

    count = draw(st.integers(0, 5))
    candidates = [
        Candidate(
            id=f"o{i}",
            name=draw(NAMES),
            stage=draw(NAMES),
            amount=draw(st.none() | st.integers(0, 10**7).map(lambda n: sf.Money(n, "EUR"))),
            probability=Decimal(draw(st.integers(0, 100))),
            fit=draw(st.none() | fit_assessments()),
        )
        for i in range(count)
    ]
    return rank(candidates, top=draw(st.none() | st.integers(1, 5)))


BUYER_OBJECTS = st.one_of(
    concern_profiles(),
    buying_phases(throughout=None),
    buyer_processes(),
    BUYER_PRESETS,
    mappings(),
    MAPPING_PRESETS,
    qualification_elements(),
    scorecards(),
    efforts(),
    buyer_opportunities(),
    fit_profiles(),
    fit_assessments(),
    account_priorities(),
    priorities(),
)
"""One object of any serialisable type of the buyer's side."""


# ------------------------------------------------------------------ leads

LEAD_PRESETS = st.sampled_from(list(sf.presets.LEAD_PRESETS.values())).map(lambda make: make())


@st.composite
def lead_processes(draw: st.DrawFn) -> sf.LeadProcess:
    """A lead process: a few open statuses (some qualified), converted and closed ones."""
    names = draw(st.lists(NAMES, min_size=3, max_size=7, unique=True))
    opened = draw(st.integers(1, len(names) - 2))
    qualified = draw(st.sets(st.integers(0, opened - 1), min_size=1))
    statuses = [
        sf.LeadStatus(name=n, qualified=i in qualified) for i, n in enumerate(names[:opened])
    ]
    converted = draw(st.integers(1, len(names) - opened))
    statuses += [
        sf.LeadStatus(name=n, is_closed=True, converted=i < converted)
        for i, n in enumerate(names[opened:])
    ]
    return sf.LeadProcess(name=draw(NAMES), statuses=statuses, description=draw(st.none() | TEXT))


@st.composite
def leads(
    draw: st.DrawFn, process: sf.LeadProcess | None = None, *, convert: bool | None = None
) -> sf.Lead:
    """A lead opened in a (random) lead process, moved a few times, perhaps converted."""
    proc = draw(lead_processes() | LEAD_PRESETS) if process is None else process
    created = draw(AWARE)
    lead = proc.open(
        name=draw(NAMES),
        status=draw(st.sampled_from([s.name for s in proc.open_statuses])),
        company=draw(st.none() | NAMES),
        source=draw(
            st.none() | st.sampled_from(["Web", "Trade Show", "Partner", "Phone Inquiry"])
        ),
        owner=draw(st.none() | st.sampled_from(["ana", "ben", "chloé"])),
        email=draw(OPTIONAL_TEXT),
        at=created,
        by=draw(st.none() | NAMES),
    )
    moves = [s.name for s in proc.statuses if not s.converted]
    when = created
    for _ in range(draw(st.integers(0, 3))):
        when = when + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)))
        proc.set_status(lead, draw(st.sampled_from(moves)), at=when)
    wanted = draw(st.booleans()) if convert is None else convert
    if wanted:
        qualified = [s.name for s in proc.statuses if s.qualified]
        when = when + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)))
        if lead.status not in qualified:
            proc.set_status(lead, draw(st.sampled_from(qualified)), at=when)
        account = None if lead.company else sf.Account(name=draw(NAMES))
        sf.convert(lead, proc, account=account, at=when)
    return lead


def lead_status_changes() -> st.SearchStrategy[sf.LeadStatusChange]:
    return st.builds(
        sf.LeadStatusChange,
        at=AWARE,
        status=NAMES,
        previous_status=st.none() | NAMES,
        by=st.none() | TEXT,
    )


LEAD_OBJECTS = st.one_of(
    lead_processes(),
    LEAD_PRESETS,
    leads(),
    lead_status_changes(),
    lead_processes().map(lambda p: p.statuses[0]),
)
"""One object of any serialisable lead type."""
SMALL_DECIMALS = st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False
)
"""Prices and quantities as people write them: up to four digits after the point."""


@st.composite
def installments(draw: st.DrawFn, currency: str = "USD") -> sf.Installment:
    revenue = draw(st.none() | SMALL_DECIMALS.map(lambda d: sf.Money(d, currency)))
    quantity = draw(SMALL_DECIMALS if revenue is None else st.none() | SMALL_DECIMALS)
    return sf.Installment(on=draw(DATES), revenue=revenue, quantity=quantity)


@st.composite
def line_items(draw: st.DrawFn, currency: st.SearchStrategy[str] = CURRENCIES) -> sf.LineItem:
    code = draw(currency)
    frequency = draw(st.none() | st.sampled_from(list(sf.BillingFrequency)))
    term = None if frequency is None else frequency.months * draw(st.integers(1, 10))
    return sf.LineItem(
        product=draw(NAMES),
        quantity=draw(SMALL_DECIMALS.filter(bool)),
        unit_price=sf.Money(draw(SMALL_DECIMALS), code),
        discount=draw(st.none() | st.decimals(0, 100, places=2)),
        list_price=draw(st.none() | SMALL_DECIMALS.map(lambda d: sf.Money(d, code))),
        product_family=draw(st.none() | NAMES),
        product_code=draw(OPTIONAL_TEXT),
        service_date=draw(st.none() | DATES),
        billing_frequency=frequency,
        term_months=term,
        schedule=draw(st.lists(installments(code), max_size=3)),
        id=draw(NAMES),
    )


@st.composite
def opportunities_with_lines(draw: st.DrawFn) -> sf.Opportunity:
    """An opportunity (any process, amounts from lines or not) with 0-4 lines in one currency."""
    opp = draw(opportunities())
    code = draw(CURRENCIES)
    lines = draw(
        st.lists(line_items(currency=st.just(code)), max_size=4, unique_by=lambda line: line.id)
    )
    opp.replace_line_items(lines, at=opp.created_at + timedelta(days=400))
    return opp


ANY_OBJECT = st.one_of(
    money(),
    line_items(),
    installments(),
    accounts(),
    contacts(),
    contact_roles(),
    stages(),
    gates(),
    process_settings(),
    processes(),
    PRESETS,
    history_entries(),
    opportunities(),
    moves(),
    stage_changes(),
    activities(),
    BUYER_OBJECTS,
    LEAD_OBJECTS,
)
"""One object of any public, serialisable salesflow type."""


# Plain-data documents of any shape, for the "never a foreign exception" properties.
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)


def _containers(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)


JSON_VALUES = st.recursive(JSON_LEAVES, _containers, max_leaves=12)


JSON_KEYS = st.sampled_from(["a", "b", "Amount", "Id", "name", "x.y", "é"])
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_KEYS, inner, max_size=3),
    max_leaves=12,
)
"""Any JSON document (objects with a few well-known keys), as Python values."""


RATE_DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
RATES = st.decimals(
    min_value=Decimal("0.0001"),
    max_value=Decimal("2000"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
).filter(lambda d: d > 0)
"""Exchange rates as a dated table gives them: positive, a few places (KRW per USD is ~1400)."""


RATE_CURRENCIES = st.sampled_from(["EUR", "GBP", "JPY"])


def dated_rate_rows(
    currencies: st.SearchStrategy[str] = RATE_CURRENCIES,
) -> st.SearchStrategy[list[tuple[str, date, Decimal]]]:
    """``(currency, valid_from, rate)`` rows for ``DatedRates``, one per currency and day."""
    return st.lists(
        st.tuples(currencies, RATE_DAYS, RATES),
        min_size=1,
        max_size=8,
        unique_by=lambda row: (row[0], row[1]),
    )


def fiscal_calendars() -> st.SearchStrategy[sf.FiscalCalendar]:
    """Standard (any start month, either naming) and week-based (any pattern, month, weekday, rule)."""
    standard = st.builds(
        sf.FiscalCalendar.standard,
        st.integers(1, 12),
        named_by=st.sampled_from(["end", "start"]),
    )
    weeks = st.builds(
        sf.FiscalCalendar.weeks,
        st.sampled_from(["4-4-5", "4-5-4", "5-4-4"]),
        end_month=st.integers(1, 12),
        week_start=st.integers(0, 6),
        rule=st.sampled_from(["last", "nearest"]),
        named_by=st.sampled_from(["end", "start"]),
    )
    return st.one_of(standard, weeks)


# ------------------------------------------------------- hostile Salesforce CSV exports

SF_OPPORTUNITY_COLUMNS = [
    "Id", "StageName", "CloseDate", "Name", "Amount", "CurrencyIsoCode", "CreatedDate",
    "Probability", "IsClosed", "IsWon", "ForecastCategoryName", "PushCount", "AccountId",
    "LastStageChangeDate", "OwnerId", "Description", "id", "Stage", "AMOUNT",
]  # fmt: skip
SF_HISTORY_COLUMNS = [
    "OpportunityId", "StageName", "CreatedDate", "Amount", "CurrencyIsoCode", "CloseDate",
    "PrevAmount", "PrevCloseDate", "Probability", "ForecastCategory", "CreatedById",
]  # fmt: skip
SF_CELLS = st.sampled_from(
    ["", " ", "006A", "006B", " 006A", "006C ", "Prospecting", "Closed Won", "Closed Lost",
     "Closed/Won", "Negotiation/Review", "Qualification", "100", "100.50", "-0", "1e3", ".5",
     "1.", "+7", "1_000", "٣", "NaN", "1e200", "12,5", "USD", "EUR", "usd", "US", "2026-03-31",
     "2026-02-30", "0000-01-01", "2026-3-1", "2026-03-31T12:00:00Z", "2026-01-01T00:00:00.000+0000",
     "2026-01-01 10:30", "2026-01-01T10:30:00.123456789-05:30", "2026-01-01T25:00:00Z",
     "2026-01-01T10:00:00+2400", "true", "FALSE", " yes", "maybe", "0", "55", "101", "Commit",
     "Closed", "Omitted", "pipeline", "x" * 130, 'say "hi"', "a,b", "line\nbreak", "crlf\r\nx",
     "ü€", "\u3000"]
)  # fmt: skip
"""Cells that break naive readers: odd numbers, dates, flags, stages, quotes, separators."""


_SF_GOOD: dict[str, st.SearchStrategy[str]] = {
    "id": st.sampled_from(["006A", "006B", "006C ", *(f"006{c}" for c in "DEFGHIJKLMNOPQ")]),
    "name": st.sampled_from(["Acme", "Initech renewal", "Ünïcode €"]),
    "stagename": st.sampled_from(sf.presets.salesforce_standard().stage_names),
    "stage": st.sampled_from(["Prospecting", "Closed Won", "Closed Lost"]),
    "amount": st.sampled_from(["100", "2500.125", "0.5", "-3", "", "1e2", "99999999.99"]),
    "prevamount": st.sampled_from(["", "80", "80.5"]),
    "currencyisocode": st.sampled_from(["USD", "EUR", ""]),
    "closedate": st.sampled_from(["2026-03-31", "2026-06-30T00:00:00Z", ""]),
    "prevclosedate": st.sampled_from(["2026-03-31", ""]),
    "createddate": st.sampled_from(
        ["2026-01-01T00:00:00.000+0000", "2026-02-01T10:00:00Z", "2026-01-15", "",
         "2026-01-02T03:04:05.5-0230"]
    ),
    "laststagechangedate": st.sampled_from(["", "2026-02-01T00:00:00Z"]),
    "probability": st.sampled_from(["", "10", "55.5", "100"]),
    "isclosed": st.sampled_from(["", "false", "true"]),
    "iswon": st.sampled_from(["", "false"]),
    "forecastcategoryname": st.sampled_from(["", "Pipeline", "Best Case", "Omitted"]),
    "forecastcategory": st.sampled_from(["", "Pipeline", "Commit"]),
    "pushcount": st.sampled_from(["", "0", "3"]),
    "accountid": st.sampled_from(["", "001X"]),
    "ownerid": st.sampled_from(["", "005A"]),
    "description": st.sampled_from(["", "multi\nline", 'with "quotes", and commas']),
    "createdbyid": st.sampled_from(["", "005B"]),
    # the exporters' own names (Columns.salesflow())
    "currency": st.sampled_from(["USD", "EUR", ""]),
    "close_date": st.sampled_from(["2026-03-31", "2026-06-30T00:00:00Z", ""]),
    "closed_on": st.sampled_from(["", "", "2026-03-15", "2026-02-30"]),
    "created_at": st.sampled_from(["2026-01-01T00:00:00.000+0000", "2026-02-01T10:00:00Z", ""]),
    "last_stage_change_at": st.sampled_from(["", "2026-02-01T00:00:00Z"]),
    "is_closed": st.sampled_from(["", "false", "true"]),
    "is_won": st.sampled_from(["", "false", "true"]),
    "forecast_category": st.sampled_from(["", "Pipeline", "Best Case", "Closed"]),
    "push_count": st.sampled_from(["", "0", "3"]),
    "account_id": st.sampled_from(["", "001X", " "]),
    "owner": st.sampled_from(["", "005A"]),
    "lost_reason": st.sampled_from(["", "", "Price", " "]),
    "competitor": st.sampled_from(["", "", "Globex"]),
    "process_name": st.sampled_from(["", "Salesforce standard", "Other"]),
    "at": st.sampled_from(["2026-01-01T00:00:00.000+0000", "2026-01-01T00:00:00Z", ""]),
    "sequence": st.sampled_from(["", "", "1", "2", "-1"]),
    "by": st.sampled_from(["", "005B"]),
    "previous_amount": st.sampled_from(["", "80", "80.5"]),
    "previous_close_date": st.sampled_from(["2026-03-31", ""]),
}  # fmt: skip
SF_GOOD = _SF_GOOD
"""Good cells of Salesforce's and salesflow's columns, by lower-cased column name."""

SALESFLOW_SNAPSHOT_COLUMNS = [
    "id", "stage", "close_date", "name", "amount", "currency", "created_at", "probability",
    "is_closed", "is_won", "forecast_category", "push_count", "account_id", "owner",
    "last_stage_change_at", "closed_on", "lost_reason", "competitor", "process_name", "type",
    "description", "ID",
]  # fmt: skip
SALESFLOW_HISTORY_COLUMNS = [
    "opportunity_id", "stage", "at", "amount", "currency", "close_date", "previous_amount",
    "previous_close_date", "probability", "forecast_category", "by", "owner", "sequence",
]  # fmt: skip


@st.composite
def salesforce_csv_files(
    draw: st.DrawFn,
    columns: list[str],
    *,
    ids: list[str] | None = None,
    max_rows: int = 6,
    good_cells: dict[str, st.SearchStrategy[str]] | None = None,
    hostile_cells: st.SearchStrategy[str] = SF_CELLS,
    leading: int = 3,
    good_weight: int = 7,
) -> bytes:
    """A Salesforce CSV export as bytes: odd headers, odd cells, and malformed lines.

    ``good_cells`` (by lower-cased column) and ``hostile_cells`` make it another CRM's;
    mostly the ``leading`` columns are in the header; a cell is good ``good_weight``
    times out of one more.
    """
    import csv
    import io

    header = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=10, unique=True))
    if draw(st.integers(0, 3)):  # mostly an export whose rows can be taken
        header = [c for c in columns[:leading] if c not in header] + header
    hostile = hostile_cells if ids is None else hostile_cells | st.sampled_from(ids)
    goods = _SF_GOOD if good_cells is None else good_cells

    def cell(column: str) -> st.SearchStrategy[str]:
        good = goods.get(column.casefold(), st.just(""))
        if column in ("OpportunityId", "opportunity_id") and ids is not None:
            good = st.sampled_from(ids)
        # (``one_of`` would not weigh a strategy repeated: it draws each distinct one alike)
        return st.integers(0, good_weight).flatmap(lambda i: good if i else hostile)

    row = st.tuples(*(cell(c) for c in header)).map(list)
    rows = draw(st.lists(row, max_size=max_rows))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
        [header, *rows]
    )
    data = out.getvalue().encode("utf-8")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # a few malformations, sometimes
        at = draw(st.integers(0, len(data)))
        piece = draw(
            st.sampled_from([b"\n", b"\n\n", b",", b'"', b"\r", b"\xff", b"x,y,z,w\n", b'"a"b'])
        )
        data = data[:at] + piece + data[at:]
    return data


HUBSPOT_COLUMNS = [
    "Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Pipeline",
    "Deal probability", "Currency", "Deal owner", "Closed Lost Reason",
    "hs_date_entered_appointmentscheduled", "hs_date_entered_qualifiedtobuy",
    "hs_date_entered_closedwon", "hs_date_entered_closedlost", "hs_v2_date_entered_closedwon",
    'Date entered "Contract sent (Sales Pipeline)"', "hs_date_entered_nosuchstage", "dealstage",
    "amount",
]  # fmt: skip
"""A HubSpot deals export's columns: labels and internal names, date-entered columns of every
spelling, one of an unknown stage, two of one stage, two names of one field, one in two cases."""

_ENTERED_CELLS = st.sampled_from(
    ["2026-01-01T00:00:00Z", "2026-02-01T10:00:00.000Z", "2026-01-15", "", "",
     "2026-03-01T00:00:00Z", "2026-01-01T00:00:00Z"]
)  # fmt: skip
HUBSPOT_GOOD: dict[str, st.SearchStrategy[str]] = {
    "record id": st.sampled_from(["101", "102", "103 ", *(str(n) for n in range(104, 115))]),
    "deal name": st.sampled_from(["Sneakers", "Boots renewal", "Ünïcode €"]),
    "deal stage": st.sampled_from(
        ["appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost", "Contract sent"]
    ),
    "dealstage": st.sampled_from(["closedwon", "presentationscheduled"]),
    "amount": st.sampled_from(["100", "2500.125", "0.5", "", "1e2"]),
    "close date": st.sampled_from(["2026-03-31", "2026-06-30T00:00:00Z", ""]),
    "create date": st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-15", ""]),
    "pipeline": st.sampled_from(["default", "default", "other", ""]),
    "deal probability": st.sampled_from(["", "0.2", "0.555", "1", "20", "1e-1"]),
    "currency": st.sampled_from(["USD", "EUR", ""]),
    "deal owner": st.sampled_from(["", "7"]),
    "closed lost reason": st.sampled_from(["", "", "Price", " "]),
    **{c.casefold(): _ENTERED_CELLS for c in HUBSPOT_COLUMNS if "entered" in c.casefold()},
}
HUBSPOT_CELLS = SF_CELLS | st.sampled_from(
    ["closedwon", "qualifiedtobuy", "0.2", "1.5", "default", "2026-01-01T00:00:00", "٣.5"]
)
