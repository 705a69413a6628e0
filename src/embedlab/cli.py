"""The ``embedlab`` command line: one short function per command, each a call to the library.

Every user error is one line on stderr (``error: ...``) and exit code 2; no tracebacks unless
``EMBEDLAB_DEBUG=1``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from embedlab.errors import EmbedlabError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Encode, evaluate and search with embedding models, offline, on a CPU.",
)
out = Console()
err = Console(stderr=True)

ModelOpt = Annotated[
    str, typer.Option("--model", "-m", help="Registry name, local path or hub id.")
]


def _quiet_libraries() -> None:
    """Keep library chatter (weight-loading bars, config notices) off the terminal."""
    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "model2vec", "huggingface_hub",
                 "gensim", "onnxruntime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


@app.command()
def models(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the models embedlab knows by name, and whether each is installed here."""
    from embedlab.registry import list_models

    rows = list_models()
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("name", "kind", "dim", "available", "source", "description")
    for r in rows:
        name = r["name"] + (" (default)" if r["default"] else "")
        table.add_row(name, r["kind"], str(r["dim"]), "yes" if r["available"] else "no",
                      r["source"], r["description"])
    out.print(table)


@app.command()
def encode(
    input: Annotated[
        str, typer.Argument(help="Texts: .txt .jsonl .json .csv .tsv .parquet, or -.")
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="Vectors: .npy or .parquet.")],
    model: ModelOpt = "minilm",
    field: Annotated[str | None, typer.Option(help="The text column or field.")] = None,
    pooling: Annotated[str | None, typer.Option(
        help="mean, cls, max, weighted-mean, last (transformers); mean, sif (word vectors).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Texts per batch.")] = 32,
    no_normalize: Annotated[bool, typer.Option("--no-normalize",
                                               help="Keep raw vector lengths.")] = False,
    kind: Annotated[str, typer.Option(help="query or document (picks the prompt).")] = "document",
    max_length: Annotated[int | None, typer.Option(min=4, help="Window in tokens.")] = None,
    long: Annotated[str | None, typer.Option(
        help="Texts over the window: truncate (default) or chunk (split and mean-pool).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the vector cache.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Encode a file of texts into a file of vectors (row i = text i)."""
    from embedlab.data.readers import read_texts
    from embedlab.data.writers import check_output_path, write_vectors
    from embedlab.registry import load

    if kind not in ("query", "document"):
        raise EmbedlabError(f"--kind must be query or document, not {kind!r}")
    if long is not None and long not in ("truncate", "chunk"):
        raise EmbedlabError(f"--long must be truncate or chunk, not {long!r}")
    target = check_output_path(output)
    table = read_texts(input, field)
    start = time.perf_counter()
    embedder = load(model, pooling=pooling, max_length=max_length, long=long,
                    cache_dir=False if no_cache else None)
    result = embedder.embed(table.texts, batch_size=batch_size, normalize=not no_normalize,
                            kind=kind, progress=not quiet)  # type: ignore[arg-type]
    write_vectors(target, result.vectors, table.ids, model=embedder.config_key())
    summary: dict[str, Any] = {
        "model": embedder.name, "input": input, "output": str(target),
        "dim": int(result.vectors.shape[1]), **result.stats.as_dict(),
        "seconds_total": round(time.perf_counter() - start, 3),
    }
    if as_json:
        print(json.dumps(summary))
    else:
        s = summary
        err.print(f"wrote {s['count']} vectors of dim {s['dim']} to {s['output']} "
                  f"({s['cache_hits']} from cache, {s['truncated']} truncated, "
                  f"{s['chunked']} chunked, {s['oov_tokens']} unknown words) "
                  f"in {s['seconds_total']:.1f} s")


@app.command("eval")
def eval_command(
    task: Annotated[list[str], typer.Option("--task", "-t", help="KIND:PATH (repeatable): "
                                            "sts, retrieval, classification, clustering, "
                                            "pair-classification, word-similarity, analogy, "
                                            "geometry, doc-similarity.")],
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Model (repeatable); 'bm25' is the lexical baseline.")] = None,
    split: Annotated[str | None, typer.Option(help="Data split (default test).")] = None,
    text_field: Annotated[str | None, typer.Option(help="Text column(s), where the guess "
                                                   "is not enough.")] = None,
    label_field: Annotated[str | None, typer.Option(help="Label or score column.")] = None,
    vocab_limit: Annotated[int | None, typer.Option(min=1, help="Analogy: candidates from "
                                                    "the first N words.")] = None,
    index: Annotated[str | None, typer.Option(
        help="Retrieval through a built index: hnsw, exact, int8, binary (next to exact).")]
    = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 32,
    out_dir: Annotated[str | None, typer.Option("--out", help="Write report.md, results.json "
                                                "and plots here.")] = None,
    json_file: Annotated[str | None, typer.Option("--json", help="Write results as JSON.")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Evaluate models on tasks from your own files; print a models x tasks table."""
    from embedlab.evaluate import results_table, results_to_json, run_evaluation, write_report

    models = model or ["minilm"]
    if index is not None:
        from embedlab.search.evaluation import evaluate_through_index

        results = evaluate_through_index(models, task, index_kind=index, split=split,
                                         batch_size=batch_size, progress=not quiet)
    else:
        results = run_evaluation(models, task, split=split, text_field=text_field,
                                 label_field=label_field, vocab_limit=vocab_limit,
                                 batch_size=batch_size, progress=not quiet)
    out.print(results_table(results))
    if json_file:
        _write_text_atomic(Path(json_file), json.dumps(results_to_json(results), indent=2))
    if out_dir:
        for path in write_report(results, out_dir):
            err.print(f"wrote {path}")


@app.command()
def compress(
    task: Annotated[str, typer.Option("--task", "-t", help="KIND:PATH, e.g. retrieval:DIR.")],
    methods: Annotated[str, typer.Option(
        help="Comma-separated: float32, fp16, int8, uint8, binary[:rescore=N], pca:K, "
             "whiten[:K], mrl:K.")] = "fp16,int8,binary,pca:128,whiten",
    model: ModelOpt = "minilm",
    split: Annotated[str | None, typer.Option(help="Data split (default test).")] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 32,
    out_dir: Annotated[str | None, typer.Option("--out", help="Write report.md, "
                                                "results.json, compression.png here.")] = None,
    json_file: Annotated[str | None, typer.Option("--json", help="Write results as JSON.")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Evaluate compression methods on a task: bytes per vector, search time, retention."""
    from embedlab.compress import parse_methods
    from embedlab.compress.evaluate import evaluate_compression
    from embedlab.compress.report import (
        compression_json,
        compression_table,
        write_compression_report,
    )
    from embedlab.evaluate.tasks import parse_task
    from embedlab.registry import load

    compressors = parse_methods(methods)
    parsed = parse_task(task, split=split)
    embedder = load(model)
    results = evaluate_compression(embedder, parsed, compressors, batch_size=batch_size,
                                   progress=not quiet)
    out.print(compression_table(results))
    if json_file:
        _write_text_atomic(Path(json_file), json.dumps(compression_json(results), indent=2))
    if out_dir:
        for path in write_compression_report(results, out_dir):
            err.print(f"wrote {path}")


@app.command()
def export(
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    model: ModelOpt = "minilm",
    int8: Annotated[bool, typer.Option("--int8/--no-int8", help="Quantize weights to int8.")]
    = True,
    optimize: Annotated[bool, typer.Option("--optimize/--no-optimize",
                                           help="Fuse attention and layer norms.")] = True,
    threads: Annotated[int | None, typer.Option(min=1, help="Intra-op threads for the check.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Export a transformer encoder to ONNX (fused, int8 by default); load it by its folder."""
    from embedlab.compress.export import export_onnx, report_dict

    report = export_onnx(model, out_dir, int8=int8, optimize=optimize, threads=threads)
    if as_json:
        print(json.dumps(report_dict(report)))
    else:
        err.print(f"wrote {report.out_dir} ({report.bytes / 1e6:.1f} MB, int8={report.int8}, "
                  f"fused={report.fused}) in {report.seconds:.1f} s; min cosine to the source "
                  f"model on check sentences: {report.min_cosine_to_source:.4f}")


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EmbedlabError(f"{path}: cannot write: {exc}") from None


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


@app.command()
def finetune(
    train: Annotated[str, typer.Option("--train", help="Pairs/triplets/scored pairs (CSV, TSV, "
                                       "JSONL), raw text (.txt, SimCSE) or a BEIR folder.")],
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    model: ModelOpt = "minilm",
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


@app.command()
def mine(
    train: Annotated[str, typer.Option("--train", help="Pairs file or BEIR folder.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Triplets out: .jsonl.")],
    model: ModelOpt = "minilm",
    negatives: Annotated[int, typer.Option(min=1, help="Negatives per pair.")] = 1,
    source: Annotated[str, typer.Option(help="Candidates from: model or bm25.")] = "model",
    rank_window: Annotated[str, typer.Option(help="Candidate ranks, e.g. 10-100.")] = "10-100",
    margin: Annotated[float, typer.Option(help="Drop candidates within this of the positive.")]
    = 0.05,
    split: Annotated[str, typer.Option(help="BEIR qrels split.")] = "train",
) -> None:
    """Mine hard negatives for (anchor, positive) pairs and write triplets as JSON lines."""
    from embedlab.registry import load
    from embedlab.train.data import read_training_data
    from embedlab.train.finetune import FinetuneConfig, _prepare_data

    target = Path(output)
    if target.suffix != ".jsonl":
        raise EmbedlabError(f"{output}: mined triplets are written as .jsonl")
    config = FinetuneConfig(hard_negatives=negatives, mining_source=source,
                            mining_range=_rank_window(rank_window), mining_margin=margin,
                            split=split)
    read_training_data(train, split=split)  # fail on bad data before loading the model
    data, stats = _prepare_data(train, config, load(model), progress=True)
    rows = [dict(zip(data.columns, values, strict=True))
            for values in zip(*data.columns.values(), strict=True)]
    _write_text_atomic(target, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    err.print(f"wrote {len(rows)} triplets to {target}; {json.dumps(stats)}")


@app.command("train-static")
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


@app.command()
def distill(
    out_dir: Annotated[str, typer.Option("--out", help="The folder to create.")],
    model: ModelOpt = "minilm",
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


@app.command()
def drift(
    reference: Annotated[str, typer.Argument(help="Reference sample: .npy/.parquet vectors, "
                                             "or texts.")],
    current: Annotated[str, typer.Argument(help="Current sample, the same way.")],
    model: ModelOpt = "minilm",
    method: Annotated[list[str] | None, typer.Option(
        "--method", help="mmd, classifier, mean-shift, ks (repeatable; default all).")] = None,
    alpha: Annotated[float, typer.Option(help="Call drift below this p-value.")] = 0.01,
    field: Annotated[str | None, typer.Option(help="Text field of text inputs.")] = None,
    seed: Annotated[int, typer.Option()] = 0,
    out_dir: Annotated[str | None, typer.Option("--out", help="Write drift.json and a plot.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    fail_on_drift: Annotated[bool, typer.Option(help="Exit 1 when any method calls drift.")]
    = False,
) -> None:
    """Test whether CURRENT embeddings drifted from REFERENCE (texts are encoded with -m)."""
    from embedlab.monitor.drift import METHODS, detect_drift
    from embedlab.monitor.inputs import check_same_model, is_vector_file, load_sample
    from embedlab.monitor.report import drift_table, write_drift_report
    from embedlab.registry import load

    methods = method or list(METHODS)
    for name in methods:
        if name not in METHODS:
            raise EmbedlabError(f"unknown drift method {name!r}; expected one of: "
                                f"{', '.join(METHODS)}")
    needs_model = not (is_vector_file(reference) and is_vector_file(current))
    embedder = load(model) if needs_model else None
    ref, ref_model = load_sample(reference, embedder, field=field, progress=not as_json)
    cur, cur_model = load_sample(current, embedder, field=field, progress=not as_json)
    check_same_model(ref_model, cur_model, reference, current)
    results = [detect_drift(ref, cur, m, alpha=alpha, seed=seed) for m in methods]
    if as_json:
        print(json.dumps({"results": [r.as_dict() for r in results]}))
    else:
        out.print(drift_table(results))
    if out_dir:
        for path in write_drift_report(results, ref, cur, out_dir):
            err.print(f"wrote {path}")
    if fail_on_drift and any(r.drift for r in results):
        raise typer.Exit(1)


@app.command()
def demo(
    model: ModelOpt = "minilm",
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, help="Articles per query.")] = 3,
    evaluate: Annotated[bool, typer.Option("--eval/--no-eval", help="Also evaluate the model "
                                           "on WordSim-353, SimLex-999, analogies, Lee.")]
    = True,
) -> None:
    """Encode gensim's Lee news corpus and show the nearest articles for a few queries."""
    from embedlab.demo import DEMO_TASKS, run_demo
    from embedlab.evaluate import results_table, run_evaluation

    err.print(f"encoding the Lee corpus (300 news articles) with {model}...")
    for query, hits in run_demo(model, k=k):
        out.print(f"\n[bold]{query}[/bold]")
        for hit in hits:
            snippet = hit.text[:110] + ("..." if len(hit.text) > 110 else "")
            out.print(f"  {hit.rank}. {hit.score:.3f}  #{hit.doc:<3} {snippet}")
    if evaluate:
        err.print(f"\nevaluating {model} on data that gensim ships...")
        out.print(results_table(run_evaluation([model], list(DEMO_TASKS), progress=True)))


def _register_subcommands() -> None:
    from embedlab.search.commands import index_app, search
    from embedlab.serve.commands import serve

    app.add_typer(index_app, name="index", help="Build and change a search index.")
    app.command("search")(search)
    app.command("serve")(serve)


_register_subcommands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning every user error into one line and exit code 2."""
    _quiet_libraries()
    debug = os.environ.get("EMBEDLAB_DEBUG") == "1"
    try:
        code = app(args=argv, standalone_mode=False)  # returns typer.Exit's code here
    except EmbedlabError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: bad option values, missing arguments
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"error: {' '.join(message.split())}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except MemoryError:
        print("error: out of memory; try a smaller --batch-size", file=sys.stderr)
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
