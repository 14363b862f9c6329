"""Fuzzers that attack the library as a hostile user would.

Each property counts as a fuzzer: files as bytes (random and mutated), YAML with
aliases and odd keys, decimals at the edges, garbage arguments to the verbs, and
concurrent callers. Bounded under the ``ci`` profile; ``SALESFLOW_HYPOTHESIS_PROFILE=
thorough`` runs them much longer (see ``tests/conftest.py``). A "leak" is any
exception that is not a :class:`~salesflow.SalesflowError` (or a refused move
that changed something): every property below fails on one.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.cli import main
from salesflow.cli._app import DATA_PROBLEMS
from salesflow.money import MAX_MAGNITUDE, MAX_PLACES

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
DAY = date(2026, 12, 1)
MESSAGE_LIMIT = 60_000
SUFFIXES = [".json", ".toml", ".yaml", ".yml"]
_SCALE = max(5, settings.default.max_examples // 10)  # for the slow fuzzers


def _seed(suffix: str) -> bytes:
    """A real process file: the Liferay enterprise preset, with gates and transitions."""
    process = sf.presets.liferay_mapping().with_exit_gates(qualified={"Evaluation": ["Champion"]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"seed{suffix}"
        process.to_file(path)
        return path.read_bytes()


SEEDS = {suffix: _seed(suffix) for suffix in SUFFIXES}


def _load(path: Path) -> None:
    try:
        sf.SalesProcess.from_file(path)
    except sf.SalesflowError as exc:
        assert len(str(exc)) < MESSAGE_LIMIT


# ----------------------------------------------------------------- files as bytes


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few random byte edits: flips, insertions, deletions, splices."""
    result = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if not result:
            break
        at = draw(st.integers(0, len(result) - 1))
        edit = draw(st.sampled_from(["flip", "insert", "delete", "splice", "dup"]))
        if edit == "flip":
            result[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "insert":
            result[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "delete":
            del result[at : at + draw(st.integers(1, 16))]
        elif edit == "splice":
            result[at:at] = draw(
                st.sampled_from(
                    [b"\x00", b"\xff\xfe", b"&a ", b"*a", b"<<: *a", b"1e999999999", b".nan",
                     b'"\\ud800"', b"\x1b[31m", b"{", b"[", b"]]", b"\n- ", b": ", b"!!python/object:os.system"]
                )
            )  # fmt: skip
        else:
            piece = result[at : at + draw(st.integers(1, 64))]
            result[at:at] = piece * draw(st.integers(1, 4))
    return bytes(result)


@given(st.sampled_from(SUFFIXES), st.binary(max_size=400))
def test_fuzz_random_bytes_as_a_process_file(
    tmp_path_factory: Any, suffix: str, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"p{suffix}"
    path.write_bytes(data)
    _load(path)


@given(st.data())
def test_fuzz_mutated_process_files(tmp_path_factory: Any, data: st.DataObject) -> None:
    suffix = data.draw(st.sampled_from(SUFFIXES))
    path = tmp_path_factory.mktemp("mutated") / f"p{suffix}"
    path.write_bytes(data.draw(mutated(SEEDS[suffix])))
    _load(path)


@settings(max_examples=_SCALE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_mutated_files_through_the_cli(
    tmp_path_factory: Any, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    suffix = data.draw(st.sampled_from(SUFFIXES))
    path = tmp_path_factory.mktemp("cli") / f"p{suffix}"
    path.write_bytes(data.draw(mutated(SEEDS[suffix])))
    command = data.draw(st.sampled_from(["validate", "show", "diagram"]))
    assert main(["process", command, str(path)]) in (0, DATA_PROBLEMS)
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err
    assert len(captured.err) < MESSAGE_LIMIT


# ------------------------------------------------------- YAML with aliases and odd keys

ODD_KEYS = st.sampled_from(
    ["1", "null", "true", "~", "1.5", "2026-01-01", "? [a]", "<<", "name", "stages", "policy"]
)
ODD_SCALARS = st.sampled_from(
    ["012", "0o17", "0x1F", "1e999999999", "-.inf", ".nan", "33.3333333333333333", "yes", "on",
     "''", '"\\ud800"', '"\\x1b[2J"', "!!binary aGk=", "2026-02-30", "1_000", "-0", "null", "[]",
     "{}", "true", "99.999999999999999999", "1" * 5000]
)  # fmt: skip


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    """A process-shaped YAML document with anchors, aliases, odd keys and odd scalars."""
    anchors: list[str] = []

    def value(depth: int) -> str:
        choice = draw(st.integers(0, 5 if depth < 3 else 2))
        if choice == 0 and anchors:
            return f"*{draw(st.sampled_from(anchors))}"
        if choice in (0, 1):
            return draw(ODD_SCALARS)
        if choice == 2:
            return draw(
                st.text(max_size=12).map(
                    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
                )
            )
        items = [value(depth + 1) for _ in range(draw(st.integers(0, 4)))]
        anchor = ""
        if draw(st.booleans()):
            anchor = f"&a{len(anchors)} "
            anchors.append(f"a{len(anchors)}")
        if choice in (3, 4):
            return anchor + "[" + ", ".join(items) + "]"
        keys = [draw(ODD_KEYS) for _ in items]
        return (
            anchor + "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=True)) + "}"
        )

    stages = (
        "[{name: A, probability: 10}, {name: W, probability: 100, is_closed: true, is_won: true}]"
    )
    parts = [f"{draw(ODD_KEYS)}: {value(0)}" for _ in range(draw(st.integers(0, 3)))]
    parts += [
        f"name: {value(1)}",
        f"stages: {draw(st.just(stages) | st.builds(lambda: value(1)))}",
    ]
    parts.append(f"settings: {value(0)}")
    return "\n".join(draw(st.permutations(parts)))


@given(yaml_documents())
def test_fuzz_yaml_with_aliases_and_odd_keys(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("yaml") / "p.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _load(path)


@st.composite
def alias_bombs(draw: st.DrawFn) -> str:
    width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for level in range(1, depth):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    target = draw(st.sampled_from(["name", "settings", "stages", "description", "custom_roles"]))
    return "\n".join(lines) + f"\n{target}: *a{depth - 1}\n"


@given(alias_bombs())
def test_fuzz_alias_bombs_are_refused_or_small(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("bomb") / "p.yaml"
    path.write_text(text)
    with pytest.raises(sf.SalesflowError) as info:
        sf.SalesProcess.from_file(path)
    assert len(str(info.value)) < MESSAGE_LIMIT


# ---------------------------------------------------------------- decimals at the edges

DECIMAL_TEXT = st.one_of(
    st.builds(
        lambda sign, digits, point, exponent: f"{sign}{digits[:point]}.{digits[point:]}{exponent}",
        st.sampled_from(["", "-", "+"]),
        st.text("0123456789", min_size=1, max_size=130),
        st.integers(0, 130),
        st.sampled_from(["", "e0", "e-1", "e40", "e-40", "e99", "e-99", "e100", "e-101"])
        | st.integers(-(10**10), 10**10).map(lambda e: f"e{e}"),
    ),
    st.sampled_from(
        ["NaN", "sNaN", "-sNaN", "Infinity", "-inf", "1_000", " 1 ", "0e-1000", "0E+1000"]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


def _exactly(amount: Decimal) -> None:
    m = sf.Money(amount, "USD")
    zero = sf.Money.zero("USD")
    assert sf.loads(sf.dumps(m), sf.Money) == m
    assert str(sf.loads(sf.dumps(m), sf.Money).amount) == str(m.amount)
    for result in (
        lambda: m + zero,
        lambda: m - zero,
        lambda: m * 1,
        lambda: m / 1,
        lambda: (-m).__neg__(),
    ):
        assert result() == m
    assert m - m == zero
    for factor in (3, 7, Decimal("0.1"), Decimal("1e-5"), 10**30):
        with contextlib.suppress(sf.MoneyArithmeticError):
            assert m * factor / factor == m


@given(DECIMAL_TEXT)
def test_fuzz_decimals_at_the_edges(text: str) -> None:
    try:
        amount = sf.Money(text, "USD").amount
    except sf.ValidationError:
        try:
            parsed = Decimal(text.strip())
        except Exception:
            return
        exponent = parsed.as_tuple().exponent
        assert (
            not parsed.is_finite()
            or exponent < -MAX_PLACES  # type: ignore[operator]
            or (parsed and parsed.adjusted() >= MAX_MAGNITUDE)
            or (not parsed and exponent > MAX_MAGNITUDE)  # type: ignore[operator]
        )
        return
    assert amount == Decimal(text.strip())
    _exactly(amount)
    try:
        sf.loads(f'{{"amount": "{text}", "currency": "EUR"}}', sf.Money)
        from salesflow.probability import to_probability

        to_probability(text)
    except sf.SalesflowError:
        pass


# ------------------------------------------------------------- garbage to the verbs

GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.binary(max_size=4),
    st.decimals(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(sf.Money("1", "USD")),
    st.just(DAY),
    st.datetimes(),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.sampled_from(["Closed Won", "Prospecting", "\ud800", " ", "Commit"]),
)
VERBS = [
    "move",
    "check_move",
    "set_probability",
    "change_amount",
    "change_close_date",
    "set_forecast_category",
    "confirm_fact",
    "add_contact_role",
    "set_primary_contact",
    "record_initiation",
    "flag_warning",
    "assign",
]


@given(st.sampled_from(VERBS), st.lists(GARBAGE, max_size=3), st.dictionaries(
    st.sampled_from(["at", "by", "amount", "close_date", "lost_reason", "competitor", "role", "primary"]),
    GARBAGE, max_size=3))  # fmt: skip
def test_fuzz_garbage_to_the_verbs(verb: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    process = sf.presets.salesforce_standard()
    opp = process.open(name="Deal", close_date=DAY, at=T0)
    before = sf.dumps(opp)
    try:
        if verb in ("move", "check_move"):
            getattr(process, verb)(opp, *args, **kwargs)
        elif verb == "assign":
            opp.owner = args[0] if args else None
        else:
            getattr(opp, verb)(*args, **kwargs)
    except TypeError as exc:  # wrong arity or an unknown keyword: Python's own call check
        assert "argument" in str(exc)
        assert sf.dumps(opp) == before
        return
    except sf.SalesflowError:
        assert sf.dumps(opp) == before, "a refused call changed the opportunity"
        return
    sf.loads(sf.dumps(opp), sf.Opportunity)  # whatever was accepted can be written and read


# ---------------------------------------------------------------- concurrent callers


@settings(max_examples=_SCALE, deadline=None)
@given(
    st.lists(
        st.sampled_from(sf.presets.salesforce_standard().stage_names), min_size=2, max_size=6
    ),
    st.integers(2, 5),
)
def test_fuzz_concurrent_callers_on_one_opportunity(targets: list[str], workers: int) -> None:  # fmt: skip
    base = sf.presets.salesforce_standard()
    slow = sf.StageGate(checks=("slow",))
    process = attrs.evolve(
        base,
        stages=[attrs.evolve(s, gate=slow) for s in base.stages],
        settings=attrs.evolve(base.settings, allow_reopen=False),  # closed stages are terminal
    )
    process.register_check("slow", lambda _: time.sleep(0.00005))
    opp = process.open(name="Deal", close_date=DAY, at=T0)

    def worker(seed: int) -> None:
        for i in range(12):
            verb = (seed + i) % 3
            try:
                if verb == 0:
                    process.move(opp, targets[(seed + i) % len(targets)], at=T0)
                elif verb == 1:
                    opp.change_close_date(DAY + timedelta(days=29 * ((seed * i) % 4)), at=T0)
                else:
                    opp.change_amount(sf.Money(str(seed + i), "USD"), at=T0)
            except sf.SalesflowError:
                pass

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = opp.history
    closed = next((i for i, e in enumerate(entries) if process.stage(e.stage).is_closed), None)
    if closed is not None:
        assert {e.stage for e in entries[closed:]} == {entries[closed].stage}
    months = [(e.close_date.year, e.close_date.month) for e in entries]
    assert opp.push_count == sum(b > a for a, b in itertools.pairwise(months))
    for a, b in itertools.pairwise(entries):
        assert (b.previous_amount, b.previous_close_date) == (a.amount, a.close_date)
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp
