"""Word similarity against gensim's evaluate_word_pairs on the same vectors."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.data.words import load_word_pairs
from embedlab.errors import EmbedlabError
from embedlab.evaluate.word_similarity import WordSimilarityEvaluator

WORDS = ["tiger", "cat", "dog", "car", "train", "bank", "money", "river", "water", "king",
         "queen", "man", "woman", "apple", "fruit", "computer", "keyboard", "love", "sex", "war"]


def pairs_file(tmp_path, rng) -> str:
    lines = ["# a comment, as in gensim's files", "# Word 1\tWord 2\tHuman (mean)"]
    for _ in range(40):
        a, b = rng.choice(WORDS, 2, replace=False)
        lines.append(f"{a.capitalize()}\t{b}\t{rng.random() * 10:.2f}")
    lines += ["tiger\tzyzzyva\t3.0", "unknownword\tcat\t5.5", "car\tautomobile\t8.9"]
    path = tmp_path / "pairs.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_gensim_evaluate_word_pairs(tmp_path, seed, word_model, keyed_vectors) -> None:
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((len(WORDS), 12)).astype(np.float32)
    path = pairs_file(tmp_path, rng)
    pearson, spearman, oov_percent = keyed_vectors(WORDS, matrix).evaluate_word_pairs(path)
    scores = WordSimilarityEvaluator(load_word_pairs(path))(word_model(WORDS, matrix))
    assert scores["spearman"] == pytest.approx(spearman.statistic, abs=1e-6)
    assert scores["pearson"] == pytest.approx(pearson.statistic, abs=1e-6)
    assert scores["skipped"] == 3 == round(oov_percent / 100 * 43)
    assert scores["pairs"] == 40


def test_models_without_vocabulary_skip_nothing(tmp_path, hash_model) -> None:
    path = pairs_file(tmp_path, np.random.default_rng(0))
    scores = WordSimilarityEvaluator(load_word_pairs(path))(hash_model)
    assert scores["skipped"] == 0 and scores["pairs"] == 43
    assert -1 <= scores["spearman"] <= 1


def test_too_few_known_pairs_is_an_error(tmp_path, word_model) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("foo\tbar\t1\nbaz\tqux\t2\ncat\tdog\t3\n", encoding="utf-8")
    model = word_model(WORDS, np.eye(len(WORDS), dtype=np.float32))
    with pytest.raises(EmbedlabError, match="only 1 of 3 pairs"):
        WordSimilarityEvaluator(load_word_pairs(path))(model)
