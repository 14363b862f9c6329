"""Converting a qualified lead into an account, a contact and optionally an opportunity."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Literal

import attrs

from salesflow._html import table_html
from salesflow._locks import exclusive
from salesflow.account import Account
from salesflow.contact import Contact
from salesflow.errors import LeadConversionError, SalesflowError, shorten
from salesflow.lead import Lead
from salesflow.lead_process import LeadProcess, when_problems
from salesflow.money import Money
from salesflow.opportunity import MAX_NAME_LENGTH, Opportunity
from salesflow.process import SalesProcess

__all__ = ["Conversion", "convert"]

_set = object.__setattr__


@attrs.frozen(kw_only=True)
class Conversion:
    """What converting a lead made or linked (see :func:`convert`).

    Attributes:
        lead: The lead, now converted.
        at: When it was converted.
        account: The account it became (created, or the one given).
        contact: The contact it became (created, or the one given).
        opportunity: The opportunity (created, linked) or ``None``.
        created: What the conversion created, among ``"account"``,
            ``"contact"`` and ``"opportunity"``; the others were linked.
    """

    lead: Lead
    at: datetime
    account: Account
    contact: Contact
    opportunity: Opportunity | None
    created: tuple[str, ...]

    def _repr_html_(self) -> str:
        body = [
            (what, getattr(obj, "id", None), getattr(obj, "name", None), made)
            for what, obj, made in (
                ("account", self.account, "account" in self.created),
                ("contact", self.contact, "contact" in self.created),
                ("opportunity", self.opportunity, "opportunity" in self.created),
            )
            if obj is not None
        ]
        names = ["record", "id", "name", "created"]
        return table_html(f"Conversion of lead {self.lead.id}", names, body)


def _elsewhere(what: str, ident: str, theirs: str | None, ours: str | None) -> str:
    if ours is None:
        return f"{what} {ident} is at account {theirs}: pass account= (that account)"
    return f"{what} {ident} is at account {theirs}, not {ours}"


def _reasons(
    lead: Lead,
    process: LeadProcess,
    account: object,
    contact: object,
    opportunity: object,
    sales_process: object,
    close_date: object,
    status: str | None,
) -> list[str]:
    """Every reason to refuse the conversion (empty: it may go ahead)."""
    reasons = process.foreign(lead)
    if lead.is_converted:
        reasons.append(
            f"it was already converted on {lead.converted_at:%Y-%m-%d} "
            f"(into account {lead.converted_account_id})"
        )
    elif lead.status in process and not process.status(lead.status).qualified:
        qualified = ", ".join(repr(s.name) for s in process.statuses if s.qualified)
        reasons.append(
            f"its status {lead.status!r} is not qualified; qualify it first ({qualified})"
        )
    if status is not None and (status not in process or not process.status(status).converted):
        known = ", ".join(repr(s.name) for s in process.converted_statuses)
        reasons.append(f"status {shorten(status)} is not a converted status ({known})")
    if account is not None and not isinstance(account, Account):
        reasons.append(f"account= must be an Account, got {type(account).__name__}")
    if account is None and (lead.company is None or not lead.company.strip()):
        reasons.append("it has no company to name a new account: pass account=")
    account_id = account.id if isinstance(account, Account) else None
    if contact is not None:
        if not isinstance(contact, Contact):
            reasons.append(f"contact= must be a Contact, got {type(contact).__name__}")
        elif contact.account_id not in (None, account_id):
            reasons.append(_elsewhere("contact", contact.id, contact.account_id, account_id))
    if opportunity == "create":
        if not isinstance(sales_process, SalesProcess):
            reasons.append("opportunity='create' needs sales_process=SalesProcess")
        if not isinstance(close_date, date) or isinstance(close_date, datetime):
            reasons.append("opportunity='create' needs close_date= (a date)")
    elif isinstance(opportunity, Opportunity):
        if opportunity.account_id not in (None, account_id):
            reasons.append(
                _elsewhere("opportunity", opportunity.id, opportunity.account_id, account_id)
            )
    elif opportunity is not None:
        reasons.append(
            f"opportunity= must be None, 'create' or an Opportunity, got {shorten(opportunity)}"
        )
    return reasons


def convert(
    lead: Lead,
    process: LeadProcess,
    *,
    account: Account | None = None,
    contact: Contact | None = None,
    opportunity: Opportunity | Literal["create"] | None = None,
    sales_process: SalesProcess | None = None,
    close_date: date | None = None,
    amount: Money | None = None,
    stage: str | None = None,
    opportunity_name: str | None = None,
    status: str | None = None,
    at: datetime | None = None,
    by: str | None = None,
) -> Conversion:
    """Convert a qualified lead, as Salesforce's Convert button does.

    The lead becomes an account (``account=``, or a new one named after its
    company), a contact (``contact=``, or a new one with its name, title,
    email and phone) and, optionally, an opportunity (``opportunity=`` an
    existing one, or ``"create"`` to open one in ``sales_process``). It is
    recorded on both sides: the lead gets its conversion time, the converted
    ids and a converted status (with a history entry); the contact is placed
    at the account; the opportunity gets the account (if it had none), the
    lead's source (if it had none) and the contact as its primary contact
    role (if the contact had no role in it; primary only if no contact was).

    Every check is made before anything changes: a refused conversion leaves
    the lead, account, contact and opportunity exactly as they were.
    Converting a converted lead is refused, so converting twice is safe.

    Args:
        lead: The lead.
        process: Its lead process (which statuses are qualified and converted).
        account: An existing account to link (default: create one).
        contact: An existing contact to link (default: create one).
        opportunity: ``None`` (no opportunity, allowed as in Salesforce), an
            existing :class:`~salesflow.Opportunity`, or ``"create"``.
        sales_process: The process a created opportunity opens in.
        close_date: A created opportunity's close date.
        amount: A created opportunity's amount.
        stage: A created opportunity's stage (default: the first open stage).
        opportunity_name: A created opportunity's name (default: the company's).
        status: The converted status to set (default: the process's first).
        at: When (default: now); timezone-aware, not before the lead's creation.
        by: Who converted it.

    Returns:
        A :class:`Conversion` naming what was created and what was linked.

    Raises:
        LeadConversionError: Every reason it was refused (not qualified,
            already converted, an account or opportunity of another account,
            ...); nothing changed.

    >>> import salesflow as sf
    >>> from datetime import date, datetime, timezone
    >>> leads = sf.presets.salesforce_leads()
    >>> t0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> lead = leads.open(name="Lars Johnson", company="Get Cloudy West", id="l-1", at=t0)
    >>> done = sf.convert(lead, leads, opportunity="create",
    ...     sales_process=sf.presets.salesforce_standard(), close_date=date(2026, 6, 30),
    ...     at=datetime(2026, 3, 9, tzinfo=timezone.utc))
    >>> lead.status, lead.converted_opportunity_id == done.opportunity.id, done.created
    ('Closed - Converted', True, ('account', 'contact', 'opportunity'))
    >>> sf.convert(lead, leads)
    Traceback (most recent call last):
    ...
    salesflow.errors.LeadConversionError: cannot convert lead l-1: it was already converted on 2026-03-09 (into account ...)
    """
    if not isinstance(lead, Lead):
        raise LeadConversionError(
            lead_id=shorten(lead), reasons=[f"expected a Lead, got {type(lead).__name__}"]
        )
    if not isinstance(process, LeadProcess):
        raise LeadConversionError(
            lead_id=lead.id,
            reasons=[f"process must be a LeadProcess, got {type(process).__name__}"],
        )
    held = {id(lock): lock for lock in map(exclusive, (lead, contact, opportunity))}
    locks = [held[key] for key in sorted(held)]  # one order: no two callers wait on each other
    for lock in locks:
        lock.acquire()
    try:
        when = datetime.now(timezone.utc) if at is None else at
        reasons = _reasons(
            lead, process, account, contact, opportunity, sales_process, close_date, status
        )
        reasons.extend(when_problems(when, by, lead))
        if reasons:
            raise LeadConversionError(lead_id=lead.id, reasons=reasons)
        return _commit(
            lead,
            process,
            account=account,
            contact=contact,
            opportunity=opportunity,
            sales_process=sales_process,
            close_date=close_date,
            amount=amount,
            stage=stage,
            opportunity_name=opportunity_name,
            status=status,
            at=when,
            by=by,
        )
    finally:
        for lock in reversed(locks):
            lock.release()


def _commit(
    lead: Lead,
    process: LeadProcess,
    *,
    account: Account | None,
    contact: Contact | None,
    opportunity: Opportunity | Literal["create"] | None,
    sales_process: SalesProcess | None,
    close_date: date | None,
    amount: Money | None,
    stage: str | None,
    opportunity_name: str | None,
    status: str | None,
    at: datetime,
    by: str | None,
) -> Conversion:
    created = []
    try:  # build what is new first: a refusal here changes nothing either
        if account is None:
            account = Account(name=(lead.company or "").strip())
            created.append("account")
        if contact is None:
            contact = Contact(
                name=lead.name,
                account_id=account.id,
                title=lead.title,
                email=lead.email,
                phone=lead.phone,
            )
            created.append("contact")
        if opportunity == "create":
            assert sales_process is not None and close_date is not None  # checked
            name = opportunity_name or (lead.company or lead.name).strip()[:MAX_NAME_LENGTH]
            opportunity = sales_process.open(
                name=name,
                close_date=close_date,
                stage=stage,
                amount=amount,
                account_id=account.id,
                at=at,
                by=by,
                owner=lead.owner,
                lead_source=lead.source,
            )
            created.append("opportunity")
    except SalesflowError as exc:
        raise LeadConversionError(lead_id=lead.id, reasons=[str(exc)]) from exc
    assert not isinstance(opportunity, str)
    # Everything below cannot fail: the checks above made sure of it.
    if contact.account_id is None:
        contact.account_id = account.id
    if opportunity is not None:
        if opportunity.account_id is None:
            opportunity.account_id = account.id
        if opportunity.lead_source is None:
            opportunity.lead_source = lead.source
        if not opportunity.roles_of(contact.id):
            primary = opportunity.primary_contact_id is None
            opportunity.add_contact_role(contact.id, role=None, primary=primary)
    chosen = process.converted_status.name if status is None else status
    lead._record(
        chosen,
        at,
        by,
        {
            "converted_at": at,
            "converted_account_id": account.id,
            "converted_contact_id": contact.id,
            "converted_opportunity_id": None if opportunity is None else opportunity.id,
        },
    )
    return Conversion(
        lead=lead,
        at=at,
        account=account,
        contact=contact,
        opportunity=opportunity,
        created=tuple(created),
    )
