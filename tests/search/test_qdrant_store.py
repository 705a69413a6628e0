"""The same index interface over Qdrant (qdrant-client's local mode)."""

from __future__ import annotations

import numpy as np
import pytest
from search_helpers import HashEmbedder, corpus_records

from embedlab.errors import EmbedlabError
from embedlab.search import Document, Index

pytest.importorskip("qdrant_client")


@pytest.fixture
def pair(tmp_path, corpus_file, embedder) -> tuple[Index, Index]:
    faiss_index = Index.build(tmp_path / "f", corpus_file, embedder, kind="exact")
    qdrant_index = Index.build(tmp_path / "q", corpus_file, embedder, backend="qdrant")
    return faiss_index, qdrant_index


def _same(a, b) -> None:
    assert [h.doc_id for h in a] == [h.doc_id for h in b]
    np.testing.assert_allclose([h.score for h in a], [h.score for h in b], rtol=1e-4, atol=1e-5)


def test_qdrant_answers_like_exact_faiss_in_every_mode(pair):
    faiss_index, qdrant_index = pair
    info = qdrant_index.info()
    assert info["backend"] == "qdrant" and "local mode" in info["structure"]
    assert (info["documents"], info["chunks"]) == (24, 24)
    for query in ("guitar piano concert", "marker2x3 goal", "hotel map"):
        for mode in ("dense", "bm25", "hybrid"):
            _same(faiss_index.search(query, k=8, mode=mode),
                  qdrant_index.search(query, k=8, mode=mode))
        _same(faiss_index.search(query, k=30, filters=["topic=music", "topic=sport",
                                                       "year=2022"]),
              qdrant_index.search(query, k=30, filters=["topic=music", "topic=sport",
                                                        "year=2022"]))


def test_qdrant_add_delete_and_model_check(pair):
    _, index = pair
    report = index.add([Document("music-0", "brand new words"), Document("new", "more words")])
    assert (report.added, report.replaced) == (1, 1)
    assert index.search("brand new words", k=1, mode="dense")[0].doc_id == "music-0"
    index.delete(["new", "sport-1"])
    assert index.info()["documents"] == 23
    assert index.store.info()["points"] == 23  # deletions reached Qdrant after the commit
    found = {h.doc_id for h in index.search("marker2x1 more words", k=30, mode="dense")}
    assert not found & {"new", "sport-1"} and len(found) == 23
    with pytest.raises(EmbedlabError, match="different model"):
        Index.open(index.path, model=HashEmbedder(salt="x"))


def test_points_left_by_a_dead_writer_are_invisible_then_removed(pair, embedder):
    _, index = pair
    # a writer that died after upserting its points but before publishing its generation
    index.store.add(np.arange(24, 30), embedder.encode(["guitar piano concert"] * 6),
                    [[] for _ in range(6)])
    reopened = Index.open(index.path, model=embedder)
    assert reopened.store.info()["points"] == 30
    hits = reopened.search("guitar piano concert", k=30, mode="dense", per_document=False)
    assert len(hits) == 24 and max(h.row for h in hits) < 24
    reopened.add([Document("next", "next writer")])
    assert reopened.store.info()["points"] == 25
    assert reopened.search("next writer", k=1, mode="dense")[0].doc_id == "next"


def test_records_of_the_corpus_are_all_searchable(pair):
    _, index = pair
    for record in corpus_records()[::7]:
        assert index.search(record["text"], k=1, mode="dense")[0].doc_id == record["_id"]
