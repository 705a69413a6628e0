"""Evaluation through the index agrees with exact evaluation and with pytrec_eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from search_helpers import HashEmbedder, corpus_records

from embedlab.data.retrieval_sets import load_beir
from embedlab.errors import EmbedlabError
from embedlab.evaluate.retrieval import RetrievalEvaluator
from embedlab.search import Document, Index, evaluate_index


@pytest.fixture
def beir(tmp_path: Path) -> Path:
    folder = tmp_path / "beir"
    (folder / "qrels").mkdir(parents=True)
    records = corpus_records()
    (folder / "corpus.jsonl").write_text("".join(
        json.dumps({"_id": r["_id"], "title": r["title"], "text": r["text"]}) + "\n"
        for r in records), encoding="utf-8")
    queries = {f"q{i}": " ".join(r["text"].split()[1:4]) for i, r in enumerate(records[::3])}
    (folder / "queries.jsonl").write_text("".join(
        json.dumps({"_id": q, "text": t}) + "\n" for q, t in queries.items()), encoding="utf-8")
    lines = ["query-id\tcorpus-id\tscore"]
    for i, r in enumerate(records[::3]):
        topic = r["topic"]
        lines += [f"q{i}\t{r['_id']}\t2"] + [f"q{i}\t{o['_id']}\t1" for o in records
                                             if o["topic"] == topic and o is not r][:2]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_exact_index_equals_the_exact_evaluator(beir):
    embedder = HashEmbedder()
    through_index = evaluate_index(embedder, beir, index="exact", chunk_tokens=0)
    exact = RetrievalEvaluator(load_beir(beir, split="test"))(embedder)
    assert 0.2 < exact["ndcg@10"] < 1.0
    for key, value in exact.items():
        assert through_index[key] == pytest.approx(value, abs=1e-9), key
        assert through_index[f"exact:{key}"] == pytest.approx(value, abs=1e-9), key
    assert through_index["build_seconds"] > 0 and through_index["queries_per_second"] > 0


def test_metrics_of_an_index_folder_match_pytrec_eval(beir, tmp_path):
    import pytrec_eval

    embedder = HashEmbedder()
    data = load_beir(beir, split="test")
    docs = [Document(i, t) for i, t in data.corpus.items()]
    index = Index.build(tmp_path / "idx", docs, embedder, kind="hnsw")
    scores = evaluate_index(embedder, beir, index=tmp_path / "idx", mode="hybrid")
    qids = list(data.queries)
    ranked = index.rank([data.queries[q] for q in qids], 100, mode="hybrid")
    run = {q: {str(d): s for d, s, _ in r} for q, r in zip(qids, ranked, strict=True)}
    reference = pytrec_eval.RelevanceEvaluator(data.qrels, {"ndcg_cut.10", "recip_rank"})
    per_query = reference.evaluate(run)
    expected = sum(m["ndcg_cut_10"] for m in per_query.values()) / len(per_query)
    assert scores["ndcg@10"] == pytest.approx(expected, abs=1e-6)
    bm25 = evaluate_index(embedder, beir, index=tmp_path / "idx", mode="bm25")
    assert "exact:ndcg@10" not in bm25 and bm25["ndcg@10"] > 0


def test_evaluation_errors(beir, tmp_path):
    with pytest.raises(EmbedlabError, match="needs a model"):
        evaluate_index(None, beir, index="hnsw")
    Index.build(tmp_path / "other", ["unrelated text"], HashEmbedder())
    with pytest.raises(EmbedlabError, match="none of the index's documents"):
        evaluate_index(None, beir, index=tmp_path / "other", mode="bm25")
    with pytest.raises(EmbedlabError, match="different model"):
        evaluate_index(HashEmbedder(salt="z"), beir, index=tmp_path / "other")


def test_typos_cost_and_correction_recovers_through_the_index(beir, tmp_path):
    embedder = HashEmbedder()
    data = load_beir(beir, split="test")
    Index.build(tmp_path / "idx", [Document(i, t) for i, t in data.corpus.items()], embedder)
    score = {}
    for name, options in {"clean": {}, "typos": {"typos": 1.0},
                          "corrected": {"typos": 1.0, "correct": True}}.items():
        score[name] = evaluate_index(None, data, index=tmp_path / "idx", mode="bm25",
                                     **options)["ndcg@10"]
    assert score["typos"] < score["clean"]
    assert score["corrected"] > score["typos"]
    same = evaluate_index(None, data, index=tmp_path / "idx", mode="bm25", typos=1.0)
    assert same["ndcg@10"] == score["typos"]  # seeded: the same typos again
    prf = evaluate_index(None, data, index=tmp_path / "idx", mode="bm25", expand="prf")
    assert 0 < prf["ndcg@10"] <= 1 and prf["ndcg@10"] != score["clean"]
    with pytest.raises(EmbedlabError, match="unknown query expansion"):
        evaluate_index(None, data, index=tmp_path / "idx", expand="wordnet")
