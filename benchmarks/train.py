"""Training figures for issue 4, written into benchmarks/results.md (``train`` section).

1. Fine-tune ``minilm`` on SciFact's train qrels with one mined hard negative per pair, then
   SciFact test nDCG@10 and STS-B test Spearman of the base model and of the result.
2. Distil ``minilm`` into a static model (model2vec); STS-B Spearman retention and encoding
   speed against ``minilm`` on the same sentences, same batch size.
3. word2vec trained twice, deterministically, on the same corpus: identical vectors or not.

    python benchmarks/train.py [--epochs 1] [--lr 3e-5] [--skip-finetune] [--skip-distill]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from encode import ROOT, stsb_test_sentences, write_section  # noqa: E402

import embedlab  # noqa: E402
from embedlab.evaluate import parse_task  # noqa: E402
from embedlab.named_models import package_dir  # noqa: E402
from embedlab.train.distill import distill_static  # noqa: E402
from embedlab.train.finetune import FinetuneConfig, finetune  # noqa: E402
from embedlab.train.static import StaticTrainConfig, train_static  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
SCIFACT = f"retrieval:{DATA / 'scifact'}"
STSB = f"sts:{DATA / 'stsb-en' / 'stsbenchmark.tsv.gz'}"


def finetune_section(tmp: Path, epochs: float, lr: float, batch_size: int) -> str:
    start = time.perf_counter()
    config = FinetuneConfig(epochs=epochs, learning_rate=lr, batch_size=batch_size,
                            hard_negatives=1, mining_range=(10, 100), mining_margin=0.05)
    report = finetune("minilm", DATA / "scifact", tmp / "minilm-scifact", config,
                      eval_tasks=[SCIFACT, STSB], progress=False,
                      log=lambda m: print(m, flush=True))
    took = time.perf_counter() - start
    sci = next(k for k in report.before if k.startswith("retrieval"))
    sts = next(k for k in report.before if k.startswith("sts"))
    b_sci, a_sci = report.before[sci]["ndcg@10"], report.after[sci]["ndcg@10"]
    b_sts, a_sts = report.before[sts]["spearman"], report.after[sts]["spearman"]
    return "\n".join([
        "## Training (issue 4): fine-tuning minilm on SciFact train with mined hard negatives",
        "",
        f"Command: `embedlab finetune -m minilm --train ../shared/datasets/scifact --out DIR "
        f"--hard-negatives 1 --rank-window 10-100 --mining-margin 0.05 --epochs {epochs:g} "
        f"--lr {lr:g} --batch-size {batch_size} --eval retrieval:../shared/datasets/scifact "
        f"--eval sts:../shared/datasets/stsb-en/stsbenchmark.tsv.gz` (run by "
        f"`python benchmarks/train.py`).  ",
        f"Loss {report.loss}; {report.examples} training triplets ({report.mining}); "
        f"{report.steps} steps. Total wall time, mining + training + both evaluations: "
        f"**{took / 60:.1f} min** (training alone {report.seconds / 60:.1f} min).",
        "",
        "| model | SciFact test nDCG@10 | STS-B test Spearman |",
        "|---|---:|---:|",
        f"| minilm (base) | {b_sci:.4f} | {b_sts:.4f} |",
        f"| minilm fine-tuned | {a_sci:.4f} | {a_sts:.4f} |",
        f"| change (points) | {100 * (a_sci - b_sci):+.2f} | {100 * (a_sts - b_sts):+.2f} |",
        "",
    ])


def refinement_corpus(tmp: Path) -> Path:
    """Unlabelled English text for the refinement step: STS-B *train* sentences and Banking77
    *train* texts (no test split, no labels or scores)."""
    from embedlab.data.labelled import load_labelled_texts
    from embedlab.data.pairs import load_sts

    sts = load_sts(DATA / "stsb-en" / "stsbenchmark.tsv.gz", split="train")
    bank = load_labelled_texts(DATA / "banking77" / "train.csv")
    path = tmp / "refine.txt"
    path.write_text("\n".join(sts.texts1 + sts.texts2 + bank.texts) + "\n", encoding="utf-8")
    return path


def distill_section(tmp: Path, refine: str | None) -> str:
    if refine == "default":
        refine = str(refinement_corpus(tmp))
    task = parse_task(STSB, split="test")
    base = embedlab.load("minilm", cache_dir=False)
    t0 = time.perf_counter()
    report = distill_static("minilm", tmp / "minilm-static", pca_dims=256,
                            refine_corpus=refine, progress=True)
    distill_s = time.perf_counter() - t0
    static = embedlab.load(tmp / "minilm-static", cache_dir=False)
    sp_base = task.evaluator()(base)["spearman"]
    sp_static = task.evaluator()(static)["spearman"]
    texts = stsb_test_sentences()
    rates = {}
    for name, model in (("minilm", base), ("static", static)):
        model.encode(texts[:64])
        best = 0.0
        for _ in range(3):
            t = time.perf_counter()
            model.encode(texts, batch_size=32)
            best = max(best, len(texts) / (time.perf_counter() - t))
        rates[name] = best
    return "\n".join([
        "## Training (issue 4): distilling minilm into a static model",
        "",
        f"Command: `embedlab distill -m minilm --out DIR{' --refine CORPUS' if refine else ''}`"
        f" (PCA to 256 dimensions; run by `python benchmarks/train.py --skip-finetune"
        f"{' --refine default' if refine else ''}`; CORPUS = the STS-B train sentences and "
        "Banking77 train texts, unlabelled); distillation took "
        f"{distill_s:.0f} s"
        f"{f', refined on {report.refined_on} texts' if report.refined_on else ''}; vector "
        "cache off for the speed runs; batch size 32; best of 3.",
        "",
        "| model | STS-B test Spearman | sentences/s |",
        "|---|---:|---:|",
        f"| minilm | {sp_base:.4f} | {rates['minilm']:,.0f} |",
        f"| distilled static (dim {report.dim}, {report.vocabulary} tokens) | {sp_static:.4f} "
        f"({100 * sp_static / sp_base:.1f}% of minilm) | {rates['static']:,.0f} "
        f"({rates['static'] / rates['minilm']:.0f}× minilm) |",
        "",
    ])


def word2vec_section(tmp: Path) -> str:
    corpus = package_dir("gensim") / "test" / "test_data" / "lee_background.cor"
    config = StaticTrainConfig(algo="word2vec", dim=100, epochs=10)
    reports = [train_static(corpus, tmp / f"w2v-{i}", config, evaluate=False) for i in (1, 2)]
    from gensim.models import KeyedVectors

    a = KeyedVectors.load(str(tmp / "w2v-1" / "vectors.kv"))
    b = KeyedVectors.load(str(tmp / "w2v-2" / "vectors.kv"))
    same = a.index_to_key == b.index_to_key and np.array_equal(a.vectors, b.vectors)
    diff = (float(np.max(np.abs(a.vectors - b.vectors)))
            if a.vectors.shape == b.vectors.shape else float("nan"))
    return "\n".join([
        "## Training (issue 4): deterministic word2vec",
        "",
        "Command: `embedlab train-static --algo word2vec --corpus "
        "gensim/test/test_data/lee_background.cor --out DIR --epochs 10`, twice.  ",
        f"{reports[0].vocabulary} words × 100 dimensions, {reports[0].seconds:.1f} s each; "
        f"vectors identical: **{same}** (max abs difference {diff:g}).",
        "",
    ])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--refine", help="a text corpus for the tokenlearn refinement step, or "
                    "'default' (STS-B and Banking77 train texts)")
    ap.add_argument("--skip-finetune", action="store_true")
    ap.add_argument("--skip-distill", action="store_true")
    args = ap.parse_args()
    header = (f"Machine: {platform.machine()}, {os.cpu_count()} cores, no GPU, Python "
              f"{platform.python_version()}.\n")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        parts = {"train-word2vec": word2vec_section(tmp)}
        if not args.skip_distill:
            parts["train-distill"] = distill_section(tmp, args.refine)
        if not args.skip_finetune:
            parts["train-finetune"] = finetune_section(tmp, args.epochs, args.lr,
                                                       args.batch_size)
    for name, body in parts.items():  # each part its own section: parts can be rerun alone
        print(body)
        write_section(name, f"{body}\n{header}")


if __name__ == "__main__":
    main()
