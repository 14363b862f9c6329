"""Files: atomic writes, regular files only, exact numbers, unique keys, bounded aliases."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import salesflow as sf
from salesflow.files import read_document, write_document

PROCESS = sf.presets.salesforce_standard()
SUFFIXES = [".json", ".toml", ".yaml", ".yml"]
_DAY = date(2026, 12, 1)

TINY_YAML = """\
name: Tiny
stages:
  - name: Talking
    probability: {probability}
    order: {order}
  - name: Won
    probability: 100
    is_closed: true
    is_won: true
"""


def _leftovers(folder: Path, keep: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p != keep]


# ----------------------------------------------------------- never destroy what is there


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_an_unencodable_name_leaves_the_old_file_byte_for_byte(
    tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"process{suffix}"
    PROCESS.to_file(target)
    before = target.read_bytes()
    broken = sf.presets.hubspot_default()
    object.__setattr__(broken, "description", "lone \ud800 surrogate")  # past every door
    with pytest.raises(sf.ValidationError, match=r"lone surrogate\) @ \$\.description"):
        broken.to_file(target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path, target) == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_failed_replace_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / f"process{suffix}"
    target.write_bytes(b"old contents")

    def refuse(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(sf.FileFormatError, match="disk full"):
        PROCESS.to_file(target)
    assert target.read_bytes() == b"old contents"
    assert _leftovers(tmp_path, target) == []


def test_writing_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "process.json"
    target.write_text("{}")
    target.chmod(0o640)
    PROCESS.to_file(target)
    assert target.stat().st_mode & 0o777 == 0o640
    assert sf.SalesProcess.from_file(target) == PROCESS


def test_writing_through_a_symlink_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    PROCESS.to_file(link)
    assert link.is_symlink() and sf.SalesProcess.from_file(real) == PROCESS


@pytest.mark.parametrize(
    "build",
    [
        lambda: sf.Stage("bad \udcff", 10),
        lambda: sf.SalesProcess(name="\ud800", stages=PROCESS.stages),
        lambda: PROCESS.open(name="Deal \ud800", close_date=_DAY),
        lambda: PROCESS.open(name="Deal", close_date=_DAY, owner="\udfff"),
        lambda: sf.Money("1", "US\ud800"),
    ],
)
def test_unencodable_text_is_refused_at_the_door(build: object) -> None:
    with pytest.raises(sf.ValidationError):
        build()  # type: ignore[operator]


def test_unencodable_text_in_a_document_is_refused_with_its_path() -> None:
    data = PROCESS.to_dict()
    data["stages"][1]["name"] = "Qual\ud800"
    with pytest.raises(sf.ValidationError, match=r"lone surrogate\) @ \$\.stages\[1\]\.name"):
        sf.SalesProcess.from_dict(data)
    with pytest.raises(sf.ValidationError, match="lone surrogate"):
        sf.loads('{"amount": "1", "currency": "\\ud800SD"}', sf.Money)


# ------------------------------------------------------------- bounded reading


def test_a_device_is_refused_as_not_a_regular_file(tmp_path: Path) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(sf.FileFormatError, match="not a regular file"):
        sf.SalesProcess.from_file(link)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(sf.FileFormatError, match="not a regular file"):
        sf.SalesProcess.from_file(fifo)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    PROCESS.to_file(path)
    size = path.stat().st_size
    assert read_document(path, max_bytes=size)["name"] == PROCESS.name
    with pytest.raises(sf.FileFormatError, match=f"{size} bytes is more than the limit"):
        read_document(path, max_bytes=size - 1)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "dir.json"
    folder.mkdir()
    with pytest.raises(sf.FileFormatError, match="cannot read"):
        sf.SalesProcess.from_file(folder)


def test_a_yaml_alias_bomb_is_refused_quickly_with_a_short_message(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    bomb = "\n".join(lines) + "\nname: Bomb\nstages: []\nsettings:\n  policy: *a9\n"
    assert len(bomb) < 1000
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    with pytest.raises(sf.FileFormatError, match="expands to more than") as info:
        sf.SalesProcess.from_file(path)
    assert len(str(info.value)) < 2000


def test_a_yaml_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: &x [*x]\nstages: []\n")
    with pytest.raises(sf.FileFormatError, match="cannot parse YAML"):
        sf.SalesProcess.from_file(path)


def test_a_large_but_honest_yaml_file_with_aliases_loads(tmp_path: Path) -> None:
    gate = "gate: &gate {required_fields: [amount], primary_contact: true}\n"
    stages = "".join(
        f"  - {{name: S{i}, probability: {i % 100}, gate: *gate}}\n" for i in range(300)
    )
    path = tmp_path / "big.yaml"
    path.write_text(
        gate + "name: Big\nstages:\n" + stages + "  - {name: Won, probability: 100, "
        "is_closed: true, is_won: true}\n"
    )
    data = read_document(path)
    del data["gate"]
    assert len(sf.SalesProcess.from_dict(data).stages) == 301


def test_a_huge_document_gives_a_bounded_error_message() -> None:
    data = {"name": "x" * 10**6, "stages": [{"name": ["y" * 10**5] * 10**3}] * 500}
    with pytest.raises(sf.ValidationError) as info:
        sf.SalesProcess.from_dict(data)
    message = str(info.value)
    assert len(message) < 30_000
    assert "more" in message


# -------------------------------------------------------------- keys and values


@pytest.mark.parametrize("key", ["1", "null", "true", "2026-01-01", "1.5"])
def test_a_non_string_yaml_key_is_reported_with_its_path(tmp_path: Path, key: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        TINY_YAML.format(probability=10, order=1).replace(
            "    order: 1\n", f"    order: 1\n    {key}: x\n"
        )
    )
    with pytest.raises(
        sf.ValidationError, match=r"expected a string key, got .* @ \$\.stages\[0\]"
    ):
        sf.SalesProcess.from_file(path)


def test_non_string_keys_given_to_from_dict_are_reported_with_their_path() -> None:
    with pytest.raises(sf.ValidationError, match=r"got NoneType None @ \$\.settings"):
        sf.SalesProcess.from_dict({**PROCESS.to_dict(), "settings": {None: 1, "x": 2}})


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '{"name": "A", "name": "B", "stages": []}'),
        (".yaml", "name: A\nname: B\nstages: []\n"),
        (".yaml", "name: A\nstages:\n  - {name: S, name: T, probability: 1}\n"),
        (".toml", 'name = "A"\nname = "B"\n'),
    ],
)
def test_a_duplicate_key_is_refused_not_last_one_wins(
    tmp_path: Path, suffix: str, text: str
) -> None:
    path = tmp_path / f"dup{suffix}"
    path.write_text(text)
    with pytest.raises(sf.FileFormatError, match="cannot parse"):
        sf.SalesProcess.from_file(path)


@pytest.mark.parametrize(
    ("suffix", "probability"),
    [
        (".yaml", "33.3333333333333333"),
        (".yaml", "99.999999999999999999"),
        (".yaml", "1e1"),
        (".toml", "33.3333333333333333"),
        (".toml", "99.999999999999999999"),
        (".json", "99.999999999999999999"),
    ],
)
def test_numbers_in_files_are_read_exactly_as_written(
    tmp_path: Path, suffix: str, probability: str
) -> None:
    document = {
        "name": "Exact",
        "stages": [
            {"name": "Talking", "probability": "PROBABILITY"},
            {"name": "Won", "probability": 100, "is_closed": True, "is_won": True},
        ],
    }
    path = tmp_path / f"exact{suffix}"
    write_document(path, document)
    path.write_text(re.sub('"?PROBABILITY"?', probability, path.read_text()))
    process = sf.SalesProcess.from_file(path)
    assert process.stages[0].probability == Decimal(probability)
    assert str(process.stages[0].probability) == str(Decimal(probability))


def test_yaml_is_read_with_the_core_schema(tmp_path: Path) -> None:
    path = tmp_path / "core.yaml"
    path.write_text(TINY_YAML.format(probability="012", order="01"))
    process = sf.SalesProcess.from_file(path)
    assert process.stages[0].probability == 12 and process.stages[0].order == 1
    path.write_text("name: yes\nstages: []\n")
    assert read_document(path)["name"] == "yes"


@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", "1e999999999"])
def test_non_finite_and_absurd_numbers_in_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(TINY_YAML.format(probability=text, order=1))
    with pytest.raises(sf.ValidationError, match=r"@ \$\.stages\[0\]\.probability"):
        sf.SalesProcess.from_file(path)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_strings_that_look_like_numbers_survive_a_round_trip(tmp_path: Path, suffix: str) -> None:
    document = {
        "values": ["012", "1e5", "yes", "0o7", "0x1F", ".inf", "null", "~", "1_000", "\x85"]
    }
    path = tmp_path / f"strings{suffix}"
    write_document(path, document)
    assert read_document(path) == document
    assert json.loads(json.dumps(document)) == document
