"""Analogies: 3CosAdd against gensim's evaluate_word_analogies, 3CosMul against gensim's
most_similar_cosmul, on the same vectors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from embedlab.data.words import load_analogies
from embedlab.evaluate.analogy import AnalogyEvaluator

CAPITALS = [("athens", "greece"), ("berlin", "germany"), ("paris", "france"),
            ("rome", "italy"), ("madrid", "spain"), ("oslo", "norway"), ("lima", "peru")]
GRAMMAR = [("good", "better"), ("bad", "worse"), ("big", "bigger"), ("small", "smaller"),
           ("fast", "faster")]


def build(seed: int, noise: float):
    """Vectors where country = city + offset (plus noise), so many analogies hold."""
    rng = np.random.default_rng(seed)
    dim = 24
    words, vectors = [], []
    for pairs in (CAPITALS, GRAMMAR):
        offset = rng.standard_normal(dim) * 2
        for a, b in pairs:
            base = rng.standard_normal(dim)
            words += [a, b]
            vectors += [base, base + offset + rng.standard_normal(dim) * noise]
    for i in range(30):  # distractors
        words.append(f"filler{i}")
        vectors.append(rng.standard_normal(dim))
    return words, np.array(vectors, dtype=np.float32)


def questions_file(tmp_path) -> str:
    lines = [": capital-common-countries"]
    for a, b in CAPITALS:
        for c, d in CAPITALS:
            if a != c:
                lines.append(f"{a.capitalize()} {b.capitalize()} {c.capitalize()} "
                             f"{d.capitalize()}")
    lines.append("Athens Greece Atlantis Ocean")  # unknown words: skipped
    lines.append(": gram3-comparative")
    lines += [f"{a} {b} {c} {d}" for a, b in GRAMMAR for c, d in GRAMMAR if a != c]
    path = tmp_path / "questions-words.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("seed", "limit"), [(0, None), (1, None), (2, 20)])
def test_3cosadd_matches_gensim(tmp_path, seed, limit, word_model, keyed_vectors) -> None:
    words, matrix = build(seed, noise=1.6)
    path = questions_file(tmp_path)
    kv = keyed_vectors(words, matrix)
    total, sections = kv.evaluate_word_analogies(path, restrict_vocab=limit or 300_000)
    scores = AnalogyEvaluator(load_analogies(path), vocab_limit=limit)(word_model(words, matrix))
    assert scores["3cosadd"] == pytest.approx(total, abs=1e-9)
    assert 0.05 < total < 0.95  # not trivial either way
    answered = 0
    for section in sections[:-1]:
        n = len(section["correct"]) + len(section["incorrect"])
        answered += n
        if n:
            assert scores[f"3cosadd:{section['section']}"] == pytest.approx(
                len(section["correct"]) / n)
    assert scores["answered"] == answered
    assert scores["answered"] + scores["skipped"] == 42 + 1 + 20


def cosmul_reference(kv, path: str, limit: int | None) -> float:
    ok_words = set(kv.index_to_key[:limit or len(kv.index_to_key)])
    correct = total = 0
    for q in load_analogies(path).sections.values():
        for a, b, c, d in q:
            a, b, c, d = (w.lower() for w in (a, b, c, d))
            if not {a, b, c, d} <= ok_words:
                continue
            total += 1
            # gensim's most_similar_cosmul ignores restrict_vocab: cut its scores ourselves
            dists = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=None)
            dists = np.array(dists[:limit or len(dists)], dtype=np.float64)
            dists[[kv.get_index(w) for w in (a, b, c)]] = -np.inf
            correct += kv.index_to_key[int(np.argmax(dists))] == d
    return correct / total


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # gensim calls its own init_sims
@pytest.mark.parametrize("limit", [None, 20])
def test_3cosmul_matches_gensim(tmp_path, limit, word_model, keyed_vectors) -> None:
    words, matrix = build(3, noise=1.6)
    path = questions_file(tmp_path)
    expected = cosmul_reference(keyed_vectors(words, matrix), path, limit)
    evaluator = AnalogyEvaluator(load_analogies(path), vocab_limit=limit, epsilon=1e-6)
    assert evaluator(word_model(words, matrix))["3cosmul"] == pytest.approx(expected)


class DictEmbedder:
    """An Embedder with fixed vectors per text and no vocabulary (like a subword model)."""

    def __init__(self, words: Sequence[str], matrix: np.ndarray) -> None:
        self.name, self.dim = "dict", matrix.shape[1]
        self.table = {w: v for w, v in zip(words, matrix, strict=True)}

    def encode(self, texts, *, batch_size=32, normalize=True, kind="query", progress=False):
        out = np.array([self.table.get(t.lower(), np.zeros(self.dim)) for t in texts],
                       dtype=np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def test_models_without_vocabulary_use_the_file_words(tmp_path, word_model) -> None:
    words, matrix = build(4, noise=0.5)
    path = questions_file(tmp_path)
    data = load_analogies(path)
    file_words = list(dict.fromkeys(w.lower() for q in data.sections.values() for x in q
                                    for w in x if w.lower() in words))
    rows = [words.index(w) for w in file_words]
    reference = AnalogyEvaluator(data)(word_model(file_words, matrix[rows]))
    scores = AnalogyEvaluator(data)(DictEmbedder(words, matrix))
    assert scores["skipped"] == 0  # every word of the file is a candidate
    assert scores["answered"] == 42 + 1 + 20
    # the same candidates (the file's words) and vectors: the same answers, except the
    # Atlantis question, which only this model can attempt (and gets wrong)
    assert scores["3cosadd:gram3-comparative"] == reference["3cosadd:gram3-comparative"]
    assert scores["3cosadd"] * 63 == pytest.approx(reference["3cosadd"] * 62)
    limited = AnalogyEvaluator(data, vocab_limit=14)(DictEmbedder(words, matrix))
    assert limited["answered"] == 42  # the capitals section only
