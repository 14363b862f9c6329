from __future__ import annotations

import copy
import decimal
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import salesflow as sf
from tests.strategies import DATES, PROBABILITIES, money, opportunities, processes

T0 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


def _opp(**kw: object) -> sf.Opportunity:
    process = sf.SalesProcess(
        name="P",
        stages=[sf.Stage("Talk", 20), sf.Stage("Won", 100, is_closed=True, is_won=True)],
        custom_roles=["Champion"],
    )
    args: dict[str, object] = {
        "name": "Deal",
        "close_date": date(2026, 12, 15),
        "amount": sf.Money("1000.00", "USD"),
        "at": T0,
    }
    args.update(kw)
    return process.open(**args)  # type: ignore[arg-type]


def _snapshot(opp: sf.Opportunity) -> dict[str, object]:
    return {a.name: copy.deepcopy(getattr(opp, a.name)) for a in attrs.fields(sf.Opportunity)}


def test_opening_records_a_first_history_entry_with_the_stage_defaults() -> None:
    opp = _opp()
    (entry,) = opp.history
    assert entry.stage == "Talk" and entry.probability == 20 and entry.at == T0
    assert entry.previous_amount is None and entry.previous_close_date is None
    assert opp.last_stage_change_at == opp.created_at == T0


def test_a_new_primary_contact_demotes_the_old_one() -> None:
    opp = _opp()
    opp.add_contact_role("lars", role=sf.Role.DECISION_MAKER, primary=True)
    opp.add_contact_role("aparna", role=sf.Role.INFLUENCER, primary=True)
    assert opp.primary_contact_id == "aparna"
    assert [r.primary for r in opp.contact_roles] == [False, True]


def test_the_same_contact_twice_in_the_same_role_is_refused() -> None:
    opp = _opp()
    opp.add_contact_role("lars", role="Decision Maker")
    with pytest.raises(sf.ContactRoleError, match="already has the role 'Decision Maker'"):
        opp.add_contact_role("lars", role=sf.Role.DECISION_MAKER)
    opp.add_contact_role("lars", role=sf.Role.ECONOMIC_BUYER)
    assert opp.roles_of("lars") == (sf.Role.DECISION_MAKER, sf.Role.ECONOMIC_BUYER)


def test_only_the_process_custom_roles_are_accepted_besides_the_standard_ones() -> None:
    opp = _opp()
    opp.add_contact_role("c1", role="Champion")
    with pytest.raises(sf.ContactRoleError, match="unknown role 'Coach'") as info:
        opp.add_contact_role("c2", role="Coach")
    assert info.value.contact_id == "c2" and info.value.opportunity_id == opp.id


def test_changing_and_removing_roles() -> None:
    opp = _opp()
    opp.add_contact_role("c1", role=sf.Role.EVALUATOR, primary=True)
    changed = opp.change_contact_role("c1", role=sf.Role.EVALUATOR, to="Champion")
    assert changed.role == "Champion" and changed.primary
    assert opp.remove_contact_role("c1") == (changed,)
    assert opp.contact_roles == () and opp.primary_contact_id is None
    with pytest.raises(sf.ContactRoleError, match="does not hold any role"):
        opp.remove_contact_role("c1")


def test_moving_the_close_date_to_a_later_month_is_a_push_and_earlier_never_undoes_it() -> None:
    opp = _opp(close_date=date(2026, 12, 15))
    opp.change_close_date(date(2026, 12, 31), at=T0)  # same month: not a push
    assert opp.push_count == 0
    opp.change_close_date(date(2027, 1, 2), at=T0)
    assert opp.push_count == 1
    opp.change_close_date(date(2026, 11, 1), at=T0)
    assert opp.push_count == 1
    opp.change_close_date(date(2027, 3, 1), at=T0)
    assert opp.push_count == 2
    assert opp.history[-1].previous_close_date == date(2026, 11, 1)


def test_changes_are_recorded_with_previous_values_time_and_author() -> None:
    opp = _opp()
    entry = opp.change_amount(sf.Money("1500.00", "USD"), at=T0 + timedelta(days=1), by="rep-7")
    assert entry is opp.history[-1]
    assert entry.amount == sf.Money("1500.00", "USD")
    assert entry.previous_amount == sf.Money("1000.00", "USD")
    assert entry.by == "rep-7" and entry.expected_revenue == sf.Money("300", "USD")


def test_an_unchanged_value_writes_no_history() -> None:
    opp = _opp()
    assert opp.change_amount(sf.Money("1000", "USD"), at=T0) is None
    assert opp.change_close_date(opp.close_date, at=T0) is None
    assert len(opp.history) == 1


