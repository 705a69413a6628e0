"""Train static vectors with gensim (word2vec, fastText, Doc2Vec) on a text corpus.

In: a corpus file (one document a line; UTF-8, ``.gz`` allowed), an algorithm and settings. Out:
a folder with the vectors and an ``embedlab.json`` manifest, which ``embedlab.load(DIR)`` loads
as a static Embedder: word2vec and fastText as word vectors (mean or SIF pooling), Doc2Vec as a
model that infers a vector per text.

Deterministic mode (the default): one worker thread, a fixed seed, and a fixed hash function
for gensim's per-word initialisation (gensim otherwise uses Python's ``hash``, which changes
with ``PYTHONHASHSEED``), so two runs on the same corpus give identical vectors.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedlab.data.loaders import read_text
from embedlab.data.writers import staged_folder
from embedlab.embedders.base import BaseEmbedder, Kind
from embedlab.embedders.static import _WORD
from embedlab.errors import EmbedlabError

ALGORITHMS = ("word2vec", "fasttext", "doc2vec")
MANIFEST = "embedlab.json"


def stable_hash(text: str) -> int:
    """A hash that does not change between Python processes (CRC-32 of the UTF-8 bytes)."""
    return zlib.crc32(text.encode("utf-8"))


def tokenize(text: str) -> list[str]:
    """Lower-cased words and punctuation, as the word-vector Embedder splits texts."""
    return _WORD.findall(text.lower())


@dataclass
class StaticTrainConfig:
    algo: str = "word2vec"
    dim: int = 100
    window: int = 5
    min_count: int = 2
    epochs: int = 5
    seed: int = 42
    deterministic: bool = True
    workers: int = 3


@dataclass
class StaticTrainReport:
    out_dir: str
    algo: str
    documents: int
    vocabulary: int
    seconds: float
    evaluation: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_corpus(path: str | Path) -> list[list[str]]:
    """Tokenized documents, one a non-blank line."""
    docs = [tokenize(line) for line in read_text(Path(path)).split("\n") if line.strip()]
    docs = [d for d in docs if d]
    if not docs:
        raise EmbedlabError(f"{path}: no text to train on")
    return docs


def _train(docs: list[list[str]], config: StaticTrainConfig) -> Any:
    from gensim.models import Doc2Vec, FastText, Word2Vec
    from gensim.models.doc2vec import TaggedDocument

    common = dict(vector_size=config.dim, window=config.window, min_count=config.min_count,
                  epochs=config.epochs, seed=config.seed, hashfxn=stable_hash,
                  workers=1 if config.deterministic else config.workers)
    if config.algo == "word2vec":
        return Word2Vec(sentences=docs, **common)
    if config.algo == "fasttext":
        return FastText(sentences=docs, **common)
    tagged = [TaggedDocument(d, [i]) for i, d in enumerate(docs)]
    return Doc2Vec(documents=tagged, dm=0, dbow_words=1, **common)


def train_static(corpus: str | Path, out_dir: str | Path,
                 config: StaticTrainConfig | None = None, *,
                 evaluate: bool = True) -> StaticTrainReport:
    """Train and save static vectors (see the module docstring); evaluates words at the end."""
    config = config or StaticTrainConfig()
    if config.algo not in ALGORITHMS:
        raise EmbedlabError(f"unknown algorithm {config.algo!r}; expected one of: "
                            f"{', '.join(ALGORITHMS)}")
    if min(config.dim, config.window, config.min_count, config.epochs) < 1:
        raise EmbedlabError("dim, window, min-count and epochs must be at least 1")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise EmbedlabError(f"{out}: the output folder exists and is not empty")
    start = time.perf_counter()
    docs = read_corpus(corpus)
    try:
        model = _train(docs, config)
    except RuntimeError:  # gensim: "you must first build vocabulary before training"
        model = None
    if model is None or len(model.wv) == 0:
        raise EmbedlabError(f"{corpus}: no word occurs {config.min_count} times; lower "
                            "--min-count or give more text")
    with staged_folder(out) as tmp:
        if config.algo == "doc2vec":
            model.save(str(tmp / "doc2vec.model"))
            manifest = {"kind": "doc2vec", "file": "doc2vec.model"}
        else:
            model.wv.save(str(tmp / "vectors.kv"))
            manifest = {"kind": "static", "file": "vectors.kv"}
        manifest.update({"algo": config.algo, "config": asdict(config), "corpus": str(corpus)})
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    report = StaticTrainReport(str(out), config.algo, len(docs), len(model.wv),
                               round(time.perf_counter() - start, 2))
    if evaluate:
        report.evaluation, report.notes = evaluate_words(out)
    return report


def evaluate_words(folder: str | Path) -> tuple[dict[str, dict[str, float]], list[str]]:
    """WordSim-353 and Google analogies (shipped by gensim) for a trained folder, and notes on
    the tasks a small vocabulary could not score."""
    from embedlab.evaluate.tasks import parse_task
    from embedlab.registry import load

    embedder = load(folder)
    scores, notes = {}, []
    for spec in ("word-similarity:wordsim353", "analogy:google-analogies"):
        task = parse_task(spec)
        try:
            scores[task.name] = task.evaluator()(embedder)
        except EmbedlabError as exc:
            notes.append(str(exc))
    return scores, notes


class Doc2VecEmbedder(BaseEmbedder):
    """Vectors inferred by a trained Doc2Vec model; reseeded per text, so repeatable."""

    def __init__(self, model: Any, *, name: str, seed: int = 42, cache_dir: Any = None) -> None:
        super().__init__(cache_dir=cache_dir)
        self.model = model
        self.name = name
        self.dim = int(model.vector_size)
        self.seed = seed

    def config_key(self) -> str:
        return f"{super().config_key()}|{self.seed}|{len(self.model.wv)}"

    def _prepare(self, texts: list[str], kind: Kind) -> list[list[str]]:
        return [tokenize(t) for t in texts]

    def _embed_items(self, items: list[list[str]], kind: Kind) -> np.ndarray:
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, words in enumerate(items):
            if words:
                self.model.random.seed(self.seed)
                out[i] = self.model.infer_vector(words)
        return out


def load_trained(folder: Path, *, name: str | None = None, pooling: str | None = None,
                 cache_dir: Any = None) -> BaseEmbedder:
    """An Embedder for a folder written by :func:`train_static`."""
    from embedlab.embedders.static import load_word_vectors

    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    path = folder / manifest["file"]
    if manifest["kind"] == "doc2vec":
        from gensim.models import Doc2Vec

        return Doc2VecEmbedder(Doc2Vec.load(str(path)), name=name or folder.name,
                               seed=manifest.get("config", {}).get("seed", 42),
                               cache_dir=cache_dir)
    return load_word_vectors(path, name=name or folder.name, pooling=pooling or "mean",
                             cache_dir=cache_dir)
