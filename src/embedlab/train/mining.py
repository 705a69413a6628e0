"""Hard-negative mining: for each (anchor, positive), documents that rank high but are not positive.

Candidates come from the base model (exact top-k by cosine, in bounded chunks) or from BM25
(bm25s). Each candidate must sit in the rank window ``[low, high)`` and score, by the base model,
at most ``pos_score - margin`` (a candidate scoring as well as the positive is more likely an
unlabelled positive than a negative). The hardest ``n`` survivors become ``negative_1..n``; rows
with fewer survivors are dropped and counted. sentence-transformers' ``mine_hard_negatives``
covers the dense case only; BM25 candidates and our vector cache need this small module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.train.data import DataShape, TrainingData


@dataclass
class MiningStats:
    rows_in: int
    rows_out: int
    dropped: int
    candidates_skipped_as_positive: int
    candidates_skipped_by_margin: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _candidates(embedder: Any, source: str, anchors: list[str], corpus: list[str],
                anchor_vecs: np.ndarray, corpus_vecs: np.ndarray, depth: int) -> np.ndarray:
    """Corpus indices ranked for each anchor, ``(len(anchors), depth)`` (-1 pads)."""
    if source == "model":
        from embedlab.ranking.topk import top_k

        idx, _ = top_k(anchor_vecs, corpus_vecs, depth)
        return idx
    if source == "bm25":
        from embedlab.ranking.lexical import BM25Retriever

        retriever = BM25Retriever()
        retriever.index([str(i) for i in range(len(corpus))], corpus)
        ranked = retriever.search(anchors, depth)
        out = np.full((len(anchors), depth), -1, dtype=np.int64)
        for row, hits in enumerate(ranked):
            out[row, : len(hits)] = [int(d) for d, _ in hits]
        return out
    raise EmbedlabError(f"unknown mining source {source!r}; expected model or bm25")


def mine_hard_negatives(
    data: TrainingData,
    embedder: Any,
    *,
    corpus: list[str] | None = None,
    num_negatives: int = 1,
    rank_range: tuple[int, int] = (10, 100),
    margin: float = 0.05,
    source: str = "model",
    batch_size: int = 32,
    progress: bool = False,
) -> tuple[TrainingData, MiningStats]:
    """Triplets ``(anchor, positive, negative_1..n)`` from pairs; see the module docstring.

    ``corpus`` defaults to the data's own positives (for a BEIR folder, pass its corpus).
    """
    if data.shape is not DataShape.PAIRS:
        raise EmbedlabError(f"{data.source}: hard negatives are mined for (anchor, positive) "
                            f"pairs, not {data.shape.value}")
    low, high = rank_range
    if not 0 <= low < high:
        raise EmbedlabError(f"rank window {low}-{high} is empty; expected low < high")
    if num_negatives < 1:
        raise EmbedlabError("the number of hard negatives must be at least 1")
    anchors, positives = data.columns["anchor"], data.columns["positive"]
    corpus = list(dict.fromkeys(corpus if corpus is not None else positives))
    position = {text: i for i, text in enumerate(corpus)}
    unique_anchors = list(dict.fromkeys(anchors))
    anchor_row = {a: i for i, a in enumerate(unique_anchors)}
    positives_of: dict[str, set[int]] = defaultdict(set)
    for a, p in zip(anchors, positives, strict=True):
        if p in position:
            positives_of[a].add(position[p])

    corpus_vecs = embedder.encode(corpus, batch_size=batch_size, kind="document",
                                  progress=progress)
    anchor_vecs = embedder.encode(unique_anchors, batch_size=batch_size, kind="query",
                                  progress=progress)
    positive_vecs = embedder.encode(list(dict.fromkeys(positives)), batch_size=batch_size,
                                    kind="document")
    positive_row = {p: i for i, p in enumerate(dict.fromkeys(positives))}
    depth = min(high, len(corpus))
    ranked = _candidates(embedder, source, unique_anchors, corpus, anchor_vecs, corpus_vecs,
                         depth)

    out: dict[str, list[str]] = {"anchor": [], "positive": []}
    for j in range(1, num_negatives + 1):
        out[f"negative_{j}"] = []
    skipped_pos = skipped_margin = dropped = 0
    for a, p in zip(anchors, positives, strict=True):
        row = anchor_row[a]
        a_vec = anchor_vecs[row]
        pos_score = max([float(a_vec @ positive_vecs[positive_row[p]])]
                        + [float(a_vec @ corpus_vecs[i]) for i in positives_of[a]])
        chosen: list[int] = []
        for cand in ranked[row, low:depth]:
            if cand < 0:
                break
            if cand in positives_of[a] or corpus[cand] == p:
                skipped_pos += 1
                continue
            if float(a_vec @ corpus_vecs[cand]) > pos_score - margin:
                skipped_margin += 1
                continue
            chosen.append(int(cand))
            if len(chosen) == num_negatives:
                break
        if len(chosen) < num_negatives:
            dropped += 1
            continue
        out["anchor"].append(a)
        out["positive"].append(p)
        for j, c in enumerate(chosen, 1):
            out[f"negative_{j}"].append(corpus[c])
    if not out["anchor"]:
        raise EmbedlabError(f"{data.source}: no row kept a hard negative (window {low}-{high}, "
                            f"margin {margin}); widen the window or lower the margin")
    stats = MiningStats(len(anchors), len(out["anchor"]), dropped, skipped_pos, skipped_margin)
    return TrainingData(data.source, DataShape.TRIPLETS, out), stats
