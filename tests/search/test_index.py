from __future__ import annotations

import json

import pytest
from search_helpers import HashEmbedder, corpus_records

from embedlab.errors import EmbedlabError
from embedlab.search import Document, Index, rrf, weighted_sum
from embedlab.search.generations import POINTER


@pytest.fixture
def index(tmp_path, corpus_file, embedder) -> Index:
    return Index.build(tmp_path / "idx", corpus_file, embedder)


def test_build_records_model_counts_and_fields(index, embedder):
    info = index.info()
    assert info["model"] == embedder.name and info["dim"] == 32
    assert (info["documents"], info["chunks"]) == (24, 24)
    assert info["fields"] == ["title", "topic", "year"]
    assert info["backend"] == "faiss" and info["structure"] == "IndexFlatIP (exact)"
    assert index.last_report is not None and index.last_report.added == 24
    manifest = json.loads((index.path / index.generation / "manifest.json").read_text())
    assert manifest["model"]["key"] == embedder.config_key()


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_mode_finds_a_document_by_its_own_words(index, mode):
    for record in corpus_records()[::5]:
        hits = index.search(record["text"], k=3, mode=mode)
        assert hits[0].doc_id == record["_id"], (mode, record["_id"])
        assert hits[0].rank == 1 and hits[0].chunk == 0
        assert hits[0].meta["topic"] == record["topic"]
        assert record["text"] in hits[0].text


def test_hybrid_equals_rrf_and_weighted_sum_computed_by_hand(index):
    query = "guitar concert marker1x3 goal"
    dense = [(h.doc_id, h.score) for h in index.search(query, k=100, mode="dense")]
    lexical = [(h.doc_id, h.score) for h in index.search(query, k=100, mode="bm25")]
    assert 0 < len(lexical) < len(dense) == 24  # BM25 returns only documents with a query word
    hybrid = index.search(query, k=10, mode="hybrid")
    expected = rrf([dense, lexical], k=60)[:10]
    assert [(h.doc_id, pytest.approx(h.score)) for h in hybrid] == expected
    weighted = index.search(query, k=10, mode="hybrid", fusion="weighted", alpha=0.3)
    expected = weighted_sum([dense, lexical], weights=[0.3, 0.7])[:10]
    assert [(h.doc_id, pytest.approx(h.score)) for h in weighted] == expected


def test_filters_are_and_across_fields_and_or_within_a_field(index):
    hits = index.search("guitar football", k=30, mode="dense", filters=["topic=music"])
    assert len(hits) == 6 and {h.meta["topic"] for h in hits} == {"music"}
    hits = index.search("x guitar", k=30, filters=["topic=music", "topic=sport", "year=2021"])
    assert {h.doc_id for h in hits} == {"music-1", "music-4", "sport-1", "sport-4"}
    assert index.search("guitar", k=5, mode="bm25", filters={"year": 2021})[0].doc_id in {
        "music-1", "music-4"}
    assert index.search("guitar", filters=["topic=nothing"]) == []


@pytest.mark.parametrize(("call", "message"), [
    (lambda i: i.search("guitar", filters=["colour=red"]), "unknown filter field 'colour'"),
    (lambda i: i.search("guitar", filters=["topic"]), "is not field=value"),
    (lambda i: i.search("   "), "the query is empty"),
    (lambda i: i.search("guitar", k=0), "k must be"),
    (lambda i: i.search("guitar", k=2.5), "k must be"),
    (lambda i: i.search("guitar", mode="sparse"), "unknown search mode"),
    (lambda i: i.delete(["nope"]), "no document with id 'nope'"),
])
def test_bad_requests_are_one_line_errors(index, call, message):
    with pytest.raises(EmbedlabError, match=message) as info:
        call(index)
    assert "\n" not in str(info.value)


def test_missing_index_and_occupied_folders_are_refused(tmp_path, corpus_file, embedder):
    with pytest.raises(EmbedlabError, match="no such index"):
        Index.open(tmp_path / "none")
    (tmp_path / "plain").mkdir()
    with pytest.raises(EmbedlabError, match="not an embedlab index"):
        Index.open(tmp_path / "plain")
    (tmp_path / "plain" / "x.txt").write_text("x")
    with pytest.raises(EmbedlabError, match="not empty"):
        Index.build(tmp_path / "plain", corpus_file, embedder)
    Index.build(tmp_path / "idx", corpus_file, embedder)
    with pytest.raises(EmbedlabError, match="already holds an index"):
        Index.build(tmp_path / "idx", corpus_file, embedder)
    rebuilt = Index.build(tmp_path / "idx", ["only one text"], embedder, overwrite=True)
    assert rebuilt.info()["documents"] == 1


