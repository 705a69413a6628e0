"""``embedlab finetune``, ``mine``, ``train-static`` and ``distill``: make or adapt a model.

Each command turns its options into a call to :mod:`embedlab.train` and prints the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from embedlab.cli.common import ModelOpt, err, out
from embedlab.errors import EmbedlabError
from embedlab.named_models import DEFAULT_MODEL


def _int_list(text: str | None, what: str) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise EmbedlabError(f"{what} must be comma-separated whole numbers, not {text!r}") \
            from None


def _rank_window(text: str) -> tuple[int, int]:
    parts = text.replace("-", ",").split(",")
    try:
        low, high = (int(p) for p in parts)
    except ValueError:
        raise EmbedlabError(f"--rank-window must look like 10-100, not {text!r}") from None
    return low, high


def finetune(
    train: Annotated[str, typer.Option("--train", help="Pairs/triplets/scored pairs (CSV, TSV, "
                                       "JSONL), raw text (.txt, SimCSE) or a BEIR folder.")],
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    model: ModelOpt = DEFAULT_MODEL,
    eval_tasks: Annotated[list[str] | None, typer.Option(
        "--eval", help="KIND:PATH task scored before and after (repeatable).")] = None,
    loss: Annotated[str | None, typer.Option(
        help="mnrl, cached-mnrl, triplet, contrastive, cosent (default: follows the data).")]
    = None,
    epochs: Annotated[float, typer.Option()] = 1.0,
    lr: Annotated[float, typer.Option("--lr", help="Peak learning rate.")] = 2e-5,
    batch_size: Annotated[int, typer.Option(min=2)] = 32,
    warmup: Annotated[float, typer.Option(help="Warm-up share of the steps.")] = 0.1,
    temperature: Annotated[float, typer.Option(help="InfoNCE temperature.")] = 0.05,
    margin: Annotated[float | None, typer.Option(help="Triplet/contrastive margin.")] = None,
    mini_batch_size: Annotated[int, typer.Option(min=1, help="cached-mnrl chunk size.")] = 16,
    matryoshka: Annotated[str | None, typer.Option(help="e.g. 384,256,128,64")] = None,
    hard_negatives: Annotated[int, typer.Option(min=0, help="Mined negatives per pair.")] = 0,
    mining_source: Annotated[str, typer.Option(help="model or bm25.")] = "model",
    rank_window: Annotated[str, typer.Option(help="Candidate ranks, e.g. 10-100.")] = "10-100",
    mining_margin: Annotated[float, typer.Option(help="Drop candidates scoring within this "
                                                 "of the positive.")] = 0.05,
    lora: Annotated[bool, typer.Option(help="Train LoRA adapters (merged on save).")] = False,
    dim: Annotated[int | None, typer.Option(min=1, help="Add a projection head to DIM.")] = None,
    max_length: Annotated[int | None, typer.Option(min=4)] = None,
    seed: Annotated[int, typer.Option()] = 42,
    split: Annotated[str, typer.Option(help="BEIR qrels split to train on.")] = "train",
    resume: Annotated[bool, typer.Option(help="Continue from DIR.partial's checkpoints.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Fine-tune a transformer on your pairs, triplets or scored pairs; report before/after."""
    from embedlab.train.finetune import FinetuneConfig
    from embedlab.train.finetune import finetune as run_finetune

    config = FinetuneConfig(
        loss=loss, epochs=epochs, learning_rate=lr, batch_size=batch_size, warmup_ratio=warmup,
        temperature=temperature, margin=margin, mini_batch_size=mini_batch_size,
        matryoshka=_int_list(matryoshka, "--matryoshka"), hard_negatives=hard_negatives,
        mining_source=mining_source, mining_range=_rank_window(rank_window),
        mining_margin=mining_margin, lora=lora, dim=dim, max_length=max_length, seed=seed,
        resume=resume, split=split)
    report = run_finetune(model, train, out_dir, config, eval_tasks=eval_tasks or [],
                          log=lambda m: err.print(m))
    if as_json:
        print(json.dumps(report.as_dict()))
    else:
        err.print(f"wrote {report.out_dir} ({report.examples} examples, {report.steps} steps, "
                  f"{report.seconds:.0f} s); report: {Path(report.out_dir) / 'report.md'}")
        for task, before in report.before.items():
            after = report.after[task]
            metric = next(iter(before))
            out.print(f"{task}: {metric} {before[metric]:.4f} -> {after[metric]:.4f}")


