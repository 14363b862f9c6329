"""Import Salesforce sample data, see what was refused and why, export the three tables.

Uses the Salesforce sample records beside the project (``../shared/data``) when
they are there, else a small inline tree-import file of the same shape.

Run: python examples/import_export.py
"""

from __future__ import annotations

import io
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import salesflow as sf
from salesflow.io import read_json, read_salesforce_json, write_csv, write_json

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
INLINE = """{"records": [
  {"attributes": {"type": "Account", "referenceId": "AccountRef1"}, "Name": "Get Cloudy West"},
  {"attributes": {"type": "Opportunity", "referenceId": "OpportunityRef1"},
   "AccountId": "@AccountRef1", "Name": "35 Custom Sneakers", "Amount": 4200,
   "CloseDate": "2026-07-01", "StageName": "Needs Analysis"},
  {"attributes": {"type": "Opportunity", "referenceId": "OpportunityRef2"},
   "name": "=HYPERLINK(\\"http://example.com\\")", "amount": "99.90",
   "closedate": "2026-07-01T10:00:00Z", "StageName": "Closed/Won"}]}"""


def sources() -> list[Path] | list[io.StringIO]:
    """The hostile apex-recipes sample when it is there, else the inline one."""
    folder = DATA / "salesforce-apex-recipes"
    if folder.is_dir():
        return [folder / "Opportunities.json", folder / "Accounts.json"]
    return [io.StringIO(INLINE)]


process = sf.presets.salesforce_standard()
when = datetime(2026, 1, 1, tzinfo=timezone.utc)
result = read_salesforce_json(*sources(), process=process, currency="USD", imported_at=when)
print(result)
print(result.summary())
for refusal in result.refused[:3]:
    print(" ", refusal)

# Map what your org meant, explicitly, and import again.
aliases = {"Closed/Won": "Closed Won", "Assigned dynamically": "Prospecting"}
again = read_salesforce_json(
    *sources(),
    process=process,
    currency="USD",
    imported_at=when,
    aliases=aliases,
)
print(again)

with tempfile.TemporaryDirectory() as folder:
    out = Path(folder)
    write_json(out / "data.json", again.dataset)
    assert read_json(out / "data.json") == again.dataset
    rows = write_csv(out / "snapshot.csv", again.opportunities)
    print(f"wrote {rows} snapshot rows; first lines of the CSV:")
    print("\n".join((out / "snapshot.csv").read_text(encoding="utf-8").splitlines()[:3]))