def test_a_backdated_change_is_appended_and_a_naive_time_refused() -> None:
    opp = _opp()
    opp.set_probability(50, at=T0 - timedelta(days=1))
    assert opp.history[-1].at == T0 - timedelta(days=1)
    assert len(opp.history) == 2
    with pytest.raises(sf.ValidationError, match="timezone-aware"):
        opp.set_probability(50, at=datetime(2026, 11, 3))  # noqa: DTZ001
    assert opp.probability == 50


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stage", "Won"),
        ("probability", Decimal(5)),
        ("is_won", True),
        ("history", ()),
        ("push_count", 0),
    ],
)
def test_fields_that_change_through_verbs_cannot_be_assigned(field: str, value: object) -> None:
    opp = _opp()
    before = _snapshot(opp)
    with pytest.raises(sf.ReadOnlyFieldError, match=field):
        setattr(opp, field, value)
    assert _snapshot(opp) == before


@pytest.mark.parametrize("field", [a.name for a in attrs.fields(sf.Opportunity)])
def test_no_field_can_be_deleted_and_the_verbs_still_work_after_a_refused_delete(
    field: str,
) -> None:
    opp = _opp()
    before = _snapshot(opp)
    with pytest.raises(sf.ReadOnlyFieldError, match=f"{field!r} cannot be deleted"):
        delattr(opp, field)
    assert _snapshot(opp) == before
    opp.change_amount(sf.Money("1200.00", "USD"), at=T0 + timedelta(days=1))
    assert opp.history[-1].amount == sf.Money("1200.00", "USD")


@pytest.mark.parametrize(
    "entity",
    [sf.Account(name="Acme", id=sf.AccountId("a")), sf.Contact(name="Ann", id=sf.ContactId("c"))],
)
def test_account_and_contact_fields_cannot_be_deleted(entity: object) -> None:
    for a in attrs.fields(type(entity)):
        with pytest.raises(sf.ReadOnlyFieldError, match="cannot be deleted"):
            delattr(entity, a.name)
        assert getattr(entity, a.name) is not None or a.default is None


def test_ordinary_attributes_can_be_assigned_and_are_validated() -> None:
    opp = _opp()
    opp.next_step = "Send the quote"
    assert opp.next_step == "Send the quote"
    with pytest.raises(sf.ValidationError, match="at most 120 characters"):
        opp.name = "x" * 121
    assert opp.name == "Deal"


def test_a_won_opportunity_must_be_closed() -> None:
    opp = _opp()
    with pytest.raises(sf.ValidationError, match="won opportunity must be closed"):
        attrs.evolve(opp, is_won=True)


@given(opportunities())
def test_expected_revenue_is_amount_times_probability(opp: sf.Opportunity) -> None:
    if opp.amount is None:
        assert opp.expected_revenue is None
    else:
        wide = decimal.Context(prec=1000)
        exact = wide.scaleb(wide.multiply(opp.amount.amount, opp.probability), -2)
        assert opp.expected_revenue == sf.Money(exact, opp.amount.currency)


