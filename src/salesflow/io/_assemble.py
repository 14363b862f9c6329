"""Turning source records of every kind into an :class:`ImportResult`.

Importers differ in how they read files and name fields; they all hand this
module :class:`Record` s and a table of field names per kind. Accounts and
contacts are read first, then history and contact roles, then the
opportunities they belong to; a history row or contact role whose
opportunity was not imported is refused with that reason. Opportunities,
accounts or contacts that give one id are all refused (see
:mod:`salesflow.io._repeated_ids`), opportunities with their history rows and
contact roles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from typing import Any

import attrs

from salesflow.account import Account
from salesflow.activity import Activity
from salesflow.contact import Contact
from salesflow.errors import ContactRoleError, Problem, ValidationError
from salesflow.history import HistoryEntry
from salesflow.ids import OpportunityId
from salesflow.io._build import build_history, build_opportunity
from salesflow.io._cells import Cells, Options
from salesflow.io._progress import EVERY, tell
from salesflow.io._repeated_ids import id_key, same_ids, twice
from salesflow.io._values import read_bool, read_date
from salesflow.io.result import ImportResult, Note, Refusal
from salesflow.opportunity import Opportunity

__all__ = ["Record", "Table", "assemble"]

Table = Mapping[str, Sequence[str]]
"""salesflow field → the source's names for it, in order of preference."""

ID_FIELDS = frozenset({"id", "account_id", "contact_id", "opportunity_id"})


@attrs.define
class Record:
    """One source record: where it is, its fields keyed by lower-cased name."""

    source: str
    kind: str
    number: int
    data: dict[str, Any]
    spelled: dict[str, str]
    problems: list[Problem] = attrs.Factory(list)
    ref: str | None = None
    default_kind: str = "task"

    def cells(
        self, table: Table, refs: set[str] | None = None, refused: Set[str] = frozenset()
    ) -> Cells:
        """The record's values under salesflow's names, ``@references`` resolved.

        A reference to a record in ``refused`` is a problem: that record was not imported.
        """
        values: dict[str, object] = {}
        where: dict[str, str] = {}
        for field, names in table.items():
            for name in names:
                key = name.casefold()
                if key in self.data:
                    values[field] = self.data[key]
                    where[field] = self.spelled.get(key, name)
                    break
        if self.ref is not None and "id" not in values:
            values["id"] = self.ref
            where["id"] = "attributes.referenceId"
        cells = Cells(values, where)
        cells.problems.extend(self.problems)
        for field in ID_FIELDS & values.keys():
            value = values[field]
            if refs is not None and isinstance(value, str) and value.startswith("@"):
                if value[1:] in refused:
                    cells.problem(field, f"reference {value!r} names a record that was refused")
                elif value[1:] in refs:
                    values[field] = value[1:]
                else:
                    cells.problem(field, f"reference {value!r} names no record in the files read")
        return cells

    def refusal(self, problems: Iterable[Problem], ident: object = None) -> Refusal:
        """This record, refused for ``problems``."""
        return Refusal(
            source=self.source,
            kind=self.kind,
            record=self.number,
            id=ident if isinstance(ident, str) and ident else self.ref,
            problems=tuple(problems),
        )


class _Run:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.refused: list[Refusal] = []
        self.notes: list[Note] = []
        self.read: dict[str, int] = defaultdict(int)
        self.taken: dict[str, int] = defaultdict(int)
        self.refused_refs: set[str] = set()

    def count(self, record: Record) -> None:
        self.read[record.kind] += 1

    def refuse(self, record: Record, problems: Iterable[Problem], ident: object = None) -> None:
        self.refused.append(record.refusal(problems, ident))
        if record.ref is not None:
            self.refused_refs.add(record.ref)


