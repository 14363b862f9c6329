"""Two imports of the same files, one through objects and one in columns, are the same import."""

from __future__ import annotations

from typing import Any

import salesflow as sf


def assert_same_import(objects: sf.io.ImportResult, columns: sf.io.ImportedFrames) -> None:
    """The same refusals, counts, notes, and the frames that ``frames()`` makes of the objects."""
    from polars.testing import assert_frame_equal

    from salesflow.analytics import frames

    def listed(result: Any) -> list[tuple[Any, ...]]:
        return sorted((r.kind, r.record, r.id or "", r.reason) for r in result.refused)

    assert listed(columns) == listed(objects)
    assert dict(columns.read) == dict(objects.read)
    assert dict(columns.taken) == dict(objects.taken)
    assert [str(n) for n in columns.notes] == [str(n) for n in objects.notes]
    assert columns.frames.snapshot["id"].to_list() == [o.id for o in objects.opportunities]
    expected = frames(objects.opportunities)
    assert_frame_equal(columns.frames.snapshot, expected.snapshot)
    assert_frame_equal(columns.frames.history, expected.history)
    assert_frame_equal(columns.frames.activities, expected.activities)
    assert_frame_equal(columns.frames.contact_roles, expected.contact_roles)
