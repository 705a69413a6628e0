"""Reports: the terminal table, results.json, report.md and the PNG plots."""

from __future__ import annotations

import json

from rich.console import Console

from embedlab.evaluate.report import results_table, results_to_json, write_report
from embedlab.evaluate.results import Result

RESULTS = [
    Result("minilm", "sts", "stsb/test", "spearman", 0.8203, {"spearman": 0.8203,
                                                               "pearson": 0.81}, 1.5),
    Result("minilm", "retrieval", "scifact/test", "ndcg@10", 0.645,
           {"ndcg@10": 0.645, "recall@1": 0.5, "recall@10": 0.8, "recall@100": 0.95}, 20.0),
    Result("bm25", "retrieval", "scifact/test", "ndcg@10", 0.679,
           {"ndcg@10": 0.679, "recall@1": 0.52, "recall@10": 0.81, "recall@100": 0.91}, 2.0),
    Result("minilm", "word-similarity", "wordsim353", "spearman", 0.7,
           {"spearman": 0.7, "pairs": 350.0, "skipped": 3.0, "pearson": float("nan")}, 0.1),
]


def test_json_has_the_documented_shape() -> None:
    doc = results_to_json(RESULTS)
    assert list(doc) == ["results"]
    first = doc["results"][0]
    assert list(first) == ["model", "task", "dataset", "main_metric", "main_score", "scores",
                           "seconds"]
    assert first["main_score"] == 0.8203
    assert doc["results"][3]["scores"]["pearson"] is None  # NaN is not JSON
    json.dumps(doc, allow_nan=False)


def test_table_has_a_row_per_task_and_a_column_per_model() -> None:
    table = results_table(RESULTS)
    assert [c.header for c in table.columns] == ["task", "dataset", "metric", "minilm", "bm25"]
    assert table.row_count == 3
    console = Console(width=100, record=True, color_system=None)
    console.print(table)
    text = console.export_text()
    assert "0.820" in text and "0.679" in text and "—" in text  # bm25 has no sts score


def test_write_report(tmp_path) -> None:
    written = write_report(RESULTS, tmp_path / "out")
    names = sorted(p.relative_to(tmp_path / "out").as_posix() for p in written)
    assert names == ["plots/retrieval-scifact-test-recall.png", "plots/retrieval-scifact-test.png",
                     "plots/sts-stsb-test.png", "plots/word-similarity-wordsim353.png",
                     "report.md", "results.json"]
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| task | dataset | metric | minilm | bm25 |" in report
    assert "| retrieval | scifact/test | ndcg@10 | 0.645 | **0.679** |" in report
    assert "| sts | stsb/test | spearman | 0.820 | — |" in report
    assert "![retrieval: scifact/test](plots/retrieval-scifact-test-recall.png)" in report
    assert "| skipped | 3 |" in report
    saved = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert saved == results_to_json(RESULTS)
