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
    expected = frames(objects.opportunities, objects.activities)
    assert_frame_equal(columns.frames.snapshot, expected.snapshot)
    assert_frame_equal(columns.frames.history, expected.history)
    assert_frame_equal(columns.frames.activities, expected.activities)
    assert_frame_equal(columns.frames.contact_roles, expected.contact_roles)


def both_imports(
    read_objects: Any, read_frames: Any, snapshot: bytes, history: bytes | None, **options: Any
) -> tuple[Any, Any, bool]:
    """The two imports of the same bytes, and whether the columnar one fell back to the loop."""
    import io
    from unittest import mock

    from salesflow.io import table_frames

    def source(data: bytes | None) -> io.BytesIO | None:
        return None if data is None else io.BytesIO(data)

    objects = read_objects(source(snapshot), history=source(history), **options)
    with mock.patch.object(table_frames, "read_records", wraps=table_frames.read_records) as loop:
        columns = read_frames(source(snapshot), history=source(history), **options)
    return objects, columns, loop.called
