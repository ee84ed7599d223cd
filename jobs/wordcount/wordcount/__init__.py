"""The reference job's logic, shipped to the job as its ``spark.submit.pyFiles`` zip."""

from __future__ import annotations

from typing import Any

from pyspark.sql import functions


def count_words(lines: Any) -> Any:
    """``word, count`` rows of a DataFrame of text lines (column ``value``), most frequent first."""
    words = lines.select(functions.explode(functions.split("value", r"\s+")).alias("word"))
    return (
        words.where(functions.col("word") != "")
        .groupBy("word")
        .count()
        .orderBy(functions.desc("count"), "word")
    )
