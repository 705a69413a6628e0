"""Distil a transformer into a static model with model2vec, optionally refined with tokenlearn.

In: a transformer encoder (registry name, folder or hub id), an output folder, and optionally
- a corpus whose frequent words join the vocabulary (a word that is its own token gets its own
  contextual vector instead of a mean of subword pieces);
- a refinement corpus: its texts are encoded by the transformer, and the static token vectors
  are trained (tokenlearn) so that their mean matches those sentence vectors. Plain model2vec
  distillation keeps about 81% of MiniLM's STS-B Spearman; this step is what goes beyond it.
Out: a model2vec folder that ``embedlab.load(DIR)`` loads as a static Embedder.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.errors import EmbedlabError
from embedlab.files import staged_folder


@dataclass
class DistillReport:
    out_dir: str
    model: str
    dim: int
    vocabulary: int
    added_words: int
    seconds: float
    refined_on: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def corpus_vocabulary(path: str | Path, *, size: int = 20_000, min_count: int = 2) -> list[str]:
    """The ``size`` most frequent lower-cased words of a corpus that occur ``min_count`` times."""
    from embedlab.train.static import read_corpus

    counts = Counter(w for doc in read_corpus(path) for w in doc if w.isalnum())
    return [w for w, c in counts.most_common(size) if c >= min_count]


def _refine(static: Any, model: str, corpus: str | Path, pca_dims: int | None,
            progress: bool) -> tuple[Any, int]:
    """Train the static vectors towards the transformer's sentence vectors (tokenlearn)."""
    try:
        from tokenlearn.train import train_model
    except ImportError:
        raise EmbedlabError("--refine needs tokenlearn: pip install --no-deps tokenlearn "
                            "more-itertools") from None
    from embedlab.data.records import read_text
    from embedlab.registry import load

    texts = list(dict.fromkeys(t.strip() for t in read_text(Path(corpus)).split("\n")
                               if t.strip()))
    if len(texts) < 100:
        raise EmbedlabError(f"{corpus}: refinement needs at least 100 distinct texts, found "
                            f"{len(texts)}")
    targets = load(model).encode(texts, progress=progress, normalize=False)
    dims = min(pca_dims or targets.shape[1], targets.shape[1], len(texts) // 10)
    return train_model(static, texts, targets.astype(np.float32), device="cpu",
                       pca_dims=dims), len(texts)


def distill_static(model: str, out_dir: str | Path, *, pca_dims: int | None = 256,
                   vocabulary_corpus: str | Path | None = None, vocabulary_size: int = 20_000,
                   sif_coefficient: float = 1e-4, refine_corpus: str | Path | None = None,
                   progress: bool = False) -> DistillReport:
    """Distil ``model`` into ``out_dir`` (see the module docstring)."""
    from embedlab.train.finetune import source_folder

    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise EmbedlabError(f"distillation needs model2vec's distill extra ({exc}): "
                            "pip install skeletoken") from None
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise EmbedlabError(f"{out}: the output folder exists and is not empty")
    if pca_dims is not None and pca_dims < 2:
        raise EmbedlabError(f"PCA dimensions must be at least 2, got {pca_dims}")
    folder = source_folder(model)
    vocabulary = (corpus_vocabulary(vocabulary_corpus, size=vocabulary_size)
                  if vocabulary_corpus else None)
    start = time.perf_counter()
    static = distill(model_name=str(folder), vocabulary=vocabulary, device="cpu",
                     pca_dims=pca_dims, sif_coefficient=sif_coefficient,
                     quantize_to="float32")
    refined = 0
    if refine_corpus:
        static, refined = _refine(static, model, refine_corpus, pca_dims, progress)
    with staged_folder(out) as tmp:
        static.save_pretrained(str(tmp))
    return DistillReport(str(out), model, int(static.dim), int(static.embedding.shape[0]),
                         len(vocabulary or []), round(time.perf_counter() - start, 1), refined)
