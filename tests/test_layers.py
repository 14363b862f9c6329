"""The import graph stays layered: no module imports upward (STYLE.md §12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO.parent / "shared" / "tools" / "import_cycles.py"


@pytest.mark.skipif(not TOOL.is_file(), reason=f"the cycle tool is absent ({TOOL})")
def test_no_import_circle_counting_deferred_and_type_only_imports() -> None:
    result = subprocess.run(
        [sys.executable, str(TOOL), str(REPO / "src" / "salesflow"), "--all"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