def _simple(
    run: _Run, records: Iterable[Record], table: Table, refs: set[str] | None, cls: type[Any]
) -> list[Any]:
    """Accounts or contacts; every one of an id that several give is refused."""
    read_in = [(record, record.cells(table, refs, run.refused_refs)) for record in records]
    repeated = same_ids((id_key(cells.values.get("id")), record) for record, cells in read_in)
    built = []
    for record, cells in read_in:
        run.count(record)
        values = {f: cells.text(f) for f in table if f not in ("first_name", "last_name")}
        if cls is Contact and values.get("name") is None:
            parts = [cells.text("first_name"), cells.text("last_name")]
            values["name"] = " ".join(p for p in parts if p) or None
        key = id_key(cells.values.get("id"))
        held = None if key is None else repeated.get(key)
        first = [] if key is None or held is None else [twice(key, record, held, cells.path("id"))]
        made = None
        if not cells.problems:
            try:
                made = cls(**{k: v for k, v in values.items() if v is not None or k != "id"})
            except ValidationError as exc:
                cells.adopt(exc)
        if made is None or first:
            run.refuse(record, [*first, *cells.problems], values.get("id"))
            continue
        built.append(made)
        run.taken[record.kind] += 1
    return built


def assemble(
    options: Options,
    *,
    opportunities: Iterable[Record],
    tables: Mapping[str, Table],
    accounts: Iterable[Record] = (),
    contacts: Iterable[Record] = (),
    history: Iterable[Record] = (),
    contact_roles: Iterable[Record] = (),
    activities: Iterable[Record] = (),
    refs: set[str] | None = None,
    default_id: Callable[[Record], str],
) -> ImportResult:
    """Build everything, refusing record by record; see the module's docstring."""
    run = _Run(options)
    known = refs
    built_accounts = _simple(run, accounts, tables["Account"], known, Account)
    built_contacts = _simple(run, contacts, tables["Contact"], known, Contact)
    pending: dict[str, list[tuple[Record, Cells]]] = defaultdict(list)
    for record in history:
        run.count(record)
        cells = record.cells(tables["OpportunityHistory"], known)
        opp_id = cells.text("opportunity_id")
        if opp_id is None:
            cells.problem("opportunity_id", "no opportunity id")
            run.refuse(record, cells.problems)
        else:
            pending[opp_id].append((record, cells))
    roles: dict[str, list[tuple[Record, Cells]]] = defaultdict(list)
    for record in contact_roles:
        run.count(record)
        cells = record.cells(tables["OpportunityContactRole"], known)
        opp_id = cells.text("opportunity_id")
        if opp_id is None:
            cells.problem("opportunity_id", "no opportunity id")
            run.refuse(record, cells.problems)
        else:
            roles[opp_id].append((record, cells))
    built: list[Opportunity] = []
    read_in = [
        (record, record.cells(tables["Opportunity"], known, run.refused_refs))
        for record in opportunities
    ]
    repeated = same_ids(
        (id_key(cells.values.get("id", default_id(record))), record) for record, cells in read_in
    )
    tell("building opportunities", 0, len(read_in))
    for done, (record, cells) in enumerate(read_in, start=1):
        if not done % EVERY:
            tell("building opportunities", done, len(read_in))
        run.count(record)
        fallback = default_id(record)
        ident = cells.values.get("id", fallback)
        key = id_key(ident)
        held = None if key is None else repeated.get(key)
        if key is not None and held is not None:
            _refuse_repeated(run, record, cells, key=key, held=held, fallback=fallback)
            gone = Problem(f"its opportunity {key} is on more than one record", "$")
            for other, _ in [*pending.pop(str(ident), []), *roles.pop(str(ident), [])]:
                run.refuse(other, [gone])
            continue
        currency = cells.values.get("currency")
        mine = _history(
            run,
            pending.pop(str(ident), []),
            options,
            currency if isinstance(currency, str) else None,
        )
        notes: list[Note] = []
        opp = build_opportunity(
            cells,
            options,
            default_id=fallback,
            history=tuple(e for _, e in mine),
            notes=notes,
            source=record.source,
            record=record.number,
        )
        if opp is None:
            run.refuse(record, cells.problems, ident)
            for other, _ in mine:
                run.refuse(other, [Problem(f"its opportunity {ident} was refused", "$")])
            continue
        run.notes.extend(notes)
        run.taken[record.kind] += 1
        run.taken["OpportunityHistory"] += len(mine)
        _add_roles(run, opp, roles.pop(opp.id, []))
        built.append(opp)
    tell("building opportunities", len(read_in), len(read_in))
    for opp_id, pairs in pending.items():
        for record, _ in pairs:
            run.refuse(record, [Problem(f"no opportunity {opp_id} was imported", "$")])
    for opp_id, role_pairs in roles.items():
        for record, _ in role_pairs:
            run.refuse(record, [Problem(f"no opportunity {opp_id} was imported", "$")])
    taken_ids: set[str] = {str(o.id) for o in built}
    built_activities = [
        a
        for record in activities
        if (a := _activity(run, record, tables[record.kind], known, taken_ids)) is not None
    ]
    return ImportResult(
        opportunities=tuple(built),
        activities=tuple(built_activities),
        accounts=tuple(built_accounts),
        contacts=tuple(built_contacts),
        refused=tuple(run.refused),
        notes=tuple(run.notes),
        read=run.read,
        taken=run.taken,
    )


