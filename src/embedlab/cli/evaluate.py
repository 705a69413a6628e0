"""``embedlab eval`` and ``embedlab compress``: score models or compression methods on tasks.

Each prints a table on stdout; ``--json FILE`` and ``--out DIR`` write the same results to files
(each written whole or not at all).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from embedlab.cli.common import ModelOpt, err, out
from embedlab.errors import EmbedlabError
from embedlab.files import atomic_write
from embedlab.named_models import DEFAULT_MODEL


def eval_command(
    task: Annotated[list[str], typer.Option("--task", "-t", help="KIND:PATH (repeatable): "
                                            "sts, retrieval, classification, clustering, "
                                            "pair-classification, word-similarity, analogy, "
                                            "geometry, doc-similarity, "
                                            "node-classification, node-clustering, "
                                            "link-prediction, recommendation; on image files: "
                                            "image-classification, image-retrieval, "
                                            "image-clustering, text-image-retrieval.")],
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Model (repeatable); 'bm25' is the lexical baseline.")] = None,
    split: Annotated[str | None, typer.Option(help="Data split (default test); for "
                                              "recommendation leave-last or time.")] = None,
    text_field: Annotated[str | None, typer.Option(help="Text column(s), where the guess "
                                                   "is not enough.")] = None,
    label_field: Annotated[str | None, typer.Option(help="Label or score column.")] = None,
    vocab_limit: Annotated[int | None, typer.Option(min=1, help="Analogy: candidates from "
                                                    "the first N words.")] = None,
    index: Annotated[str | None, typer.Option(
        help="Retrieval through an index: a kind to build (hnsw, exact, int8, binary; next to "
             "exact search) or the folder of an index built from the task's corpus.")]
    = None,
    min_rating: Annotated[float | None, typer.Option(
        help="Recommendation: keep interactions rated at least this.")] = None,
    mode: Annotated[str, typer.Option(help="With --index: dense, bm25 or hybrid search.")
                    ] = "dense",
    correct: Annotated[bool, typer.Option(
        "--correct", help="With --index: correct misspelt query words.")] = False,
    expand: Annotated[str | None, typer.Option(
        help="With --index: query expansion, neighbours or prf.")] = None,
    typos: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="With --index: put typos in this share of the queries' long "
        "words first (as `embedlab typos`).")] = None,
    typo_seed: Annotated[int, typer.Option(help="Seed of --typos.")] = 0,
    batch_size: Annotated[int, typer.Option(min=1)] = 32,
    out_dir: Annotated[str | None, typer.Option("--out", help="Write report.md, results.json "
                                                "and plots here.")] = None,
    json_file: Annotated[str | None, typer.Option("--json", help="Write results as JSON.")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Evaluate models on tasks from your own files; print a models x tasks table."""
    from embedlab.evaluate import results_table, results_to_json, run_evaluation, write_report

    models = model or [DEFAULT_MODEL]
    if index is not None:
        from embedlab.search.evaluation import evaluate_through_index

        results = evaluate_through_index(models, task, index_kind=index, split=split,
                                         mode=mode, batch_size=batch_size, progress=not quiet,
                                         correct=correct, expand=expand, typos=typos,
                                         typo_seed=typo_seed)
    elif correct or expand or typos is not None or mode != "dense":
        raise EmbedlabError("--mode, --correct, --expand and --typos apply to retrieval "
                            "through an index (--index)")
    else:
        from embedlab.evaluate.tasks import parse_task

        parsed = [parse_task(t, split, text_field, label_field, vocab_limit=vocab_limit,
                             min_rating=min_rating) for t in task]
        others = [t for t in parsed if t.kind != "recommendation"]
        results = run_evaluation(models, others, batch_size=batch_size,
                                 progress=not quiet) if others else []
        if len(others) < len(parsed):  # embedding models as recommenders, and baselines
            from embedlab.recommend.evaluation import recommendation_models

            results += run_evaluation(recommendation_models(models),
                                      [t for t in parsed if t.kind == "recommendation"],
                                      batch_size=batch_size, progress=not quiet)
    out.print(results_table(results))
    if any(r.task == "recommendation" for r in results):
        from embedlab.recommend.evaluation import recommendation_table

        out.print(recommendation_table(results))
    if json_file:
        atomic_write(json_file, json.dumps(results_to_json(results), indent=2))
    if out_dir:
        for path in write_report(results, out_dir):
            err.print(f"wrote {path}")


def compress(
    task: Annotated[str, typer.Option("--task", "-t", help="KIND:PATH, e.g. retrieval:DIR.")],
    methods: Annotated[str, typer.Option(
        help="Comma-separated: float32, fp16, int8, uint8, binary[:rescore=N], pca:K, "
             "whiten[:K], mrl:K.")] = "fp16,int8,binary,pca:128,whiten",
    model: ModelOpt = DEFAULT_MODEL,
    split: Annotated[str | None, typer.Option(help="Data split (default test); for "
                                              "recommendation leave-last or time.")] = None,
    min_rating: Annotated[float | None, typer.Option(
        help="Recommendation: keep interactions rated at least this.")] = None,
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
        atomic_write(json_file, json.dumps(compression_json(results), indent=2))
    if out_dir:
        for path in write_compression_report(results, out_dir):
            err.print(f"wrote {path}")
