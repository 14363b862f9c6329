"""Pipeline inspection on PySpark: the same calls, a Spark DataFrame in, a Spark DataFrame out.

Run: python examples/spark_pipeline.py [DEALS]

A synthetic pipeline (``salesflow.datasets``) becomes salesflow's snapshot and
history tables, which are handed to a local SparkSession; the summary, the win
rate and the history check then run as Spark jobs (narwhals' lazy API, one
implementation for every backend) and are compared with the same calls on
Polars. On a cluster, read the tables with ``spark.read.parquet(...)`` instead.
Without PySpark or Java it says that it skipped and exits 0.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys

import salesflow as sf


def main(argv: list[str]) -> int:
    """Run the comparison; 0 when the backends agree or when skipped."""
    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        print("PySpark or Java is missing (pip install 'salesflow[spark]'); skipped.")
        return 0
    from pyspark.sql import SparkSession

    from salesflow import analytics, datasets

    process = sf.presets.salesforce_standard()
    data = datasets.synthetic(process, int(argv[0]) if argv else 500, seed=11)
    local = analytics.frames(data.opportunities, data.activities, process=process)

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("salesflow example")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")  # day counts are in UTC
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        on_spark = analytics.Frames(
            snapshot=spark.createDataFrame(local.snapshot.to_arrow()),
            history=spark.createDataFrame(local.history.to_arrow()),
            process=process,
        )
        summary = analytics.pipeline_summary(on_spark)
        print(type(summary.to_frame()).__name__, "with", len(summary.rows()), "lines")
        print(summary)
        same = summary.rows() == analytics.pipeline_summary(local).rows()
        rate = analytics.win_rate(on_spark)
        print(f"win rate (won / closed): {rate.rate:.3f}")
        same = same and rate.rows() == analytics.win_rate(local).rows()
        checked = analytics.check_history(on_spark.history, process)
        illegal = checked.filter("not legal").count()
        print(f"history check: {checked.count()} rows, {illegal} illegal")
    finally:
        spark.stop()
    print("Spark and Polars agree" if same else "Spark and Polars DISAGREE")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
