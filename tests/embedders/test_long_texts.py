"""Long texts cost memory bounded by the vocabulary (issue 15): word vectors count a long text's
words a segment at a time, and the vector is the one the whole word list gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab.embedders import static
from embedlab.registry import load


def test_segments_end_at_whitespace_and_cover_the_text() -> None:
    text = "alpha beta  gamma\tdelta epsilon"
    spans = static.segments(text, size=4)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(text[e - 1].isspace() for _, e in spans[:-1])
    assert static.segments("", size=4) == []


@pytest.mark.parametrize("pooling", ["mean", "sif"])
def test_a_long_text_gives_the_vector_of_its_whole_word_list(tiny_glove: Path, pooling: str,
                                                             monkeypatch) -> None:
    words = "the dog runs in the park , a man plays guitar ! unknownword cat".split()
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, size=n)) for n in (3000, 50, 7000)]
    embedder = load(str(tiny_glove), pooling=pooling, cache_dir=False)
    whole = embedder.embed(texts, normalize=False)
    monkeypatch.setattr(static, "_SEGMENT", 200)  # every text above is now "long"
    items = embedder._prepare(texts, "document")
    assert items[0].counts is not None and len(items[0].rows) <= len(words)
    assert [len(i) for i in items] == [3000, 50, 7000]
    counted = embedder.embed(texts, normalize=False)
    # float32 sums in another order
    np.testing.assert_allclose(counted.vectors, whole.vectors, rtol=1e-4, atol=1e-5)
    assert counted.stats.oov_tokens == whole.stats.oov_tokens > 0
    assert counted.stats.tokens == whole.stats.tokens


def test_a_long_text_split_into_chunks_is_tokenized_a_segment_at_a_time(
        tiny_st_model: Path, monkeypatch) -> None:
    from embedlab.embedders import tokenized

    rng = np.random.default_rng(1)
    words = "the dog runs in the park, a man plays guitar! cat".split()
    texts = [" ".join(rng.choice(words, size=n)) + "  \n end" for n in (600, 5)]
    embedder = load(str(tiny_st_model), long="chunk", cache_dir=False)
    whole_ids = embedder._prepare(texts, "document")
    whole = embedder.embed(texts, normalize=False)
    monkeypatch.setattr(tokenized, "_SEGMENT", 50)  # the first text is now ~60 segments
    segmented_ids = embedder._prepare(texts, "document")
    assert all(np.array_equal(a, b) for a, b in zip(whole_ids, segmented_ids, strict=True))
    got = embedder.embed(texts, normalize=False)
    np.testing.assert_allclose(got.vectors, whole.vectors, rtol=1e-5, atol=1e-6)
    assert got.stats.chunked == whole.stats.chunked == 1
