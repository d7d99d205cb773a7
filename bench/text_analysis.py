"""Time ``kano.analytics.text.analyze_comments`` on the demo's comments.

Usage: python bench/text_analysis.py [SIZE] [--distinct]
  SIZE      demo company size (S, M; default M: ~25k comments)
  --distinct  make every comment distinct (append an order number), as real feedback is:
              the demo's comments are templates, which the analysis detects and fits once.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq


def main() -> None:
    from kano.analytics.text import analyze_comments
    from kano.demo import generate_company

    size = next((a for a in sys.argv[1:] if not a.startswith("--")), "M")
    distinct = "--distinct" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "company"
        generate_company(size, 1, out)
        frame = pq.read_table(next(out.rglob("responses*.parquet"))).to_pandas()
    frame = frame[frame["comment"].notna()].reset_index(drop=True)
    frame["touchpoint"] = frame["touchpoint_id"].astype(str)
    frame["segment"] = ""
    if distinct:
        frame["comment"] = frame["comment"] + " #" + frame.index.astype(str)
    steps: list[tuple[str, float]] = []
    start = time.perf_counter()
    analysis = analyze_comments(frame, progress=lambda s: steps.append((s, time.perf_counter())))
    total = time.perf_counter() - start
    marks = [start] + [t for _, t in steps[1:]] + [start + total]  # one more than steps
    print(f"{len(frame)} comments ({frame['comment'].nunique()} distinct), size {size}: "
          f"{total:.2f} s; " + ", ".join(f"{name} {b - a:.2f} s" for (name, _), a, b
                                        in zip(steps, marks[:-1], marks[1:], strict=True)))
    print(analysis.model.as_dict())


if __name__ == "__main__":
    main()
