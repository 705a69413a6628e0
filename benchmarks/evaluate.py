"""Evaluation figures for issue 3: each model on each standard data set it applies to.

Every cell is one ``embedlab eval -m MODEL --task TASK`` run through the library (same code path),
timed on its own; encodings are cached, so the time of a task that reuses a corpus is the time
of a warm run where an earlier row encoded it. Results go into benchmarks/results.md between the
``evaluate`` markers, with the command and seconds of each cell.

    python benchmarks/evaluate.py [--models minilm,bm25,...] [--tasks sts-en,scifact,...]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encode import ROOT, write_section  # noqa: E402

from embedlab.evaluate import (  # noqa: E402
    NotApplicableError,
    evaluate_model,
    get_model,
    parse_task,
)

DATA = ROOT.parent / "shared" / "datasets"
TASKS = {
    "sts-en": (f"sts:{DATA / 'stsb-en' / 'stsbenchmark.tsv.gz'}", "test"),
    "scifact": (f"retrieval:{DATA / 'scifact'}", "test"),
    "banking77": (f"classification:{DATA / 'banking77'}", "test"),
    "banking77-clustering": (f"clustering:{DATA / 'banking77' / 'test.csv'}", None),
    "atec": (f"pair-classification:{DATA / 'atec-zh'}", "test"),
    "sts-zh": (f"sts:{DATA / 'stsb-zh'}", "test"),
    "wordsim353": ("word-similarity:wordsim353", None),
    "analogy": ("analogy:google-analogies", None),
}
MODELS = ["minilm", "minilm-onnx-int8", "glove-50", "static-multilingual", "e5-multilingual",
          "bm25"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--tasks", default=",".join(TASKS))
    args = ap.parse_args()
    names = [t for t in args.tasks.split(",") if t]
    tasks = {n: parse_task(TASKS[n][0], split=TASKS[n][1]) for n in names}
    rows = []
    for model_name in args.models.split(","):
        model = get_model(model_name)
        for name, task in tasks.items():
            spec, split = TASKS[name]
            command = f"embedlab eval -m {model_name} --task {spec.replace(str(ROOT.parent), '..')}"
            if split:
                command += f" --split {split}"
            start = time.perf_counter()
            try:
                result = evaluate_model(model, task, progress=False)
            except NotApplicableError:
                continue
            took = time.perf_counter() - start
            rows.append((model_name, name, result.main_metric, result.main_score, took,
                         command))
            print(f"{model_name:20} {name:22} {result.main_metric:10} {result.main_score:.4f} "
                  f"{took:7.1f} s", flush=True)
    lines = [
        "## Evaluation on the shared data sets (issue 3)",
        "",
        f"Command: `python benchmarks/evaluate.py` (each row is the `embedlab eval` command "
        f"shown). Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; seconds include encoding unless the vectors were "
        "already in the encode cache from an earlier row or run. Scores are fractions.",
        "",
        "| model | data set | metric | score | seconds | command |",
        "|---|---|---|---:|---:|---|",
    ]
    for model_name, name, metric, score, took, command in rows:
        lines.append(f"| {model_name} | {name} | {metric} | {score:.4f} | {took:.1f} | "
                     f"`{command}` |")
    lines.append("")
    write_section("evaluate", "\n".join(lines))


if __name__ == "__main__":
    main()
