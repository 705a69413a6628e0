"""Evaluation through an index: the quality of the index actually built, next to exact search.

In: a retrieval set (a BEIR folder, a SMART collection, or a loaded ``RetrievalData``) and
either an index kind (``auto``, ``exact``, ``hnsw``, ``int8``, ``binary``: the corpus is indexed
with ``model`` in a temporary folder) or the folder of an index already built from that corpus.
Out: ``{"ndcg@10": ..., "mrr@10": ..., "map@100": ..., "recall@k": ...}`` of the index's
ranking (top 100 documents per judged query, a document scored by its best chunk), the same
metrics of an exact (brute-force) search of the same index under ``exact:`` (dense and hybrid
modes), and ``build_seconds`` (when built here), ``search_seconds`` and
``queries_per_second``. Metrics come from :mod:`embedlab.ranking.metrics` (trec_eval's
semantics), the same code ``embedlab eval`` scores with, so the figures compare.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedlab.data.datasets import RetrievalData
from embedlab.data.retrieval_sets import load_retrieval
from embedlab.data.typos import add_typos_to_queries
from embedlab.errors import EmbedlabError
from embedlab.ranking import metrics
from embedlab.search.documents import Document, DocumentSet
from embedlab.search.index import Index
from embedlab.search.store import KINDS
from embedlab.search.understanding import check_expand

if TYPE_CHECKING:
    from embedlab.evaluate import Result

DEPTH = 100


def _run(index: Index, data: RetrievalData, mode: str, exact: bool, fusion: str,
         batch_size: int, query: dict[str, Any]) -> tuple[dict[str, dict[str, float]], float]:
    qids = list(data.queries)
    start = time.perf_counter()
    ranked = index.rank([data.queries[q] for q in qids], DEPTH, mode=mode, exact=exact,
                        fusion=fusion, batch_size=batch_size, **query)
    seconds = time.perf_counter() - start
    return {q: {str(doc): s for doc, s, _ in r} for q, r in zip(qids, ranked, strict=True)}, \
        seconds


def evaluate_index(model: Any, data: str | Path | RetrievalData, *, index: str | Path = "auto",
                   split: str | None = "test", mode: str = "dense", backend: str = "faiss",
                   chunk_tokens: int | None = None, overlap: int | None = None,
                   fusion: str = "rrf", with_exact: bool = True, work_dir: str | Path | None = None,
                   batch_size: int = 32, progress: bool = False, correct: bool = False,
                   expand: str | None = None, typos: float | None = None,
                   typo_seed: int = 0) -> dict[str, float]:
    """Retrieval metrics of an index on ``data`` (see the module docstring).

    ``index``: a kind (the corpus is indexed with ``model``; ``chunk_tokens`` 0 keeps documents
    whole, as exact evaluation embeds them) or an index folder (``model`` may be None; if given
    it must be the index's model). ``correct``, ``expand``: as :meth:`Index.search_many`;
    ``typos``: first put typos in this share of the queries' long words
    (:mod:`embedlab.data.typos`, seeded by ``typo_seed``).
    """
    if not isinstance(data, RetrievalData):
        data = load_retrieval(data, split=split)
    check_expand(expand)
    if typos is not None:
        data = dataclasses.replace(data, queries=add_typos_to_queries(data.queries, typos,
                                                                      typo_seed))
    query = {"correct": correct, "expand": expand}
    out: dict[str, float] = {}
    folder = Path(index)
    if str(index) in KINDS and not (folder / "CURRENT").is_file():
        if model is None:
            raise EmbedlabError("evaluating an index kind needs a model to build the index with")
        docs = DocumentSet([Document(i, t) for i, t in data.corpus.items()], True, data.name)
        with tempfile.TemporaryDirectory(dir=work_dir, prefix="embedlab-eval-") as tmp:
            start = time.perf_counter()
            built = Index.build(Path(tmp) / "index", docs, model, kind=str(index),
                                backend=backend, chunk_tokens=chunk_tokens, overlap=overlap,
                                batch_size=batch_size, progress=progress)
            out["build_seconds"] = time.perf_counter() - start
            with built:
                return {**_scores(built, data, mode, fusion, with_exact, batch_size, query),
                        **out}
    opened = Index.open(folder, model=model)
    with opened:
        live = set(opened.catalog.row_table()[1])
        if not live & set(data.corpus):
            raise EmbedlabError(f"{folder}: none of the index's documents is in {data.name}; "
                                "build the index from that corpus")
        return _scores(opened, data, mode, fusion, with_exact, batch_size, query)


def _scores(index: Index, data: RetrievalData, mode: str, fusion: str, with_exact: bool,
            batch_size: int, query: dict[str, Any]) -> dict[str, float]:
    run, seconds = _run(index, data, mode, False, fusion, batch_size, query)
    out = metrics.evaluate_run(run, data.qrels)
    out["search_seconds"] = seconds
    out["queries_per_second"] = len(run) / seconds if seconds > 0 else float("inf")
    if with_exact and mode != "bm25":
        exact, _ = _run(index, data, mode, True, fusion, batch_size, query)
        out.update({f"exact:{k}": v for k, v in metrics.evaluate_run(exact, data.qrels).items()})
    return out


def evaluate_through_index(models: list[str], tasks: list[str], *, index_kind: str,
                           split: str | None = None, mode: str = "dense", batch_size: int = 32,
                           progress: bool = False, correct: bool = False,
                           expand: str | None = None, typos: float | None = None,
                           typo_seed: int = 0) -> list[Result]:
    """``embedlab eval --index``: each model on each retrieval task, through a built index
    (``index_kind``: a kind, or the folder of an index of that corpus).

    Returns evaluation ``Result`` rows (task ``retrieval``, dataset suffixed with
    the index kind and the query options), whose scores hold the index's metrics and, prefixed
    ``exact:``, the same metrics from exact search over the same vectors.
    """
    from embedlab.evaluate import Result, parse_task

    parsed = [parse_task(t, split) for t in tasks]
    wrong = [t.spec for t in parsed if t.kind != "retrieval"]
    if wrong:
        raise EmbedlabError(f"--index evaluates retrieval tasks only, not {', '.join(wrong)}")
    label = ", ".join([Path(index_kind).name] + ([mode] if mode != "dense" else [])
                      + ([f"typos {typos:.0%}"] if typos is not None else [])
                      + (["correct"] if correct else [])
                      + ([f"expand {expand}"] if expand else []))
    rows = []
    for model in models:
        for task in parsed:
            start = time.perf_counter()
            scores = evaluate_index(model, task.data, index=index_kind, mode=mode,
                                    chunk_tokens=0, batch_size=batch_size, progress=progress,
                                    correct=correct, expand=expand, typos=typos,
                                    typo_seed=typo_seed)
            rows.append(Result(model=model, task=task.kind,
                               dataset=f"{task.dataset} [{label}]",
                               main_metric="ndcg@10", main_score=float(scores["ndcg@10"]),
                               scores={k: float(v) for k, v in scores.items()},
                               seconds=round(time.perf_counter() - start, 3)))
    return rows
