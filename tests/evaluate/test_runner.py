"""run_evaluation: models x tasks, skipping what does not apply, failing fast on bad data."""

from __future__ import annotations

import json

import pytest

from embedlab.errors import EmbedlabError
from embedlab.evaluate import Result, run_evaluation


def beir_folder(tmp_path, corpus, queries, qrels):
    folder = tmp_path / "mini-beir"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(
        json.dumps({"_id": d, "title": "", "text": t}) + "\n" for d, t in corpus.items()),
        encoding="utf-8")
    (folder / "queries.jsonl").write_text("".join(
        json.dumps({"_id": q, "text": t}) + "\n" for q, t in queries.items()), encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(
        f"{q}\t{d}\t{g}\n" for q, j in qrels.items() for d, g in j.items()), encoding="utf-8")
    return folder


def sts_file(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("sentence1,sentence2,score\na red apple,a red apple,5\n"
                    "a red apple,a green apple,3\na red apple,stock markets fell,0\n",
                    encoding="utf-8")
    return path


def test_models_by_name_and_object_with_skips(tmp_path, hash_model, tiny_retrieval) -> None:
    folder = beir_folder(tmp_path, tiny_retrieval.corpus, tiny_retrieval.queries,
                         tiny_retrieval.qrels)
    notes: list[str] = []
    results = run_evaluation([hash_model, "bm25"], [f"sts:{sts_file(tmp_path)}",
                                                    f"retrieval:{folder}"],
                             progress=False, on_skip=notes.append)
    assert [(r.model, r.task) for r in results] == [("hash", "sts"), ("hash", "retrieval"),
                                                    ("bm25", "retrieval")]
    assert notes == ["bm25 skipped on sts:pairs: it makes no vectors (it only ranks documents, "
                     "for retrieval tasks)"]
    sts, _, bm25 = results
    assert isinstance(sts, Result)
    assert sts.dataset == "pairs" and sts.main_metric == "spearman"
    assert sts.main_score == sts.scores["spearman"] == pytest.approx(1.0)
    assert bm25.dataset == "mini-beir/test" and bm25.main_metric == "ndcg@10"
    assert bm25.scores["mrr@10"] == pytest.approx(0.75)
    assert all(r.seconds >= 0 for r in results)


def test_bad_task_fails_before_any_model_loads(tmp_path) -> None:
    with pytest.raises(EmbedlabError, match="no such file"):
        run_evaluation(["no-such-model"], [f"sts:{tmp_path / 'missing.tsv'}"], progress=False)


def test_unknown_model_name_is_an_error(tmp_path) -> None:
    with pytest.raises(EmbedlabError, match="unknown model"):
        run_evaluation(["no-such-model"], [f"sts:{sts_file(tmp_path)}"], progress=False)
