"""Recommendation on MovieLens 100k: embedlab's hybrid against LightFM, ALS, content, popularity.

Data: ``ml-100k.{inter,item}`` read from inside the recbole wheel (``pip download --no-deps
recbole``; the files are extracted to a cache folder outside the project, never into it),
ratings >= 4 as positives, item fields title and genres. Splits (``make_split``, the same as
``embedlab eval --task recommendation``): 20% of the items held out of training entirely (cold
items, ranked among themselves), 10% of the users held out (cold users: older half of their
history given, newer half to find), each remaining user's latest interaction held out (warm);
three seeds, mean and min-max.

Models: embedlab hybrid (minilm; alpha tuned on a validation split inside the training part),
content only, implicit ALS alone, popularity, and LightFM WARP in its own venv (item features
from the same fields: title words and genres, with and without per-item identity features; it
cannot score users it was not trained on, so it has no cold-user figures).

Also: fit time (embedlab hybrid vs ALS alone, paired alternating rounds on the whole data) and
latency of one recommendation (one user, k=10) p50/p99.

    flock /tmp/embedlab-bench.lock python benchmarks/recommend.py [--lightfm-python PATH]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import scipy.sparse as sp

from embedlab.data.interactions import Interactions, Items, load_recommendation_data
from embedlab.evaluate.recommendation import PopularityModel, evaluate_split
from embedlab.evaluate.recommendation_splits import make_split
from embedlab.recommend.content import categories_of, parse_fields, words_of
from embedlab.recommend.evaluation import ALSModel, HybridModel
from embedlab.recommend.fit import FitConfig, fit_recommender

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode import write_section  # noqa: E402

CACHE = Path(os.environ.get("EMBEDLAB_BENCH_CACHE", Path.home() / ".cache" / "embedlab-bench"))
RUNNER = Path(__file__).resolve().parent / "lightfm_runner.py"


def ml100k() -> Path:
    """The folder holding ml-100k.inter and ml-100k.item, extracted from the recbole wheel."""
    folder = CACHE / "ml-100k"
    if (folder / "ml-100k.inter").exists() and (folder / "ml-100k.item").exists():
        return folder
    wheels = CACHE / "wheels"
    if not list(wheels.glob("recbole-*.whl")):
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "recbole",
                        "-d", str(wheels)], check=True, timeout=300)
    wheel = next(wheels.glob("recbole-*.whl"))
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for ext in ("inter", "item"):
            name = f"recbole/dataset_example/ml-100k/ml-100k.{ext}"
            (folder / f"ml-100k.{ext}").write_bytes(z.read(name))
    return folder


def item_features(items: Items, identity: bool) -> sp.csr_matrix:
    """LightFM item features from the same fields: title words and genres (+ identity)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for row in range(len(items)):
        tokens = [f"w:{w}" for w in set(words_of(items.fields["title"][row]))]
        tokens += [f"g:{g}" for g in categories_of(items.fields["genres"][row])]
        for token in tokens:
            rows.append(row)
            cols.append(vocab.setdefault(token, len(vocab)))
    shared = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                           shape=(len(items), len(vocab)))
    # LightFM's advice: normalise each item's feature weights to sum to 1
    sums = np.asarray(shared.sum(axis=1)).ravel()
    shared = sp.diags(1.0 / np.maximum(sums, 1)) @ shared
    if identity:
        shared = sp.hstack([sp.identity(len(items), format="csr"), shared])
        sums = np.asarray(shared.sum(axis=1)).ravel()
        shared = sp.diags(1.0 / np.maximum(sums, 1)) @ shared
    return sp.csr_matrix(shared, dtype=np.float32)


class _Matrix:
    def __init__(self, scores: np.ndarray) -> None:
        self.matrix = scores

    def scores(self, user: int | None, history: np.ndarray, candidates: np.ndarray
               ) -> np.ndarray:
        if user is None:  # LightFM has no representation of a user it was not trained on
            return np.zeros(len(candidates), dtype=np.float32)
        return self.matrix[user, candidates]