def test_another_model_is_refused(index, tmp_path):
    with pytest.raises(EmbedlabError, match="built with model 'hash-32'.*different model"):
        Index.open(index.path, model=HashEmbedder(salt="-other"))
    with pytest.raises(EmbedlabError, match="different model"):
        Index.open(index.path, model=HashEmbedder(dim=16))
    # without a model, the recorded one is loaded by name: here it cannot be
    with pytest.raises(EmbedlabError):
        Index.open(index.path).search("guitar", mode="dense")
    # BM25 needs no model
    assert Index.open(index.path).search("guitar", mode="bm25")


def test_add_replaces_same_ids_and_numbers_files_without_ids(index, tmp_path):
    report = index.add([Document("music-0", "completely new words here", {"topic": "new"}),
                        Document("extra", "an extra document", {"topic": "new"})])
    assert (report.added, report.replaced, report.documents) == (1, 1, 25)
    assert index.search("completely new words", k=1)[0].doc_id == "music-0"
    assert index.search("completely new words", k=1)[0].meta == {"topic": "new"}
    assert len(index.search("x", k=10, filters=["topic=music"])) == 5
    texts = tmp_path / "more.txt"
    texts.write_text("first plain line\nsecond plain line\n")
    assert index.add(texts).added == 2
    index.add(["third plain line"])
    ids = {h.doc_id for h in index.search("plain line", k=3, mode="bm25")}
    assert ids == {"0", "1", "2"}


def test_delete_removes_from_every_mode_and_reports_missing_ids(index):
    report = index.delete(["music-1", "music-2", "ghost"])
    assert (report.deleted, report.missing, report.documents) == (2, ["ghost"], 22)
    for mode in ("dense", "bm25", "hybrid"):
        found = {h.doc_id for h in index.search("marker1x1 marker1x2 guitar", k=30, mode=mode)}
        assert not found & {"music-1", "music-2"}


def test_long_documents_are_chunked_and_hits_name_the_chunk(tmp_path, embedder):
    words = [f"w{i}" for i in range(500)]
    doc = Document("long", " ".join(words))
    index = Index.build(tmp_path / "idx", [doc, Document("short", "w3 w4")], embedder,
                        chunk_tokens=100, overlap=10)
    assert index.info()["chunks"] == 1 + 6
    hit = index.search("w450 w451 w452", k=1, mode="bm25")[0]
    assert hit.doc_id == "long" and hit.chunk == 5 and "w450" in hit.text
    assert doc.text[hit.start:hit.end] == hit.text
    chunks = index.search("w450 w451 w452 w3", k=3, mode="bm25", per_document=False)
    assert [h.doc_id for h in chunks].count("long") == 2  # two chunks of one document
    assert len(index.search("w450 w3", k=5, mode="bm25")) == 2  # one hit per document


def test_readers_keep_their_generation_while_a_writer_publishes(index, embedder):
    reader = Index.open(index.path, model=embedder)
    before = reader.generation
    writer = Index.open(index.path, model=embedder)
    writer.add([Document("late", "late arrival marker")])
    writer.add([Document("later", "later arrival marker")])
    # the reader still searches the generation it opened, whose files are kept or open
    assert reader.generation == before
    assert "late" not in {h.doc_id for h in reader.search("arrival marker", k=30)}
    assert reader.refresh() and reader.generation != before
    assert {h.doc_id for h in reader.search("arrival", k=2, mode="bm25")} == {"late", "later"}
    # two generations are kept, older ones removed
    gens = sorted(p.name for p in index.path.glob("gen-*"))
    assert len(gens) == 2 and json.loads((index.path / POINTER).read_text())[
        "generation"] == gens[-1]


def test_many_deletions_compact_rows_and_keep_search_right(tmp_path, embedder):
    docs = [Document(f"d{i}", f"word{i} common") for i in range(40)]
    index = Index.build(tmp_path / "idx", docs, embedder)
    index.delete([f"d{i}" for i in range(20)])
    store = index.store
    assert store.n_rows == 20 and not store.deleted.any()  # compacted
    hit = index.search("word33", k=1, mode="dense")[0]
    assert hit.doc_id == "d33" and hit.text == "word33 common"
    q, d = embedder.encode(["word33", "word33 common"])
    assert hit.score == pytest.approx(float(q @ d), abs=1e-5)
