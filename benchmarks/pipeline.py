"""Pipeline analytics at scale: salesflow on Polars and DuckDB against hand-written Polars and pandas.

    python benchmarks/pipeline.py [--opportunities 1000000] [--rows 5000000] [--seed 7]

Generates (vectorized, seeded) a snapshot of N opportunities and a history of M
rows on ``salesforce_standard()``, writes them to Parquet in a temporary
folder, then runs each path in a fresh subprocess (so each peak RSS is its
own): ``salesflow-polars``, ``salesflow-duckdb``, ``hand-polars``,
``hand-pandas``, ``hand-duckdb`` (DuckDB SQL on the Parquet files); not by default,
``salesflow-spark`` and ``hand-spark`` (PySpark, one local SparkSession each:
``--paths salesflow-spark,hand-spark``). Each path loads the Parquet files (not timed), then times
each metric (best of ``--repeat``), forcing the result to be computed. The
table printed at the end gives seconds, ratios against hand-written Polars and
pandas, the history check's rows per second and each path's peak memory.
Results of the paths are cross-checked (counts and sums) so that no path is
faster because it computes less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

import salesflow as sf

PATHS = ("salesflow-polars", "salesflow-duckdb", "hand-polars", "hand-pandas", "hand-duckdb")
SPARK_PATHS = ("salesflow-spark", "hand-spark")
"""Not run by default (a JVM each, and Spark on two cores is the slowest path by far):
``--paths salesflow-spark,hand-spark``."""
LAZY_POLARS = "salesflow-polars-lazy"
"""Not run by default: salesflow on ``polars.scan_parquet`` frames (for data larger than memory)."""
METRICS = (
    "summary",
    "win_rate",
    "funnel",
    "time_in_stage",
    "as_of",
    "bridge",
    "history_check",
)
PROCESS = sf.presets.salesforce_standard()
STAGES = PROCESS.stage_names
BASE = datetime(2025, 1, 1, tzinfo=timezone.utc)
AS_OF = datetime(2025, 7, 1, tzinfo=timezone.utc)
BRIDGE = (datetime(2025, 6, 1, tzinfo=timezone.utc), datetime(2025, 9, 1, tzinfo=timezone.utc))
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


# ------------------------------------------------------------------ data


def generate(n_opps: int, n_rows: int, seed: int, folder: Path, *, chunks: int = 1) -> None:
    """Write ``snapshot.parquet`` and ``history.parquet`` (sorted by opportunity, time).

    With ``chunks`` > 1, ``chunks`` parts of ``n_opps / chunks`` deals each
    (seeds ``seed``, ``seed + 1``, ...; ids numbered on) are written as
    ``snapshot/part-K.parquet`` and ``history/part-K.parquet``, so that data
    larger than memory is made one part at a time.
    """
    if chunks > 1:
        for k in range(chunks):
            part = n_opps // chunks
            _generate(part, n_rows // chunks, seed + k, folder, first_id=k * part, part=k)
        return
    _generate(n_opps, n_rows, seed, folder)


def _generate(
    n_opps: int,
    n_rows: int,
    seed: int,
    folder: Path,
    *,
    first_id: int = 0,
    part: int | None = None,
) -> None:
    import polars as pl

    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 10, n_opps)  # 1..9 rows each, mean 5
    diff = n_rows - int(counts.sum())
    while diff:
        pick = rng.integers(0, n_opps, abs(diff))
        step = 1 if diff > 0 else -1
        counts[pick] = np.clip(counts[pick] + step, 1, 12)
        diff = n_rows - int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    opp = np.repeat(np.arange(n_opps), counts)
    k = np.arange(n_rows) - starts  # row number within the opportunity
    last = np.r_[opp[1:] != opp[:-1], True]
    first = k == 0
    # Stages: open at 0..2, then mostly forward (some stay, some go back); the
    # last row of 60 % of the deals closes them (8 won, 9 lost).
    step = rng.choice([0, 1, 1, 1, 2, -1], n_rows)
    step[first] = rng.integers(0, 3, int(first.sum()))
    walk = np.cumsum(step)
    walk = walk - np.repeat(walk[np.cumsum(counts) - counts] - step[first], counts)
    stage = np.clip(walk, 0, 7)
    closes = last & (rng.random(n_rows) < 0.6) & ~first
    stage[closes] = np.where(rng.random(int(closes.sum())) < 0.45, 8, 9)
    # 1 % of the deals with three rows or more close one row early and move
    # again: a reopening, which the process forbids (the history check finds it).
    early = (k == np.repeat(counts, counts) - 2) & (k > 0) & (rng.random(n_rows) < 0.01)
    stage[early] = 9
    # Times: created in 2025, then 1..20 days between rows.
    created = rng.integers(0, 365 * 24 * 3600, n_opps)
    gaps = rng.integers(3600, 20 * 24 * 3600, n_rows)
    gaps[first] = 0
    offsets = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[np.cumsum(counts) - counts], counts)
    seconds = np.repeat(created, counts) + offsets
    # Amounts in cents change on 20 % of rows; close dates move on 15 %.
    base_amount = rng.integers(1_000, 500_000, n_opps) * 100
    factor = np.where(rng.random(n_rows) < 0.2, rng.choice([80, 90, 110, 125], n_rows), 100)
    factor[first] = 100
    logs = np.cumsum(np.log(factor / 100))
    scale = np.exp(logs - np.repeat(logs[np.cumsum(counts) - counts], counts))
    cents = (np.repeat(base_amount, counts) * scale).round().astype(np.int64)
    push = np.where(rng.random(n_rows) < 0.15, rng.choice([-15, 30, 45], n_rows), 0)
    push[(step == 0) & (factor == 100)] = 30  # a row in the same stage records a change
    push[first] = 0
    shift = np.cumsum(push) - np.repeat(np.cumsum(push)[np.cumsum(counts) - counts], counts)
    close_day = np.repeat(created // 86400 + rng.integers(30, 180, n_opps), counts) + shift
    epoch = (BASE.date() - date(1970, 1, 1)).days
    probability = np.array([int(s.probability) for s in PROCESS.stages])
    category = np.array([s.forecast_category.value for s in PROCESS.stages])
    owners = np.array([f"rep-{i:02d}" for i in range(50)])
    ids = pl.Series("opportunity_id", opp + first_id).cast(pl.String).str.zfill(8)
    ids = ("O" + ids).rename("opportunity_id")
    history = pl.DataFrame(
        {
            "opportunity_id": ids,
            "at": pl.Series((seconds + (BASE.timestamp())) * 1_000_000).cast(
                pl.Datetime("us", "UTC")
            ),
            "by": owners[np.repeat(rng.integers(0, 50, n_opps), counts)],
            "owner": owners[np.repeat(rng.integers(0, 50, n_opps), counts)],
            "stage": np.array(STAGES)[stage],
            "amount": pl.Series(cents).cast(pl.Decimal(18, 0)) / 100,
            "currency": "USD",
            "probability": pl.Series(probability[stage]).cast(pl.Decimal(5, 0)),
            "forecast_category": category[stage],
            "close_date": pl.Series(close_day + epoch).cast(pl.Int32).cast(pl.Date),
        }
    ).with_columns(pl.col("amount").cast(pl.Decimal(18, 2)))
    history = history.with_columns(
        pl.col("amount").shift(1).over("opportunity_id").alias("previous_amount"),
        pl.col("close_date").shift(1).over("opportunity_id").alias("previous_close_date"),
    )
    won, closed = PROCESS.won_stages, PROCESS.closed_stages
    snapshot = (
        history.group_by("opportunity_id", maintain_order=True)
        .agg(
            pl.col("at").first().alias("created_at"),
            pl.col("at").last().alias("_last_at"),
            pl.all().exclude("at", "opportunity_id").last(),
        )
        .rename({"opportunity_id": "id"})
        .with_columns(
            ("Deal " + pl.col("id")).alias("name"),
            pl.col("stage").is_in([s.name for s in closed]).alias("is_closed"),
            pl.col("stage").is_in([s.name for s in won]).alias("is_won"),
        )
        .with_columns(
            pl.when(pl.col("is_closed")).then(pl.col("_last_at").dt.date()).alias("closed_on"),
            pl.col("_last_at").alias("last_stage_change_at"),
        )
        .drop("_last_at", "by", "previous_amount", "previous_close_date")
    )
    if part is None:
        folder.mkdir(parents=True, exist_ok=True)
        history.write_parquet(folder / "history.parquet")
        snapshot.write_parquet(folder / "snapshot.parquet")
        return
    for name, table in (("history", history), ("snapshot", snapshot)):
        (folder / name).mkdir(parents=True, exist_ok=True)
        table.write_parquet(folder / name / f"part-{part:04d}.parquet")


def files(folder: Path, name: str) -> str:
    """``folder/name.parquet``, or the glob of its parts (``folder/name/*.parquet``)."""
    single = folder / f"{name}.parquet"
    return str(single) if single.exists() else str(folder / name / "*.parquet")


# ------------------------------------------------------------ the paths


def _force(native: Any) -> Any:
    """Compute a result fully, whatever its library; returns something small to compare."""
    import narwhals as nw

    frame = nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect(backend="polars")
    return frame.shape


def _spark_session() -> Any:
    """The one SparkSession of a Spark path's process; both Spark paths use these settings."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("salesflow-pipeline-benchmark")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "4")  # 2 cores; the default 200 is for clusters
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _active_spark() -> Any:
    """The SparkSession a Spark path made (``_spark_session``)."""
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def _warm_up(*frames: Any) -> None:
    """Count each frame once (untimed): the JVM's first job pays for class loading and JIT."""
    for frame in frames:
        frame.count()


def _jvm_peak(spark: Any) -> int:
    """The JVM's peak resident memory in bytes (``VmHWM``; Linux ``/proc``), 0 if unknown."""
    try:
        pid = spark._jvm.java.lang.ProcessHandle.current().pid()
        status = Path(f"/proc/{pid}/status").read_text()
    except Exception:  # a missing figure, not a failed run
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _jvm_cpu(spark: Any) -> Callable[[], float]:
    """A clock of the JVM's CPU seconds (user + system; Linux ``/proc``), 0 if unknown."""
    try:
        stat = Path(f"/proc/{spark._jvm.java.lang.ProcessHandle.current().pid()}/stat")
    except Exception:  # a missing figure, not a failed run
        return lambda: 0.0
    tick = os.sysconf("SC_CLK_TCK")

    def clock() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    return clock


def salesflow_path(folder: Path, engine: str) -> dict[str, Callable[[], Any]]:
    import salesflow.analytics as sa

    if engine == "polars":
        import polars as pl

        snapshot = pl.read_parquet(files(folder, "snapshot"))
        history = pl.read_parquet(files(folder, "history"))
    elif engine == "polars-lazy":  # scanned, never read whole: Polars reads what each query needs
        import polars as pl

        snapshot = pl.scan_parquet(files(folder, "snapshot"))
        history = pl.scan_parquet(files(folder, "history"))
    elif engine == "spark":  # read lazily, like DuckDB's relations: each query reads the files
        spark = _spark_session()
        snapshot = spark.read.parquet(files(folder, "snapshot"))
        history = spark.read.parquet(files(folder, "history"))
        _warm_up(snapshot, history)
    else:
        import duckdb

        con = duckdb.connect()
        snapshot = con.read_parquet(files(folder, "snapshot"))
        history = con.read_parquet(files(folder, "history"))
    tables = sa.Frames(snapshot, history, None, process=PROCESS)
    metrics: dict[str, Callable[[], Any]] = {
        "summary": lambda: _force(sa.pipeline_summary(tables).to_frame()),
        "win_rate": lambda: _force(sa.win_rate(tables).to_frame()),
        "funnel": lambda: _force(sa.funnel(tables).to_frame()),
        "as_of": lambda: _force(sa.pipeline_as_of(tables, AS_OF).to_frame()),
        "bridge": lambda: _force(sa.bridge(tables, *BRIDGE).to_frame()),
        "history_check": lambda: _force(sa.check_history(history, PROCESS, only_illegal=True)),
    }
    if hasattr(sa, "time_in_stage"):
        metrics["time_in_stage"] = lambda: _force(sa.time_in_stage(tables, as_of=NOW).to_frame())
    return metrics


COMPARED = ("amount", "currency", "probability", "forecast_category", "close_date")
"""What ``check_history`` compares on a repeat of a stage (the hand-written checks too)."""


def _pairs() -> list[tuple[str, str]]:
    from salesflow.analytics import transition_pairs

    return [(p.from_stage, p.to_stage) for p in transition_pairs(PROCESS) if p.legal]


def hand_polars_path(folder: Path) -> dict[str, Callable[[], Any]]:
    import polars as pl

    snapshot = pl.read_parquet(files(folder, "snapshot"))
    history = pl.read_parquet(files(folder, "history"))
    steps = [s.name for s in PROCESS.stages if s.is_won or not s.is_closed]
    closed = [s.name for s in PROCESS.closed_stages]
    legal = pl.DataFrame(_pairs(), schema=["prev", "stage"], orient="row").with_columns(
        ok=pl.lit(value=True)
    )

    def summary() -> Any:
        s = snapshot.with_columns(w=pl.col("amount") * pl.col("probability") / 100)
        by_cat = s.group_by("forecast_category").agg(
            pl.len(), pl.col("amount").sum(), pl.col("w").sum()
        )
        won = s.filter("is_won").select(pl.len(), pl.col("amount").sum())
        lost = s.filter(pl.col("is_closed") & ~pl.col("is_won")).select(pl.len())
        return by_cat.shape, won.row(0), lost.row(0)

    def win_rate() -> Any:
        r = snapshot.select(pl.col("is_won").sum(), pl.col("is_closed").sum(), pl.len())
        won, closed, _ = r.row(0)
        return won / closed

    def funnel() -> Any:
        k = history.select(
            "opportunity_id",
            pl.col("stage").replace_strict({s: i for i, s in enumerate(steps)}, default=None),
        ).drop_nulls()
        top = k.group_by("opportunity_id").agg(pl.col("stage").max())
        return [int((top["stage"] >= i).sum()) for i in range(len(steps))]

    def time_in_stage() -> Any:
        h = history.select("opportunity_id", "at", "stage").filter(pl.col("at") <= NOW)
        prev = pl.col("stage").shift(1).over("opportunity_id")
        stays = h.filter(prev.is_null() | (prev != pl.col("stage"))).with_columns(
            pl.col("at").shift(-1).over("opportunity_id").fill_null(NOW).alias("until"),
            (pl.col("stage") == pl.col("stage").last().over("opportunity_id")).alias("current"),
        )
        days = (pl.col("until") - pl.col("at")).dt.total_seconds() / 86400
        per = (
            stays.filter(~pl.col("stage").is_in(closed))
            .with_columns(days.alias("days"))
            .group_by("opportunity_id", "stage")
            .agg(
                pl.len().alias("entries"),
                pl.col("days").last().alias("latest_days"),
                pl.col("days").sum().alias("cumulative_days"),
                pl.col("current").last(),
            )
        )
        return per.shape

    def state(moment: datetime) -> pl.DataFrame:
        return (
            history.filter(pl.col("at") <= moment)
            .group_by("opportunity_id")
            .agg(pl.all().sort_by("at").last())
            .with_columns(
                pl.col("stage").is_in([s.name for s in PROCESS.closed_stages]).alias("c")
            )
        )

    def as_of() -> Any:
        return state(AS_OF).shape

    def bridge() -> Any:
        a = state(BRIDGE[0]).filter(~pl.col("c"))
        b = state(BRIDGE[1])
        j = a.select("opportunity_id", start=pl.col("amount")).join(
            b.select("opportunity_id", "stage", "c", end=pl.col("amount")),
            on="opportunity_id",
            how="full",
            coalesce=True,
        )
        won = pl.col("stage").is_in([s.name for s in PROCESS.won_stages])
        movement = (
            pl.when(pl.col("start").is_null() & ~pl.col("c"))
            .then(pl.lit("new"))
            .when(pl.col("start").is_null())
            .then(pl.lit(None))
            .when(pl.col("c") & won)
            .then(pl.lit("won"))
            .when(pl.col("c"))
            .then(pl.lit("lost"))
            .when(pl.col("end") > pl.col("start"))
            .then(pl.lit("increased"))
            .when(pl.col("end") < pl.col("start"))
            .then(pl.lit("decreased"))
        )
        return j.with_columns(movement.alias("movement")).group_by("movement").len().shape

    def history_check() -> Any:
        h = history.sort("opportunity_id", "at").with_columns(
            pl.col(c).shift(1).over("opportunity_id").alias(f"prev_{c}")
            for c in ("stage", "amount", "close_date")
        )
        checked = h.join(
            legal, left_on=["prev_stage", "stage"], right_on=["prev", "stage"], how="left"
        )
        same = pl.col("prev_stage") == pl.col("stage")
        repeat = (pl.col("prev_amount") == pl.col("amount")) & (
            pl.col("prev_close_date") == pl.col("close_date")
        )
        bad = checked.filter(
            pl.col("prev_stage").is_not_null()
            & pl.when(same).then(repeat).otherwise(pl.col("ok").is_null())
        )
        return bad.shape

    return {
        "summary": summary,
        "win_rate": win_rate,
        "funnel": funnel,
        "time_in_stage": time_in_stage,
        "as_of": as_of,
        "bridge": bridge,
        "history_check": history_check,
    }


def hand_duckdb_path(folder: Path) -> dict[str, Callable[[], Any]]:
    """The same metrics as hand-written DuckDB SQL on the Parquet files, collected to Arrow."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW h AS SELECT * FROM read_parquet('{files(folder, 'history')}')")
    con.execute(f"CREATE VIEW s AS SELECT * FROM read_parquet('{files(folder, 'snapshot')}')")
    steps = [s.name for s in PROCESS.stages if s.is_won or not s.is_closed]
    closed = ", ".join(f"'{s.name}'" for s in PROCESS.closed_stages)
    won = ", ".join(f"'{s.name}'" for s in PROCESS.won_stages)
    index = " ".join(f"WHEN '{n}' THEN {i}" for i, n in enumerate(steps))
    legal = ", ".join(f"('{a}', '{b}')" for a, b in _pairs())
    con.execute(f"CREATE TABLE legal AS SELECT * FROM (VALUES {legal}) v(prev, stage)")

    def run(sql: str) -> Any:
        return con.sql(sql).fetch_arrow_table().shape

    def state(moment: datetime) -> str:
        return f"""SELECT opportunity_id, arg_max(stage, "at") AS stage, arg_max(amount, "at") AS amount,
                   arg_max(stage, "at") IN ({closed}) AS c
                   FROM h WHERE "at" <= TIMESTAMPTZ '{moment.isoformat()}' GROUP BY opportunity_id"""

    def summary() -> Any:
        return (
            run(
                "SELECT forecast_category, count(*), sum(amount), sum(amount * probability / 100) "
                "FROM s GROUP BY 1"
            ),
            run("SELECT count(*), sum(amount) FROM s WHERE is_won"),
            run("SELECT count(*) FROM s WHERE is_closed AND NOT is_won"),
        )

    def win_rate() -> Any:  # salesflow's table: the counts, the denominator and the rate
        return run(
            """SELECT won, lost, walked_away, open, total, won + lost + walked_away AS denominator,
                   CASE WHEN won + lost + walked_away > 0
                        THEN won::DOUBLE / (won + lost + walked_away) END AS win_rate
               FROM (SELECT sum(is_won::INT)::BIGINT AS won,
                            sum((is_closed AND NOT is_won)::INT)::BIGINT AS lost,
                            0::BIGINT AS walked_away,
                            sum((NOT is_closed)::INT)::BIGINT AS open, count(*) AS total
                     FROM s)"""
        )

    def funnel() -> Any:  # as salesflow's by default: the snapshot's stage is reached too
        return run(
            f"""WITH k AS (SELECT opportunity_id, max(CASE stage {index} END) AS m
                           FROM (SELECT opportunity_id, stage FROM h
                                 UNION ALL SELECT id, stage FROM s)
                           GROUP BY 1 HAVING m IS NOT NULL)
                SELECT i, count(*) FILTER (WHERE m >= i) FROM k, range({len(steps)}) r(i)
                GROUP BY i ORDER BY i"""
        )

    def time_in_stage() -> Any:  # sorted, as salesflow's table is
        return run(
            f"""WITH t AS (SELECT opportunity_id, "at", stage,
                      lag(stage) OVER w AS prev FROM h WHERE "at" <= TIMESTAMPTZ '{NOW.isoformat()}'
                      WINDOW w AS (PARTITION BY opportunity_id ORDER BY "at")),
                stays AS (SELECT opportunity_id, "at", stage,
                      coalesce(lead("at") OVER w, TIMESTAMPTZ '{NOW.isoformat()}') AS until,
                      lead("at") OVER w IS NULL AS current
                      FROM t WHERE prev IS NULL OR prev <> stage
                      WINDOW w AS (PARTITION BY opportunity_id ORDER BY "at"))
                SELECT opportunity_id, stage, count(*) AS entries,
                       arg_max(epoch(until - "at") / 86400, "at") AS latest_days,
                       sum(epoch(until - "at") / 86400) AS cumulative_days, bool_or(current)
                FROM stays WHERE stage NOT IN ({closed}) GROUP BY 1, 2
                ORDER BY 1, 2"""
        )

    def as_of() -> Any:  # the table salesflow's gives: every column of each deal's latest row
        return run(
            f"""SELECT opportunity_id AS id, * EXCLUDE (opportunity_id),
                       stage IN ({closed}) AS is_closed, stage IN ({won}) AS is_won
                FROM h WHERE "at" <= TIMESTAMPTZ '{AS_OF.isoformat()}'
                QUALIFY "at" = max("at") OVER (PARTITION BY opportunity_id) ORDER BY id"""
        )

    def bridge() -> Any:  # salesflow's table: each deal's movement, amounts and change
        return run(
            f"""WITH a AS ({state(BRIDGE[0])}), b AS ({state(BRIDGE[1])}),
                j AS (SELECT opportunity_id AS id, coalesce(NOT a.c, false) AS in_start,
                             NOT b.c AS in_end, a.opportunity_id IS NOT NULL AS existed,
                             a.c AS s_c, b.c, b.stage IN ({won}) AS w,
                             a.amount AS s_amount, b.amount AS e_amount
                      FROM b LEFT JOIN a USING (opportunity_id)),
                k AS (SELECT *, CASE WHEN in_start THEN s_amount END AS start_amount,
                             CASE WHEN in_end THEN e_amount END AS end_amount
                      FROM j WHERE in_start OR in_end)
                SELECT id, CASE
                    WHEN in_start AND in_end THEN CASE
                        WHEN coalesce(end_amount, 0) > coalesce(start_amount, 0) THEN 'increased'
                        WHEN coalesce(end_amount, 0) < coalesce(start_amount, 0) THEN 'decreased'
                        ELSE 'unchanged' END
                    WHEN in_end THEN CASE WHEN NOT existed THEN 'new'
                        WHEN s_c THEN 'reopened' ELSE 'pulled_in' END
                    WHEN w THEN 'won' WHEN c THEN 'lost' ELSE 'pushed_out' END AS movement,
                    in_start, in_end, start_amount, end_amount,
                    coalesce(end_amount, 0) - coalesce(start_amount, 0) AS change,
                    'USD' AS currency
                FROM k ORDER BY id"""
        )

    def history_check() -> Any:
        return run(
            # salesflow's rule: a repeat of a stage is legal only where one of the
            # five values it compares changed (nulls equal); its rows, every column
            f"""WITH t AS (SELECT *, lag(stage) OVER w AS previous_stage,
                      {", ".join(f"lag({c}) OVER w AS p_{c}" for c in COMPARED)}
                      FROM h WINDOW w AS (PARTITION BY opportunity_id ORDER BY "at"))
                SELECT t.* EXCLUDE ({", ".join(f"p_{c}" for c in COMPARED)})
                FROM t LEFT JOIN legal l ON t.previous_stage = l.prev AND t.stage = l.stage
                WHERE t.previous_stage IS NOT NULL AND CASE WHEN t.previous_stage = t.stage
                      THEN {" AND ".join(f"p_{c} IS NOT DISTINCT FROM {c}" for c in COMPARED)}
                      ELSE l.prev IS NULL END"""
        )

    return {
        "summary": summary,
        "win_rate": win_rate,
        "funnel": funnel,
        "time_in_stage": time_in_stage,
        "as_of": as_of,
        "bridge": bridge,
        "history_check": history_check,
    }


def hand_spark_path(folder: Path) -> dict[str, Callable[[], Any]]:
    """The same metrics as hand-written PySpark DataFrame code, forced like ``salesflow-spark``.

    Metric for metric the DuckDB SQL of ``hand_duckdb_path``, in the DataFrame API
    (no SQL strings): ``max_by`` for the as-of state, ``lag``/``lead`` windows for
    time in stage and the history check, the funnel as the highest step per deal
    counted per step. Results go through ``_force`` (``toArrow`` into Polars).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = _spark_session()
    h = spark.read.parquet(files(folder, "history"))
    s = spark.read.parquet(files(folder, "snapshot"))
    _warm_up(s, h)
    steps = [st.name for st in PROCESS.stages if st.is_won or not st.is_closed]
    closed = [st.name for st in PROCESS.closed_stages]
    won = [st.name for st in PROCESS.won_stages]
    # A frame made from Python rows has no size estimate: without the hint Spark
    # sort-merge joins the whole history with these 40-odd pairs.
    legal = F.broadcast(spark.createDataFrame(_pairs(), "prev string, legal_stage string"))
    by_deal = Window.partitionBy("opportunity_id").orderBy("at")

    def run(frame: Any) -> Any:
        return _force(frame)

    def state(moment: datetime) -> Any:
        return (
            h.filter(F.col("at") <= F.lit(moment))
            .groupBy("opportunity_id")
            .agg(
                F.max_by("stage", "at").alias("stage"),
                F.max_by("amount", "at").alias("amount"),
            )
            .withColumn("c", F.col("stage").isin(closed))
        )

    def summary() -> Any:
        return (
            run(
                s.groupBy("forecast_category").agg(
                    F.count(F.lit(1)),
                    F.sum("amount"),
                    F.sum(F.col("amount") * F.col("probability") / 100),
                )
            ),
            run(s.filter(F.col("is_won")).agg(F.count(F.lit(1)), F.sum("amount"))),
            run(s.filter(F.col("is_closed") & ~F.col("is_won")).agg(F.count(F.lit(1)))),
        )

    def win_rate() -> Any:  # salesflow's table: the counts, the denominator and the rate
        counts = s.agg(
            F.sum(F.col("is_won").cast("long")).alias("won"),
            F.sum((F.col("is_closed") & ~F.col("is_won")).cast("long")).alias("lost"),
            F.lit(0).cast("long").alias("walked_away"),
            F.sum((~F.col("is_closed")).cast("long")).alias("open"),
            F.count(F.lit(1)).alias("total"),
        )
        denominator = F.col("won") + F.col("lost") + F.col("walked_away")
        return run(
            counts.withColumn("denominator", denominator).withColumn(
                "win_rate",
                F.when(F.col("denominator") > 0, F.col("won") / F.col("denominator")),
            )
        )

    def funnel() -> Any:
        index = F.when(F.col("stage") == steps[0], 0)
        for i, name in enumerate(steps[1:], start=1):
            index = index.when(F.col("stage") == name, i)
        # as salesflow's by default: the snapshot's current stage is reached too
        entered = h.select("opportunity_id", "stage").unionByName(
            s.select(F.col("id").alias("opportunity_id"), "stage")
        )
        k = entered.groupBy("opportunity_id").agg(F.max(index).alias("m"))
        k = k.filter(F.col("m").isNotNull())
        r = spark.range(len(steps)).withColumnRenamed("id", "i")
        return run(
            k.crossJoin(r)
            .groupBy("i")
            .agg(F.count(F.when(F.col("m") >= F.col("i"), 1)))
            .orderBy("i")
        )

    def time_in_stage() -> Any:
        t = h.filter(F.col("at") <= F.lit(NOW)).select(
            "opportunity_id", "at", "stage", F.lag("stage").over(by_deal).alias("prev")
        )
        following = F.lead("at").over(by_deal)
        stays = t.filter(F.col("prev").isNull() | (F.col("prev") != F.col("stage"))).select(
            "opportunity_id",
            "at",
            "stage",
            F.coalesce(following, F.lit(NOW)).alias("until"),
            following.isNull().alias("current"),
        )
        days = (F.unix_micros("until") - F.unix_micros("at")) / (86400 * 1e6)
        return run(
            stays.filter(~F.col("stage").isin(closed))
            .withColumn("days", days)
            .groupBy("opportunity_id", "stage")
            .agg(
                F.count(F.lit(1)).alias("entries"),
                F.max_by("days", "at").alias("latest_days"),
                F.sum("days").alias("cumulative_days"),
                F.bool_or("current"),
            )
            .orderBy("opportunity_id", "stage")  # sorted, as salesflow's table is
        )

    def as_of() -> Any:  # the table salesflow's gives: every column of each deal's latest row
        rows = h.filter(F.col("at") <= F.lit(AS_OF))
        latest = rows.withColumn("_m", F.max("at").over(Window.partitionBy("opportunity_id")))
        return run(
            latest.filter(F.col("at") == F.col("_m"))
            .select(
                F.col("opportunity_id").alias("id"),
                *(c for c in h.columns if c != "opportunity_id"),
                F.col("stage").isin(closed).alias("is_closed"),
                F.col("stage").isin(won).alias("is_won"),
            )
            .orderBy("id")
        )

    def bridge() -> Any:  # salesflow's table: each deal's movement, amounts and change
        a = state(BRIDGE[0]).select(
            "opportunity_id", F.col("amount").alias("s_amount"), F.col("c").alias("s_c")
        )
        b = state(BRIDGE[1])
        j = b.join(a, "opportunity_id", "left").select(
            F.col("opportunity_id").alias("id"),
            F.coalesce(~F.col("s_c"), F.lit(False)).alias("in_start"),
            (~F.col("c")).alias("in_end"),
            F.col("s_c").isNotNull().alias("existed"),
            "s_c",
            "c",
            F.col("stage").isin(won).alias("w"),
            "s_amount",
            F.col("amount").alias("e_amount"),
        )
        k = j.filter(F.col("in_start") | F.col("in_end")).select(
            "*",
            F.when(F.col("in_start"), F.col("s_amount")).alias("start_amount"),
            F.when(F.col("in_end"), F.col("e_amount")).alias("end_amount"),
        )
        s_amt, e_amt = F.coalesce("start_amount", F.lit(0)), F.coalesce("end_amount", F.lit(0))
        both, ended = F.col("in_start") & F.col("in_end"), F.col("in_end")
        movement = (
            F.when(both & (e_amt > s_amt), "increased")
            .when(both & (e_amt < s_amt), "decreased")
            .when(both, "unchanged")
            .when(ended & ~F.col("existed"), "new")
            .when(ended & F.col("s_c"), "reopened")
            .when(ended, "pulled_in")
            .when(F.col("w"), "won")
            .when(F.col("c"), "lost")
            .otherwise("pushed_out")
        )
        return run(
            k.select(
                "id",
                movement.alias("movement"),
                "in_start",
                "in_end",
                "start_amount",
                "end_amount",
                (e_amt - s_amt).alias("change"),
                F.lit("USD").alias("currency"),
            ).orderBy("id")
        )

    def history_check() -> Any:  # salesflow's rule and rows, as in hand_duckdb_path
        t = h.select(
            "*",
            F.lag("stage").over(by_deal).alias("previous_stage"),
            *(F.lag(c).over(by_deal).alias(f"p_{c}") for c in COMPARED),
        )
        on = (t["previous_stage"] == legal["prev"]) & (t["stage"] == legal["legal_stage"])
        unchanged = F.lit(True)
        for c in COMPARED:
            unchanged = unchanged & F.col(f"p_{c}").eqNullSafe(F.col(c))
        rule = F.when(F.col("previous_stage") == F.col("stage"), unchanged).otherwise(
            F.col("prev").isNull()
        )
        bad = t.join(legal, on, "left").filter(F.col("previous_stage").isNotNull() & rule)
        return run(bad.select(*h.columns, "previous_stage"))

    return {
        "summary": summary,
        "win_rate": win_rate,
        "funnel": funnel,
        "time_in_stage": time_in_stage,
        "as_of": as_of,
        "bridge": bridge,
        "history_check": history_check,
    }


def hand_pandas_path(folder: Path) -> dict[str, Callable[[], Any]]:
    import pandas as pd

    snapshot = pd.read_parquet(files(folder, "snapshot"))
    history = pd.read_parquet(files(folder, "history"))
    for frame in (snapshot, history):  # what a pandas user does first: floats
        frame["amount"] = frame["amount"].astype("float64")
        frame["probability"] = frame["probability"].astype("float64")
    steps = [s.name for s in PROCESS.stages if s.is_won or not s.is_closed]
    legal = pd.DataFrame(_pairs(), columns=["prev", "stage"]).assign(ok=True)
    closed = [s.name for s in PROCESS.closed_stages]
    won_names = [s.name for s in PROCESS.won_stages]

    def summary() -> Any:
        s = snapshot.assign(w=snapshot["amount"] * snapshot["probability"] / 100)
        by_cat = s.groupby("forecast_category").agg(
            n=("id", "size"), amount=("amount", "sum"), w=("w", "sum")
        )
        won = s[s["is_won"]]
        lost = s[s["is_closed"] & ~s["is_won"]]
        return by_cat.shape, (len(won), won["amount"].sum()), len(lost)

    def win_rate() -> Any:
        return snapshot["is_won"].sum() / snapshot["is_closed"].sum()

    def funnel() -> Any:
        k = history["stage"].map({s: i for i, s in enumerate(steps)})
        top = k.groupby(history["opportunity_id"]).max()
        return [int((top >= i).sum()) for i in range(len(steps))]

    def time_in_stage() -> Any:
        h = history.loc[history["at"] <= pd.Timestamp(NOW), ["opportunity_id", "at", "stage"]]
        prev = h.groupby("opportunity_id")["stage"].shift(1)
        stays = h[prev.isna() | (prev != h["stage"])]
        until = stays.groupby("opportunity_id")["at"].shift(-1).fillna(pd.Timestamp(NOW))
        last = stays.groupby("opportunity_id")["stage"].transform("last")
        stays = stays.assign(
            days=(until - stays["at"]).dt.total_seconds() / 86400,
            current=stays["stage"] == last,
        )
        per = (
            stays[~stays["stage"].isin(closed)]
            .groupby(["opportunity_id", "stage"])
            .agg(
                entries=("days", "size"),
                latest_days=("days", "last"),
                cumulative_days=("days", "sum"),
                current=("current", "last"),
            )
        )
        return per.shape

    def state(moment: datetime) -> pd.DataFrame:
        h = history[history["at"] <= pd.Timestamp(moment)]
        last = h.sort_values(["opportunity_id", "at"]).groupby("opportunity_id").tail(1)
        return last.assign(c=last["stage"].isin(closed))

    def as_of() -> Any:
        return state(AS_OF).shape

    def bridge() -> Any:
        a = state(BRIDGE[0])
        a = a[~a["c"]][["opportunity_id", "amount"]].rename(columns={"amount": "start"})
        b = state(BRIDGE[1])[["opportunity_id", "stage", "c", "amount"]]
        j = a.merge(b.rename(columns={"amount": "end"}), on="opportunity_id", how="outer")
        movement = np.select(
            [
                j["start"].isna() & ~j["c"].fillna(False).astype(bool),
                j["start"].isna(),
                j["c"].fillna(False).astype(bool) & j["stage"].isin(won_names),
                j["c"].fillna(False).astype(bool),
                j["end"] > j["start"],
                j["end"] < j["start"],
            ],
            ["new", "none", "won", "lost", "increased", "decreased"],
            default="same",
        )
        return j.assign(movement=movement).groupby("movement").size().shape

    def history_check() -> Any:
        h = history.sort_values(["opportunity_id", "at"])
        shifted = h.groupby("opportunity_id")[["stage", "amount", "close_date"]].shift(1)
        h = h.assign(
            prev=shifted["stage"], prev_amount=shifted["amount"], prev_close=shifted["close_date"]
        )
        checked = h.merge(legal, on=["prev", "stage"], how="left")
        same = checked["prev"] == checked["stage"]
        repeat = (checked["prev_amount"] == checked["amount"]) & (
            checked["prev_close"] == checked["close_date"]
        )
        bad = checked[checked["prev"].notna() & np.where(same, repeat, checked["ok"].isna())]
        return bad.shape

    return {
        "summary": summary,
        "win_rate": win_rate,
        "funnel": funnel,
        "time_in_stage": time_in_stage,
        "as_of": as_of,
        "bridge": bridge,
        "history_check": history_check,
    }


def run_path(path: str, folder: Path, repeat: int) -> dict[str, Any]:
    """Load, then time each metric (best of ``repeat``); runs in its own process."""
    started = time.perf_counter()
    if path == "salesflow-polars":
        metrics = salesflow_path(folder, "polars")
    elif path == "salesflow-duckdb":
        metrics = salesflow_path(folder, "duckdb")
    elif path == LAZY_POLARS:
        metrics = salesflow_path(folder, "polars-lazy")
    elif path == "hand-polars":
        metrics = hand_polars_path(folder)
    elif path == "hand-duckdb":
        metrics = hand_duckdb_path(folder)
    elif path == "salesflow-spark":
        metrics = salesflow_path(folder, "spark")
    elif path == "hand-spark":
        metrics = hand_spark_path(folder)
    else:
        metrics = hand_pandas_path(folder)
    load = time.perf_counter() - started
    # The CPU of the JVM, a child process, counts with Python's on the Spark paths.
    jvm = _jvm_cpu(_active_spark()) if path in SPARK_PATHS else lambda: 0.0

    def cpu_clock() -> float:
        return time.process_time() + jvm()

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    answers: dict[str, str] = {}
    for name in METRICS:
        if name not in metrics:
            continue
        best, best_cpu = float("inf"), float("inf")
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), cpu_clock()
            answer = metrics[name]()
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, cpu_clock() - c0)
        times[name] = best
        cpu[name] = best_cpu
        answers[name] = repr(answer)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kB
    if path in SPARK_PATHS:  # the JVM is a child process: its peak is added to Python's
        peak += _jvm_peak(_active_spark())
    return {
        "path": path,
        "load": load,
        "times": times,
        "cpu": cpu,
        "answers": answers,
        "peak": peak,
        "load_average": os.getloadavg(),
    }


# ------------------------------------------------------------------ main


def _table(results: list[dict[str, Any]], n_rows: int, key: str) -> str:
    """One table of ``key`` ("times": wall clock, "cpu": CPU time of all threads)."""
    by_path = {r["path"]: r for r in results}
    paths = list(by_path)
    lines = [
        "| metric | "
        + " | ".join(paths)
        + " | sf-polars ÷ hand-polars | hand-pandas ÷ sf-polars | sf-duckdb ÷ hand-duckdb"
        + " | sf-spark ÷ hand-spark |",
        "|---|" + "---|" * (len(paths) + 4),
    ]
    for name in METRICS:
        got = {
            p: by_path.get(p, {}).get(key, {}).get(name) for p in (*PATHS, *SPARK_PATHS, *paths)
        }
        shown = [got[p] for p in paths]
        cells = ["n/a" if t is None else f"{t:.3f} s" for t in shown]
        sfp, hp, hpd = got["salesflow-polars"], got["hand-polars"], got["hand-pandas"]
        r1 = f"{sfp / hp:.2f}×" if sfp and hp else "n/a"
        r2 = f"{hpd / sfp:.1f}×" if sfp and hpd else "n/a"
        sfd, hd = got["salesflow-duckdb"], got["hand-duckdb"]
        r3 = f"{sfd / hd:.1f}×" if sfd and hd else "n/a"
        sfs, hs = got["salesflow-spark"], got["hand-spark"]
        r4 = f"{sfs / hs:.1f}×" if sfs and hs else "n/a"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {r1} | {r2} | {r3} | {r4} |")
    peaks = [f"{by_path[p]['peak'] / 2**20:.0f} MB" for p in paths]
    lines.append("| peak RSS | " + " | ".join(peaks) + " | | | | |")
    loads = [f"{by_path[p]['load_average'][0]:.1f}" for p in paths]
    lines.append("| load average at the end | " + " | ".join(loads) + " | | | | |")
    check = by_path.get("salesflow-polars", {}).get(key, {}).get("history_check")
    if check:
        lines.append("")
        lines.append(f"history check on Polars: {n_rows / check / 1e6:.1f} M rows/s ({key})")
    return "\n".join(lines)


def _rss(pid: int) -> int:
    """The resident memory of ``pid`` in bytes (Linux ``/proc``)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _watched(cmd: list[str], max_gb: float) -> str | None:
    """Run ``cmd``; its output, or ``None`` if it was stopped for passing ``max_gb`` (0: no limit)."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        if max_gb:
            while proc.poll() is None:
                if _rss(proc.pid) > max_gb * 2**30:
                    proc.kill()
                    proc.wait()
                    return None
                time.sleep(0.2)
        out, _ = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--data", type=Path, help="reuse (or create) the data in this folder")
    parser.add_argument(
        "--chunks", type=int, default=1, help="generate the data in this many parts (large data)"
    )
    parser.add_argument(
        "--max-rss", type=float, default=0, help="stop a path whose memory passes this many GB"
    )
    parser.add_argument("--run-path", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_path:
        print(json.dumps(run_path(args.run_path, args.data, args.repeat)))
        return
    if args.generate:
        generate(args.opportunities, args.rows, args.seed, args.data, chunks=args.chunks)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp)
        if not (folder / "history.parquet").exists() and not (folder / "history").is_dir():
            # In a subprocess too: Linux keeps a process's peak RSS across fork and
            # exec, so a parent that generated the data would pass its peak on.
            t0 = time.perf_counter()
            cmd = [sys.executable, __file__, "--generate", "--data", str(folder)]
            cmd += ["--opportunities", str(args.opportunities), "--rows", str(args.rows)]
            cmd += ["--chunks", str(args.chunks)]
            subprocess.run([*cmd, "--seed", str(args.seed)], check=True)
            print(f"generated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results = []
        for path in args.paths.split(","):
            cmd = [sys.executable, __file__, "--run-path", path, "--data", str(folder)]
            cmd += ["--repeat", str(args.repeat)]
            stdout = _watched(cmd, args.max_rss)
            if stdout is None:
                print(f"{path}: stopped, over {args.max_rss} GB", file=sys.stderr)
                continue
            result = json.loads(stdout.strip().splitlines()[-1])
            print(
                f"{path}: loaded in {result['load']:.1f} s; {result['answers']}", file=sys.stderr
            )
            results.append(result)
        print("Wall clock (best of the repeats):")
        print(_table(results, args.rows, "times"))
        print()
        print("CPU time of all threads (best of the repeats):")
        print(_table(results, args.rows, "cpu"))


if __name__ == "__main__":
    main()
