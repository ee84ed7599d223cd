"""Count the words of text files: ``main.py <input URI> <output URI>`` (a reference job)."""

from __future__ import annotations

import sys

from pyspark.sql import SparkSession
from wordcount import count_words


def main(argv: list[str]) -> None:
    """Read text under ``argv[0]``, write ``word,count`` rows under ``argv[1]``."""
    source, target = argv
    spark = SparkSession.builder.appName("wordcount").getOrCreate()
    counts = count_words(spark.read.text(source))
    counts.write.mode("overwrite").csv(target, header=True)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
