"""The ``salesflow`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime, timezone

import salesflow as sf
from salesflow.errors import SalesflowError

__all__ = ["main"]


def _describe(opp: sf.Opportunity) -> str:
    lines = [
        f"Opportunity  {opp.name}",
        f"  stage        {opp.stage}  ({opp.forecast_category.value}"
        f"{', closed' if opp.is_closed else ''}{', won' if opp.is_won else ''})",
        f"  amount       {opp.amount if opp.amount is not None else '-'}",
        f"  probability  {opp.probability} %  ({opp.probability_source.value})",
        f"  expected     {opp.expected_revenue if opp.expected_revenue is not None else '-'}",
        f"  close date   {opp.close_date.isoformat()}  (pushed {opp.push_count}x)",
        "  contacts",
    ]
    for role in opp.contact_roles:
        star = " (primary)" if role.primary else ""
        lines.append(f"    {role.contact_id}  {role.label}{star}")
    lines.append("  history")
    for entry in opp.history:
        amount = entry.amount if entry.amount is not None else "-"
        lines.append(
            f"    {entry.at:%Y-%m-%d %H:%M}  {entry.stage:<22} {entry.probability:>5} %  "
            f"{amount}  close {entry.close_date.isoformat()}"
        )
    return "\n".join(lines)


def demo() -> str:
    """Walk the quick-start scenario and return what it prints."""
    process = sf.presets.salesforce_standard()
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    account = sf.Account(name="Get Cloudy West")
    lars = sf.Contact(name="Lars Johnson", account_id=account.id, id=sf.ContactId("lars"))
    aparna = sf.Contact(name="Aparna", account_id=account.id, id=sf.ContactId("aparna"))
    opp = process.open(
        name="Get Cloudy West - 35 Custom Sneakers",
        account_id=account.id,
        amount=sf.Money("4200.00", "USD"),
        close_date=date(2026, 12, 15),
        stage="Needs Analysis",
        at=start,
        by="rep-7",
    )
    opp.add_contact_role(lars.id, role=sf.Role.DECISION_MAKER, primary=True)
    opp.add_contact_role(aparna.id, role=sf.Role.INFLUENCER)
    opp.set_probability(35, at=start.replace(day=5), by="rep-7")
    opp.change_amount(sf.Money("5100.00", "USD"), at=start.replace(day=9), by="rep-7")
    opp.change_close_date(date(2027, 1, 20), at=start.replace(day=16), by="rep-7")
    process.move(opp, "Proposal/Price Quote", at=start.replace(day=23), by="rep-7")
    refused = process.check_move(opp, "Prospecting")
    process.move(opp, "Negotiation/Review", at=start.replace(day=30), by="rep-7")
    process.move(opp, "Closed Won", at=datetime(2027, 1, 18, 15, tzinfo=timezone.utc), by="rep-7")
    after_close = process.check_move(opp, "Prospecting")
    mapping = sf.presets.salesforce_liferay_mapping()
    buyer = []
    for name in ("Needs Analysis", "Proposal/Price Quote", "Negotiation/Review"):
        phase = mapping.phase_of(name)
        concern = phase.dominant_concern.value if phase.dominant_concern else "-"
        buyer.append(f"  {name:<22} buyer in {phase.name:<22} concerned most with {concern}")
    out = [
        f"Process: {process.name} ({len(process.stages)} stages)",
        "",
        _describe(opp),
        "",
        f"Moving back to Prospecting from Proposal/Price Quote: {refused if refused else 'allowed'}",
        f"Moving back to Prospecting after the win: refused, {after_close[0]}",
        "",
        "The buyer's side (salesflow's mapping of Salesforce stages to Liferay's buying phases):",
        *buyer,
        "",
        "Round trip through JSON: "
        + ("equal" if sf.loads(sf.dumps(opp), sf.Opportunity) == opp else "DIFFERENT"),
    ]
    return "\n".join(out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesflow", description="Model B2B sales processes and inspect pipelines."
    )
    parser.add_argument("--version", action="version", version=f"salesflow {sf.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("demo", help="walk through an example opportunity")
    show = commands.add_parser("process", help="check a sales process file and list its stages")
    show.add_argument("path", help="a .json, .toml, .yaml or .yml process definition")
    show.add_argument(
        "--mermaid", action="store_true", help="print a Mermaid state diagram of the allowed moves"
    )
    return parser


def _show_process(path: str, *, mermaid: bool = False) -> str:
    process = sf.SalesProcess.from_file(path)
    if mermaid:
        return process.to_mermaid().rstrip("\n")
    s = process.settings
    rules = [
        f"policy {s.policy.value}",
        "skipping allowed" if s.allow_skip else "no skipping",
        "backward moves allowed" if s.allow_backward else "no backward moves",
        "reopening allowed" if s.allow_reopen else "closed stages are terminal",
    ]
    lines = [f"{process.name}: {len(process.stages)} stages; {', '.join(rules)}"]
    table = process.transition_table
    for position, stage in enumerate(process.stages):
        flags = "won" if stage.is_won else "lost" if stage.is_closed else "open"
        lines.append(
            f"  {stage.order:>2}. {stage.name:<28} {stage.probability:>5} %  "
            f"{stage.forecast_category.value:<12} {flags}"
        )
        moves = table.targets(position)
        lines.append(f"      moves to: {', '.join(moves) if moves else '(none)'}")
        if not stage.gate.is_empty:
            lines.append(f"      gate: {_gate_summary(stage.gate)}")
    return "\n".join(lines)


def _gate_summary(gate: sf.StageGate) -> str:
    parts = [*gate.required_fields]
    if gate.primary_contact:
        parts.append("a primary contact")
    parts += [f"role {role.value if isinstance(role, sf.Role) else role}" for role in gate.roles]
    if gate.min_amount is not None:
        parts.append(f"at least {gate.min_amount}")
    parts += [f"confirmed {fact!r}" for fact in gate.confirmed]
    parts += [f"validated {element}" for element in gate.qualified]
    parts += [f"check {name!r}" for name in gate.checks]
    return "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            print(demo())
        elif args.command == "process":
            print(_show_process(args.path, mermaid=args.mermaid))
        else:
            parser.print_help()
            return 2
    except SalesflowError as exc:
        print(f"salesflow: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `salesflow demo | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    return 0
