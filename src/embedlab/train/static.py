"""Train static vectors with gensim (word2vec, fastText, Doc2Vec) on a text corpus.

In: a corpus file (one document a line; UTF-8, ``.gz`` allowed), an algorithm and settings. Out:
a folder with the vectors and an ``embedlab.json`` manifest, which ``embedlab.load(DIR)`` loads
as a static Embedder: word2vec and fastText as word vectors (mean or SIF pooling), Doc2Vec as a
model that infers a vector per text (loaders: :mod:`embedlab.embedders.gensim_models`).

Deterministic mode (the default): one worker thread, a fixed seed, and a fixed hash function
for gensim's per-word initialisation (gensim otherwise uses Python's ``hash``, which changes
with ``PYTHONHASHSEED``), so two runs on the same corpus give identical vectors.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from embedlab.data.records import read_text
from embedlab.embedders.manifest import write_manifest
from embedlab.embedders.static import tokenize_words
from embedlab.errors import EmbedlabError
from embedlab.files import staged_folder

ALGORITHMS = ("word2vec", "fasttext", "doc2vec")


def stable_hash(text: str) -> int:
    """A hash that does not change between Python processes (CRC-32 of the UTF-8 bytes)."""
    return zlib.crc32(text.encode("utf-8"))


def tokenize(text: str) -> list[str]:
    """Lower-cased words and punctuation, as the word-vector Embedder splits texts."""
    return tokenize_words(text)


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
        write_manifest(tmp, manifest)
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