def _refuse_repeated(
    run: _Run, record: Record, cells: Cells, *, key: str, held: list[Record], fallback: str
) -> None:
    """Refuse an opportunity whose id other records hold too, with its other problems."""
    first = twice(key, record, held, cells.path("id"))
    # Built only to find what else is wrong with it: nothing of it is kept.
    build_opportunity(
        cells,
        run.options,
        default_id=fallback,
        notes=[],
        source=record.source,
        record=record.number,
    )
    run.refuse(record, [first, *cells.problems], cells.values.get("id", fallback))


def _history(
    run: _Run, pairs: list[tuple[Record, Cells]], options: Options, currency: str | None
) -> list[tuple[Record, HistoryEntry]]:
    """Build one opportunity's history rows (in its currency), refusing bad ones."""
    built = []
    for position, (record, cells) in enumerate(pairs):
        sequence, entry = build_history(cells, options, currency=currency or None)
        if entry is None:
            run.refuse(record, cells.problems)
        else:  # rows at one instant: by their sequence when given, else in file order
            built.append((entry.at, -1 if sequence is None else sequence, position, record, entry))
    return [(record, entry) for *_, record, entry in sorted(built, key=lambda b: b[:3])]


def _activity(
    run: _Run, record: Record, table: Table, refs: set[str] | None, opportunities: set[str]
) -> Activity | None:
    """One Task or Event as an activity of an imported opportunity, or refused."""
    run.count(record)
    options = run.options
    cells = record.cells(table, refs)
    ident = cells.text("id")
    opp_id = cells.text("opportunity_id")
    if opp_id is None:
        cells.problem("opportunity_id", "no opportunity id (salesflow keeps deal activities)")
    elif opp_id not in opportunities:
        cells.problem("opportunity_id", f"no opportunity {opp_id} was imported")
    at = cells.when("at", options.zone)
    if at is None and cells.values.get("at") in (None, ""):
        cells.problem("at", "no time")
    kind = cells.text("kind") or record.default_kind
    done = cells.read("done", read_bool)
    values: dict[str, Any] = {
        "contact_id": cells.text("contact_id"),
        "owner": cells.text("owner"),
        "subject": cells.text("subject"),
        "due_date": cells.read("due_date", read_date),
    }
    if ident is not None:
        values["id"] = ident
    if done is not None:
        values["done"] = done
    if cells.problems or opp_id is None or at is None:
        run.refuse(record, cells.problems, ident)
        return None
    try:
        activity = Activity(opportunity_id=OpportunityId(opp_id), kind=kind, at=at, **values)
    except ValidationError as exc:
        cells.adopt(exc)
        run.refuse(record, cells.problems, ident)
        return None
    run.taken[record.kind] += 1
    return activity


def _add_roles(run: _Run, opp: Opportunity, pairs: list[tuple[Record, Cells]]) -> None:
    for record, cells in pairs:
        contact = cells.text("contact_id")
        role = cells.text("role")
        primary = cells.read("primary", read_bool) or False
        if contact is None:
            cells.problem("contact_id", "no contact id")
        # No role is legal (Salesforce's Role is optional): kept as role None, never guessed.
        if primary and opp.primary_contact_id is not None:
            cells.problem("primary", f"opportunity {opp.id} already has a primary contact")
        if not cells.problems and contact is not None:
            try:
                opp.add_contact_role(contact, role=role, primary=primary)
            except (ContactRoleError, ValidationError) as exc:
                cells.problem("role", str(exc).splitlines()[0])
        if cells.problems:
            run.refuse(record, cells.problems)
        else:
            run.taken[record.kind] += 1