class LightFMModel:
    """LightFM WARP, fitted by lightfm_runner.py in another Python environment."""

    def __init__(self, python: str, identity: bool, epochs: int, threads: int) -> None:
        self.python, self.identity, self.epochs, self.threads = python, identity, epochs, threads
        self.name = "lightfm (id+features)" if identity else "lightfm (features)"
        self.fit_s: list[float] = []
        self.latency: list[float] = []

    def fit_recommender(self, train: Interactions, items: Items) -> _Matrix:
        features = item_features(items, self.identity)
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
            np.savez(src, users=train.users, items=train.items, n_users=len(train.user_ids),
                     n_items=len(items), f_data=features.data, f_indices=features.indices,
                     f_indptr=features.indptr, f_shape=np.array(features.shape),
                     epochs=self.epochs, components=64, seed=0, threads=self.threads)
            subprocess.run([self.python, str(RUNNER), str(src), str(dst)], check=True,
                           timeout=1800)
            out = np.load(dst)
            self.fit_s.append(float(out["fit_s"]))
            self.latency.extend(out["latency_s"].tolist())
            return _Matrix(out["scores"])


def _fmt(values: list[float]) -> str:
    return f"{np.mean(values):.4f} ({min(values):.4f}–{max(values):.4f})"


def timings(data: Interactions, items: Items, embedder: Any, rounds: int) -> dict[str, Any]:
    """Fit seconds (hybrid vs ALS, alternating) and one-user latency of the hybrid."""
    config = FitConfig(parse_fields("title,genres"))
    hybrid_s, als_s, ratios = [], [], []
    rec = None
    for r in range(rounds):
        order = ("hybrid", "als") if r % 2 == 0 else ("als", "hybrid")
        seconds = {}
        for which in order:
            start = time.perf_counter()
            if which == "hybrid":
                rec = fit_recommender(data, items, embedder, config)
            else:
                ALSModel().fit_recommender(data, items)
            seconds[which] = time.perf_counter() - start
        hybrid_s.append(seconds["hybrid"])
        als_s.append(seconds["als"])
        ratios.append(seconds["hybrid"] / seconds["als"])
    assert rec is not None
    rng = np.random.default_rng(0)
    users = [rec.user_ids[i] for i in rng.integers(0, len(rec.user_ids), 1000)]
    for user in users[:50]:  # warm-up
        rec.for_user(user, 10, exclude_seen=True)
    user_lat = []
    for user in users:
        t = time.perf_counter()
        rec.for_user(user, 10, exclude_seen=True)
        user_lat.append(time.perf_counter() - t)
    warm_ids = [rec.item_ids[i] for i in np.flatnonzero(rec.warm)]
    hist_lat = []
    for _ in range(1000):
        history = [warm_ids[i] for i in rng.choice(len(warm_ids), 10, replace=False)]
        t = time.perf_counter()
        rec.for_history(history, 10)
        hist_lat.append(time.perf_counter() - t)
    return {"hybrid_s": hybrid_s, "als_s": als_s, "ratios": ratios, "user_lat": user_lat,
            "hist_lat": hist_lat, "alpha": (rec.alpha_warm, rec.alpha_cold)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--lightfm-python", default="/tmp/lightfm-venv/bin/python")
    ap.add_argument("--lightfm-epochs", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3, help="paired fit-time rounds")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    load_start = os.getloadavg()
    from embedlab.registry import load

    folder = ml100k()
    data, items = load_recommendation_data(folder / "ml-100k.inter", fields=["title", "genres"],
                                           min_rating=4)
    embedder = load(args.model)
    models: list[Any] = [HybridModel(embedder), HybridModel(embedder, "content"), ALSModel(),
                         PopularityModel()]
    lightfm_version = ""
    if Path(args.lightfm_python).exists():
        lightfm_version = subprocess.run(
            [args.lightfm_python, "-c", "import lightfm; print(lightfm.__version__)"],
            capture_output=True, text=True, check=True).stdout.strip()
        models += [LightFMModel(args.lightfm_python, True, args.lightfm_epochs, 2),
                   LightFMModel(args.lightfm_python, False, args.lightfm_epochs, 2)]
    results: dict[str, dict[str, list[float]]] = {}
    alphas: list[str] = []
    started = time.perf_counter()
    for seed in range(args.seeds):
        split = make_split(data, how="leave-last", cold_item_share=0.2, cold_user_share=0.1,
                           seed=seed)
        for model in models:
            scores = evaluate_split(split, items, model, seed=seed)
            for key, value in scores.items():
                results.setdefault(model.name, {}).setdefault(key, []).append(value)
            if isinstance(model, HybridModel) and model.mode == "hybrid":
                alphas.append(f"{scores['alpha_warm']:g}/{scores['alpha_cold']:g}")
            print(seed, model.name, {k: round(v, 4) for k, v in scores.items()
                                     if k.endswith("@20") and "coverage" not in k}, flush=True)
    quality_s = time.perf_counter() - started
    timing = timings(data, items, embedder, args.rounds)
    load_end = os.getloadavg()
    lines = [
        "## Recommendation on MovieLens 100k (issue 19)", "",
        f"Command: `flock /tmp/embedlab-bench.lock python benchmarks/recommend.py "
        f"--seeds {args.seeds} --lightfm-epochs {args.lightfm_epochs}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, no GPU, shared with other "
        f"jobs (noisy); Python {platform.python_version()}; load average "
        f"{load_start[0]:.2f} at start, {load_end[0]:.2f} at end.  ",
        f"Data: ml-100k from the recbole wheel, ratings >= 4 ({len(data)} interactions, "
        f"{len(set(data.users.tolist()))} users, {len(items)} items), fields title + genres. "
        "Split per seed: 20% of items out of training (cold items, ranked among the cold "
        "items), 10% of users out (cold users: older half given, newer half to find), each "
        "other user's latest interaction held out (warm, ranked among the trained items less "
        f"the user's own). Mean over {args.seeds} seeds (min–max). Quality runs took "
        f"{quality_s:.0f} s.  ",
        f"embedlab hybrid: {args.model}; title as TF-IDF-weighted word vectors, genres as a "
        "category table (learned through the content→factor ridge map), implicit ALS 64 "
        f"factors; tuned alpha (warm/cold) per seed: {', '.join(alphas)}.  ",
        ("LightFM: " + (f"lightfm {lightfm_version} built in its own venv "
                        f"({args.lightfm_python}; `pip install 'setuptools<60' wheel cython "
                        "numpy scipy` then `pip install --no-build-isolation lightfm`), WARP, "
                        f"64 components, {args.lightfm_epochs} epochs, item features = title "
                        "words + genres (normalised), with and without identity features; it "
                        "has no cold-user figures (no user features to place a new user)."
                        if lightfm_version else "not run (no LightFM environment).")),
        "",
    ]
    names = list(results)
    header = "| part | metric | " + " | ".join(names) + " |"
    lines += [header, "|---|---|" + "---:|" * len(names)]
    for part in ("warm", "cold-items", "cold-users"):
        for metric in ("recall@20", "ndcg@20", "hit@20", "coverage@20"):
            key = f"{part}/{metric}"
            cells = []
            for name in names:
                lightfm_user = name.startswith("lightfm") and part == "cold-users"
                cells.append("—" if lightfm_user else _fmt(results[name][key]))
            lines.append(f"| {part} | {metric} | " + " | ".join(cells) + " |")
    ms = lambda xs, q: 1000 * float(np.percentile(xs, q))  # noqa: E731
    lines += [
        "",
        f"Fit on all {len(data)} interactions, {args.rounds} paired alternating rounds: embedlab "
        f"hybrid {median(timing['hybrid_s']):.1f} s (median; includes encoding the items with "
        f"{args.model} — from the vector cache after the first round — and the alpha tuning, "
        f"which fits ALS twice), ALS alone {median(timing['als_s']):.1f} s; hybrid/ALS "
        f"{median(timing['ratios']):.1f}× (per-round {min(timing['ratios']):.1f}–"
        f"{max(timing['ratios']):.1f}).",
    ]
    for model in models:
        if isinstance(model, LightFMModel) and model.fit_s:
            lines.append(f"{model.name}: fit {median(model.fit_s):.1f} s (median of the "
                         f"{len(model.fit_s)} seed runs on the training parts, not paired).")
    lines += [
        "",
        "| latency, k=10 | p50 ms | p99 ms |",
        "|---|---:|---:|",
        f"| embedlab, known user (--exclude-seen) | {ms(timing['user_lat'], 50):.2f} | "
        f"{ms(timing['user_lat'], 99):.2f} |",
        f"| embedlab, new user from a 10-item history (fold-in) | "
        f"{ms(timing['hist_lat'], 50):.2f} | {ms(timing['hist_lat'], 99):.2f} |",
    ]
    for model in models:
        if isinstance(model, LightFMModel) and model.latency:
            lines.append(f"| {model.name}, known user (precomputed item representations; "
                         f"other process, not paired) | {ms(model.latency, 50):.2f} | "
                         f"{ms(model.latency, 99):.2f} |")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("recommend", body)


if __name__ == "__main__":
    main()
