"""Data sets that gensim ships, found by name."""

from __future__ import annotations

import pytest

from embedlab.data.builtin import BUILTIN_ALIASES, BUILTIN_DATASETS, builtin_files
from embedlab.data.pairs import load_document_similarity
from embedlab.data.words import load_word_pairs


def test_unknown_names_are_none_and_aliases_resolve() -> None:
    assert builtin_files("no-such-set") is None
    assert set(BUILTIN_ALIASES.values()) <= set(BUILTIN_DATASETS)


def test_gensim_files_load() -> None:
    pytest.importorskip("gensim")
    assert load_word_pairs(builtin_files("ws353")[0]).name == "wordsim353"
    lee = load_document_similarity(*builtin_files("lee"), encoding="latin-1")
    assert len(lee.scores) == 50 * 49 // 2
