"""Task specs KIND:PATH -> loaded data and the right evaluator, with clear errors."""

from __future__ import annotations

import pytest

from embedlab.errors import EmbedlabError
from embedlab.evaluate.analogy import AnalogyEvaluator
from embedlab.evaluate.sts import DocumentSimilarityEvaluator, STSEvaluator
from embedlab.evaluate.tasks import KINDS, parse_task


def sts_file(tmp_path):
    path = tmp_path / "mysts.tsv"
    path.write_text("a cat\ta kitten\t4.5\na dog\ta car\t1.0\nthe sun\tthe moon\t2.0\n",
                    encoding="utf-8")
    return path


def test_sts_task(tmp_path) -> None:
    task = parse_task(f"sts:{sts_file(tmp_path)}")
    assert (task.kind, task.dataset, task.name) == ("sts", "mysts", "sts:mysts")
    assert isinstance(task.evaluator(), STSEvaluator)
    assert task.primary_metric == "spearman"
    assert len(task.data.scores) == 3


def test_aliases_and_options(tmp_path) -> None:
    assert parse_task(f"STS:{sts_file(tmp_path)}").kind == "sts"
    task = parse_task("analogies:google-analogies", vocab_limit=1000)
    assert task.kind == "analogy" and task.options == {"vocab_limit": 1000}
    evaluator = task.evaluator(batch_size=8)
    assert isinstance(evaluator, AnalogyEvaluator) and evaluator.vocab_limit == 1000
    assert evaluator.batch_size == 8


@pytest.mark.parametrize(("spec", "message"), [
    ("no-colon-here", "expected KIND:PATH"),
    ("colour:/tmp", "unknown kind 'colour'"),
    ("sts:", "expected a path"),
    ("sts:/no/such/file.tsv", "no such file or folder"),
    ("sts:mteb/stsbenchmark-sts", "not downloaded from a hub; give a local path"),
    ("sts:wordsim353", "'wordsim353' is for word-similarity, not sts"),
    ("doc-similarity:/tmp", "DOCUMENTS,MATRIX"),
])
def test_bad_specs_are_one_line_errors(spec: str, message: str) -> None:
    with pytest.raises(EmbedlabError, match=message) as info:
        parse_task(spec)
    assert "\n" not in str(info.value)


def test_well_known_sets_shipped_with_gensim() -> None:
    pytest.importorskip("gensim")
    assert len(parse_task("word-similarity:wordsim353").data.scores) == 353
    assert len(parse_task("word-similarity:simlex999").data.scores) == 999
    analogies = parse_task("analogy:google-analogies").data
    assert sum(len(q) for q in analogies.sections.values()) == 19544
    lee = parse_task("doc-similarity:lee")
    assert isinstance(lee.evaluator(), DocumentSimilarityEvaluator)
    assert len(lee.data.scores) == 50 * 49 // 2  # the upper triangle of the 50x50 matrix
    assert len(parse_task("geometry:lee").data.texts) == 50


def test_doc_similarity_from_two_files(tmp_path) -> None:
    docs = tmp_path / "docs.txt"
    docs.write_text("one doc\nanother doc\na third\n", encoding="utf-8")
    matrix = tmp_path / "sims.txt"
    matrix.write_text("1 0.5 0.1\n0 1 0.7\n0 0 1\n", encoding="utf-8")
    task = parse_task(f"doc-similarity:{docs},{matrix}")
    assert task.data.scores.tolist() == [0.5, 0.1, 0.7]
    assert task.data.texts1 == ["one doc", "one doc", "another doc"]


def test_every_kind_has_an_evaluator() -> None:
    assert set(KINDS) == {"sts", "retrieval", "classification", "clustering",
                          "pair-classification", "word-similarity", "analogy", "geometry",
                          "doc-similarity", "node-classification", "node-clustering",
                          "link-prediction", "recommendation",
                          "image-classification", "image-retrieval", "image-clustering",
                          "text-image-retrieval"}
