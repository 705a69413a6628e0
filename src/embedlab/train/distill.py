"""Distil a transformer into a static model with model2vec.

In: a transformer encoder (registry name, folder or hub id), an output folder, and optionally a
corpus whose frequent words join the vocabulary (a word that is its own token gets its own
contextual vector instead of a mean of subword pieces). Out: a model2vec folder that
``embedlab.load(DIR)`` loads as a static Embedder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from embedlab.errors import EmbedlabError


@dataclass
class DistillReport:
    out_dir: str
    model: str
    dim: int
    vocabulary: int
    added_words: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def corpus_vocabulary(path: str | Path, *, size: int = 20_000, min_count: int = 2) -> list[str]:
    """The ``size`` most frequent lower-cased words of a corpus that occur ``min_count`` times."""
    from embedlab.train.static import read_corpus

    counts = Counter(w for doc in read_corpus(path) for w in doc if w.isalnum())
    return [w for w, c in counts.most_common(size) if c >= min_count]


def distill_static(model: str, out_dir: str | Path, *, pca_dims: int | None = 256,
                   vocabulary_corpus: str | Path | None = None, vocabulary_size: int = 20_000,
                   sif_coefficient: float = 1e-4) -> DistillReport:
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
                     pca_dims=pca_dims, sif_coefficient=sif_coefficient)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    try:
        static.save_pretrained(str(tmp))
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return DistillReport(str(out), model, int(static.dim), int(static.embedding.shape[0]),
                         len(vocabulary or []), round(time.perf_counter() - start, 1))