def mine(
    train: Annotated[str, typer.Option("--train", help="Pairs file or BEIR folder.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Triplets out: .jsonl.")],
    model: ModelOpt = DEFAULT_MODEL,
    negatives: Annotated[int, typer.Option(min=1, help="Negatives per pair.")] = 1,
    source: Annotated[str, typer.Option(help="Candidates from: model or bm25.")] = "model",
    rank_window: Annotated[str, typer.Option(help="Candidate ranks, e.g. 10-100.")] = "10-100",
    margin: Annotated[float, typer.Option(help="Drop candidates within this of the positive.")]
    = 0.05,
    split: Annotated[str, typer.Option(help="BEIR qrels split.")] = "train",
) -> None:
    """Mine hard negatives for (anchor, positive) pairs and write triplets as JSON lines."""
    from embedlab.files import atomic_write
    from embedlab.train.finetune import mine_triplets

    target = Path(output)
    if target.suffix != ".jsonl":
        raise EmbedlabError(f"{output}: mined triplets are written as .jsonl")
    rows, stats = mine_triplets(train, model, negatives=negatives, source=source,
                                rank_range=_rank_window(rank_window), margin=margin,
                                split=split)
    atomic_write(target, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    err.print(f"wrote {len(rows)} triplets to {target}; {json.dumps(stats)}")


def train_static(
    corpus: Annotated[str, typer.Option("--corpus", help="One document a line.")],
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    algo: Annotated[str, typer.Option(help="word2vec, fasttext or doc2vec.")] = "word2vec",
    dim: Annotated[int, typer.Option(min=1)] = 100,
    window: Annotated[int, typer.Option(min=1)] = 5,
    min_count: Annotated[int, typer.Option(min=1)] = 2,
    epochs: Annotated[int, typer.Option(min=1)] = 5,
    seed: Annotated[int, typer.Option()] = 42,
    fast: Annotated[bool, typer.Option("--fast", help="Several threads; not repeatable.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Train word2vec/fastText/Doc2Vec (gensim), deterministic by default; evaluate words."""
    from dataclasses import asdict

    from embedlab.train.static import StaticTrainConfig
    from embedlab.train.static import train_static as run_train

    report = run_train(corpus, out_dir, StaticTrainConfig(
        algo=algo, dim=dim, window=window, min_count=min_count, epochs=epochs, seed=seed,
        deterministic=not fast))
    if as_json:
        print(json.dumps(asdict(report)))
        return
    err.print(f"wrote {report.out_dir}: {report.vocabulary} words from {report.documents} "
              f"documents in {report.seconds:.1f} s")
    for task, scores in report.evaluation.items():
        metric = next(iter(scores))
        out.print(f"{task}: {metric} {scores[metric]:.4f}")


def distill(
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    model: ModelOpt = DEFAULT_MODEL,
    pca_dims: Annotated[int | None, typer.Option(min=2, help="Output dimension (PCA).")] = 256,
    no_pca: Annotated[bool, typer.Option("--no-pca", help="Keep the model's dimension.")]
    = False,
    vocabulary: Annotated[str | None, typer.Option(
        help="A corpus whose frequent words join the vocabulary.")] = None,
    refine: Annotated[str | None, typer.Option(
        help="A text corpus (one text a line) to refine the static vectors on: trained to "
             "match the model's sentence vectors (tokenlearn).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Distil a transformer into a fast static model (model2vec)."""
    from embedlab.train.distill import distill_static

    report = distill_static(model, out_dir, pca_dims=None if no_pca else pca_dims,
                            vocabulary_corpus=vocabulary, refine_corpus=refine, progress=True)
    if as_json:
        print(json.dumps(report.as_dict()))
    else:
        err.print(f"wrote {report.out_dir}: dim {report.dim}, {report.vocabulary} tokens "
                  f"({report.added_words} from the corpus, refined on {report.refined_on} "
                  f"texts) in {report.seconds:.0f} s")
