from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab.compress import parse_method, parse_methods
from embedlab.compress.evaluate import CompressedModel, evaluate_compression
from embedlab.compress.report import write_compression_report
from embedlab.evaluate.tasks import parse_task

DOCS = ["the dog runs in the park", "a man plays the guitar", "a woman is slicing an onion",
        "red car on a fast road", "the cat and the dog", "cooking food with onion",
        "blue car is slow", "music and guitar playing", "the park is red", "a man runs fast"]
QUERIES = {"q1": "dog in park", "q2": "guitar music", "q3": "onion food", "q4": "fast car"}
QRELS = {"q1": {"d0": 2, "d4": 1}, "q2": {"d1": 1, "d7": 2}, "q3": {"d2": 1, "d5": 1},
         "q4": {"d3": 1, "d9": 1}}


@pytest.fixture()
def beir(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny-beir"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(
        json.dumps({"_id": f"d{i}", "title": "", "text": t}) + "\n" for i, t in enumerate(DOCS)))
    (folder / "queries.jsonl").write_text("".join(
        json.dumps({"_id": q, "text": t}) + "\n" for q, t in QUERIES.items()))
    rows = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{g}" for q, ds in QRELS.items()
                                             for d, g in ds.items()]
    (folder / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n")
    return folder


def test_float32_baseline_has_full_retention_and_methods_cost_less(beir: Path,
                                                                    tiny_st_model: Path):
    model = embedlab.load(tiny_st_model)
    task = parse_task(f"retrieval:{beir}")
    results = evaluate_compression(model, task, "int8,binary:rescore=2,pca:8,fp16")
    by = {r.method: r for r in results}
    assert list(by) == ["float32", "int8", "binary:rescore=2", "pca:8", "fp16"]
    assert by["float32"].retention == 1.0 and by["float32"].bytes_per_vector == 128
    assert by["int8"].bytes_per_vector == 32 and by["int8"].compression == 4
    assert by["binary:rescore=2"].bytes_per_vector == 4 and by["binary:rescore=2"].compression \
        == 32
    assert by["pca:8"].bytes_per_vector == 32
    for r in results:
        assert r.search_ms_per_query is not None and r.search_ms_per_query >= 0
        assert r.main_metric == "ndcg@10" and 0 <= r.main_score <= 1
        assert r.retention == pytest.approx(r.main_score / by["float32"].main_score)
    assert by["fp16"].main_score == pytest.approx(by["float32"].main_score, abs=1e-3)


def test_retrieval_queries_stay_float_against_codes(beir: Path, tiny_st_model: Path):
    model = embedlab.load(tiny_st_model)
    compressed = CompressedModel(model, parse_method("int8"))
    retriever = compressed.make_retriever()
    retriever.index([f"d{i}" for i in range(len(DOCS))], DOCS)
    hits = retriever.search(["dog in park"], 3)[0]
    docs = model.encode(DOCS)
    q = model.encode(["dog in park"], kind="query")
    c = compressed.compressor
    expected = (q @ c.decode(c.encode(docs)).T)[0]
    assert [h[0] for h in hits] == [f"d{i}" for i in np.argsort(-expected)[:3]]


def test_symmetric_tasks_compress_both_sides(tmp_path: Path, tiny_st_model: Path):
    sts = tmp_path / "sts.tsv"
    pairs = [("the dog runs", "a dog is running", 4.5), ("a man plays guitar", "music", 2.0),
             ("red car", "onion food", 0.2), ("the cat", "the cat and the dog", 3.1),
             ("slow blue car", "fast red car", 2.2), ("park", "the park is red", 3.0)]
    sts.write_text("".join(f"{a}\t{b}\t{s}\n" for a, b, s in pairs))
    results = evaluate_compression(embedlab.load(tiny_st_model), parse_task(f"sts:{sts}"),
                                   parse_methods("int8,mrl:16"))
    assert [r.method for r in results] == ["float32", "int8", "mrl:16"]
    assert all(r.search_ms_per_query is None for r in results)
    assert results[1].main_score != results[0].main_score or results[2].main_score != \
        results[0].main_score
    written = write_compression_report(results, tmp_path / "out")
    assert [p.name for p in written] == ["report.md", "results.json", "compression.png"]
    assert json.loads((tmp_path / "out" / "results.json").read_text())["results"][1][
        "method"] == "int8"
    assert (tmp_path / "out" / "compression.png").stat().st_size > 1000
