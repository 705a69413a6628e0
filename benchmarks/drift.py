"""Drift figures for issue 8, written into benchmarks/results.md (``drift`` section).

1. Calibration: random halves of the SciFact corpus (minilm vectors), 100 trials per method at
   the default threshold: how often is drift called (the false-alarm rate)?
2. Power: SciFact documents against Banking77 texts, and STS-B sentences against SciFact
   documents, 20 random samples of 1,000 per side: how often is drift called?
3. Sensitivity: a reference half of SciFact against samples mixing in 0%, 10%, ... of Banking77;
   detection rate and mean score per method (table, and a plot in benchmarks/figures/).
4. Speed: each method on 10,000 × 384 vectors.

    python benchmarks/drift.py [--trials 100] [--model minilm]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encode import ROOT, stsb_test_sentences, write_section  # noqa: E402

import embedlab  # noqa: E402
from embedlab.data.labelled import load_labelled_texts  # noqa: E402
from embedlab.data.retrieval_sets import load_beir  # noqa: E402
from embedlab.monitor.drift import METHODS, detect_drift  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
FIGURES = ROOT / "benchmarks" / "figures"
MIX = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]


def vectors(model_name: str) -> dict[str, np.ndarray]:
    model = embedlab.load(model_name)
    scifact = list(load_beir(DATA / "scifact", split="test").corpus.values())
    banking = load_labelled_texts(DATA / "banking77" / "test.csv").texts
    return {
        "scifact": model.encode(scifact, kind="document", progress=True),
        "banking77": model.encode(banking, kind="query", progress=True),
        "stsb": model.encode(stsb_test_sentences(), kind="query", progress=True),
    }


def calibration(v: np.ndarray, trials: int) -> dict[str, int]:
    alarms = dict.fromkeys(METHODS, 0)
    for t in range(trials):
        order = np.random.default_rng(1000 + t).permutation(len(v))
        half = len(v) // 2
        for m in METHODS:
            alarms[m] += detect_drift(v[order[:half]], v[order[half:]], m, seed=t).drift
    return alarms


def power(a: np.ndarray, b: np.ndarray, trials: int, size: int = 1000) -> dict[str, int]:
    hits = dict.fromkeys(METHODS, 0)
    for t in range(trials):
        rng = np.random.default_rng(2000 + t)
        x = a[rng.choice(len(a), size=min(size, len(a)), replace=False)]
        y = b[rng.choice(len(b), size=min(size, len(b)), replace=False)]
        for m in METHODS:
            hits[m] += detect_drift(x, y, m, seed=t).drift
    return hits


def sensitivity(base: np.ndarray, other: np.ndarray, trials: int, size: int = 1000
                ) -> dict[str, list[tuple[float, float]]]:
    """Per method, per mix share: (detection rate, mean score)."""
    out: dict[str, list[tuple[float, float]]] = {m: [] for m in METHODS}
    for share in MIX:
        detected = dict.fromkeys(METHODS, 0)
        scores: dict[str, list[float]] = {m: [] for m in METHODS}
        for t in range(trials):
            rng = np.random.default_rng(3000 + t)
            order = rng.permutation(len(base))
            ref = base[order[:size]]
            n_other = int(round(share * size))
            cur = np.vstack([base[order[size:2 * size - n_other]],
                             other[rng.choice(len(other), size=n_other, replace=False)]])
            for m in METHODS:
                r = detect_drift(ref, cur, m, seed=t)
                detected[m] += r.drift
                scores[m].append(r.score)
        for m in METHODS:
            out[m].append((detected[m] / trials, float(np.mean(scores[m]))))
    return out


def plot(curves: dict[str, list[tuple[float, float]]]) -> Path:
    from matplotlib.figure import Figure

    FIGURES.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    for m, points in curves.items():
        ax.plot([100 * s for s in MIX], [p[0] for p in points], marker="o", label=m)
    ax.set_xlabel("% of Banking77 texts mixed into SciFact documents")
    ax.set_ylabel("share of trials called drift")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path = FIGURES / "drift_sensitivity.png"
    fig.savefig(path, dpi=110)
    return path


def speed() -> dict[str, float]:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(10_000, 384)).astype(np.float32)
    b = (rng.normal(size=(10_000, 384)) + 0.01).astype(np.float32)
    out = {}
    for m in METHODS:
        t = time.perf_counter()
        detect_drift(a, b, m)
        out[m] = time.perf_counter() - t
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--power-trials", type=int, default=20)
    ap.add_argument("--mix-trials", type=int, default=5)
    ap.add_argument("--model", default="minilm")
    args = ap.parse_args()
    start = time.perf_counter()
    v = vectors(args.model)
    alarms = calibration(v["scifact"], args.trials)
    print("calibration", alarms, flush=True)
    p1 = power(v["scifact"], v["banking77"], args.power_trials)
    p2 = power(v["stsb"], v["scifact"], args.power_trials)
    print("power", p1, p2, flush=True)
    curves = sensitivity(v["scifact"], v["banking77"], args.mix_trials)
    figure = plot(curves)
    timings = speed()
    took = time.perf_counter() - start
    lines = [
        "## Drift detection (issue 8)",
        "",
        f"Command: `python benchmarks/drift.py --trials {args.trials} --power-trials "
        f"{args.power_trials} --mix-trials {args.mix_trials} --model {args.model}` — "
        f"{took / 60:.1f} min. Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Default threshold: p < 0.01 for every method.",
        "",
        "| method | false alarms, SciFact half vs half | SciFact vs Banking77 | "
        "STS-B vs SciFact | seconds on 10,000 × 384 |",
        "|---|---:|---:|---:|---:|",
    ]
    for m in METHODS:
        lines.append(f"| {m} | {alarms[m]} / {args.trials} | {p1[m]} / {args.power_trials} | "
                     f"{p2[m]} / {args.power_trials} | {timings[m]:.2f} |")
    lines += ["", f"Sensitivity: SciFact reference (1,000 documents) against 1,000 texts with a "
              f"share of Banking77 mixed in; share of {args.mix_trials} trials called drift "
              f"(mean score). Plot: `benchmarks/figures/{figure.name}`.", "",
              "| method | " + " | ".join(f"{int(100 * s)}%" for s in MIX) + " |",
              "|---|" + "---:|" * len(MIX)]
    for m in METHODS:
        lines.append(f"| {m} | " + " | ".join(f"{d:.1f} ({s:.3g})" for d, s in curves[m]) + " |")
    lines.append("")
    body = "\n".join(lines)
    print(body)
    write_section("drift", body)


if __name__ == "__main__":
    main()