class OpportunityVerbs(RuleBasedStateMachine):
    """Random sequences of verbs, valid and invalid, on one opportunity."""

    @initialize(process=processes(), data=st.data())
    def open(self, process: sf.SalesProcess, data: st.DataObject) -> None:
        self.process = process
        self.now = T0
        self.opp = process.open(
            name="Deal",
            close_date=date(2026, 12, 15),
            stage=data.draw(st.sampled_from(process.stage_names)),
            amount=data.draw(st.none() | money()),
            at=self.now,
        )
        self.pushes = 0
        self.manual = False

    def _attempt(self, action: object, *args: object, **kwargs: object) -> object:
        before = _snapshot(self.opp)
        try:
            return action(*args, **kwargs)  # type: ignore[operator]
        except sf.SalesflowError as exc:
            note(f"refused: {exc}")
            assert _snapshot(self.opp) == before, "a refused verb changed the opportunity"
            return exc

    @rule(
        contact=st.sampled_from(["a", "b", "c"]),
        role=st.sampled_from([*sf.Role, "Champion", "Coach", "Nobody"]),
        primary=st.booleans(),
    )
    def add_role(self, contact: str, role: sf.RoleName, primary: bool) -> None:
        self._attempt(self.opp.add_contact_role, contact, role=role, primary=primary)

    @rule(
        contact=st.sampled_from(["a", "b", "c"]), role=st.none() | st.sampled_from(list(sf.Role))
    )
    def remove_role(self, contact: str, role: sf.Role | None) -> None:
        self._attempt(self.opp.remove_contact_role, contact, role=role)

    @rule(
        contact=st.sampled_from(["a", "b", "c"]),
        old=st.sampled_from(list(sf.Role)),
        new=st.sampled_from([*sf.Role, "Champion"]),
    )
    def change_role(self, contact: str, old: sf.Role, new: sf.RoleName) -> None:
        self._attempt(self.opp.change_contact_role, contact, role=old, to=new)

    @rule(contact=st.sampled_from(["a", "b", "c"]))
    def make_primary(self, contact: str) -> None:
        self._attempt(self.opp.set_primary_contact, contact)

    @rule(value=PROBABILITIES | st.sampled_from([-1, 101, 0.5, "x"]), step=st.integers(-1, 3))
    def set_probability(self, value: object, step: int) -> None:
        at = self.now + timedelta(hours=step)
        result = self._attempt(self.opp.set_probability, value, at=at)
        if not isinstance(result, Exception):
            self.manual = True
            self.now = max(self.now, at)

    @rule(amount=st.none() | money() | st.just("100"), step=st.integers(-1, 3))
    def change_amount(self, amount: object, step: int) -> None:
        at = self.now + timedelta(hours=step)
        result = self._attempt(self.opp.change_amount, amount, at=at)
        if not isinstance(result, Exception):
            self.now = max(self.now, at)

    @rule(day=DATES, step=st.integers(-1, 3))
    def change_close_date(self, day: date, step: int) -> None:
        at = self.now + timedelta(hours=step)
        before = self.opp.close_date
        result = self._attempt(self.opp.change_close_date, day, at=at)
        if not isinstance(result, Exception):
            self.now = max(self.now, at)
            if (day.year, day.month) > (before.year, before.month):
                self.pushes += 1

    @invariant()
    def at_most_one_primary_contact(self) -> None:
        assert sum(r.primary for r in self.opp.contact_roles) <= 1

    @invariant()
    def no_contact_holds_a_role_twice(self) -> None:
        pairs = [(r.contact_id, r.role) for r in self.opp.contact_roles]
        assert len(pairs) == len(set(pairs))

    @invariant()
    def every_role_is_standard_or_declared(self) -> None:
        for r in self.opp.contact_roles:
            assert isinstance(r.role, sf.Role) or r.role in self.process.custom_roles

    @invariant()
    def probability_is_a_percentage_and_its_source_is_known(self) -> None:
        assert 0 <= self.opp.probability <= 100
        expected = sf.ProbabilitySource.MANUAL if self.manual else sf.ProbabilitySource.STAGE
        assert self.opp.probability_source is expected

    @invariant()
    def pushes_are_counted_and_never_decrease(self) -> None:
        assert self.opp.push_count == self.pushes

    @invariant()
    def the_last_history_entry_matches_the_opportunity(self) -> None:
        last = self.opp.history[-1]
        assert (
            last.stage,
            last.amount,
            last.probability,
            last.close_date,
            last.forecast_category,
        ) == (
            self.opp.stage,
            self.opp.amount,
            self.opp.probability,
            self.opp.close_date,
            self.opp.forecast_category,
        )

    @invariant()
    def it_survives_a_round_trip(self) -> None:
        assert sf.loads(sf.dumps(self.opp), sf.Opportunity) == self.opp


TestOpportunityVerbs = OpportunityVerbs.TestCase


GARBAGE = st.sampled_from([None, 1.5, -1, True, "", "x", [], {}, b"b", object(), date(2026, 1, 1)])
VERBS = st.sampled_from(
    [
        ("add_contact_role", 1, ("role", "primary")),
        ("remove_contact_role", 1, ("role",)),
        ("change_contact_role", 1, ("role", "to")),
        ("set_primary_contact", 1, ("role",)),
        ("set_probability", 1, ("at", "by")),
        ("change_amount", 1, ("at", "by")),
        ("change_close_date", 1, ("at", "by")),
        ("confirm_fact", 1, ()),
        ("retract_fact", 1, ()),
    ]
)


@given(opportunities(), VERBS, st.data())
def test_a_verb_given_garbage_raises_a_salesflow_error_or_works_and_never_half_changes(
    opp: sf.Opportunity, verb: tuple[str, int, tuple[str, ...]], data: st.DataObject
) -> None:
    name, positional, keywords = verb
    args = [data.draw(GARBAGE) for _ in range(positional)]
    kwargs = {k: data.draw(GARBAGE) for k in keywords if data.draw(st.booleans())}
    if name in ("change_contact_role",):
        kwargs.setdefault("role", sf.Role.OTHER)
        kwargs.setdefault("to", sf.Role.OTHER)
    if name == "add_contact_role":
        kwargs.setdefault("role", sf.Role.OTHER)
    before = _snapshot(opp)
    try:
        getattr(opp, name)(*args, **kwargs)
    except sf.SalesflowError:
        assert _snapshot(opp) == before
    else:  # whatever was accepted keeps the opportunity valid
        assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp
