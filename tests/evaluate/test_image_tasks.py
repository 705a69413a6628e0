"""Image tasks: loaders for each layout, metrics against scikit-learn, the report's grid."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from embedlab.data.image_sets import load_image_classification, load_labelled_images
from embedlab.errors import EmbedlabError
from embedlab.evaluate import run_evaluation, write_report
from embedlab.evaluate.base import NotApplicableError
from embedlab.evaluate.images import (
    ImageRetrievalEvaluator,
    retrieval_scores,
    same_class_ranking,
)
from embedlab.evaluate.tasks import parse_task
from embedlab.registry import load


@pytest.fixture(scope="module")
def model(tiny_image_model: Path):
    return load(tiny_image_model, cache_dir=False)


def test_split_class_folders(image_classes: Path):
    data = load_image_classification(image_classes)
    assert len(data.train.texts) == 18 and len(data.test.texts) == 9
    assert data.name.endswith("/test") and set(data.test.labels) == {"red", "green", "blue"}
    assert all(Path(p).is_file() for p in data.train.texts)
    test = load_labelled_images(image_classes, split="test")
    assert test.labels == data.test.labels
    with pytest.raises(EmbedlabError, match="no 'dev' folder"):
        load_labelled_images(image_classes, split="dev")


def test_class_folders_are_split_stratified(image_classes: Path):
    data = load_image_classification(image_classes / "train")
    assert len(data.train.texts) + len(data.test.texts) == 18
    assert sorted(set(data.test.labels)) == ["blue", "green", "red"]
    assert not set(data.train.texts) & set(data.test.texts)


def test_csv_path_label_with_and_without_split(image_classes: Path, tmp_path: Path):
    rows = ["path,label,split"]
    for split in ("train", "test"):
        for p in sorted((image_classes / split).rglob("*.*")):
            rows.append(f"{p},{p.parent.name},{split}")
    (tmp_path / "set.csv").write_text("\n".join(rows) + "\n")
    data = load_image_classification(tmp_path / "set.csv")
    assert (len(data.train.texts), len(data.test.texts)) == (18, 9)
    assert len(load_labelled_images(tmp_path / "set.csv").texts) == 9
    (tmp_path / "plain.csv").write_text("\n".join(r.rsplit(",", 1)[0] for r in rows) + "\n")
    assert len(load_labelled_images(tmp_path / "plain.csv").texts) == 27
    (tmp_path / "nolabel.csv").write_text("path\n" + rows[1].split(",")[0] + "\n")
    with pytest.raises(EmbedlabError, match="no label column"):
        load_labelled_images(tmp_path / "nolabel.csv")


def test_flat_folder_and_one_class_are_errors(image_classes: Path, tmp_path: Path):
    flat = tmp_path / "flat"
    shutil.copytree(image_classes / "test" / "red", flat)
    with pytest.raises(EmbedlabError, match="not in a class folder"):
        load_labelled_images(flat)
    one = tmp_path / "one"
    shutil.copytree(image_classes / "test" / "red", one / "red")
    with pytest.raises(EmbedlabError, match="at least two classes"):
        load_labelled_images(one)


def test_retrieval_metrics_match_sklearn():
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(3)
    labels = [str(x) for x in rng.integers(0, 4, 40)]
    labels[0] = "lonely"  # a class of one: no relevant items, not a query
    vectors = rng.normal(size=(40, 8)).astype(np.float32) + np.array(
        [hash(label) % 5 for label in labels], dtype=np.float32)[:, None] * 0.3
    order, relevant, counts = same_class_ranking(vectors, labels)
    scores = retrieval_scores(relevant, counts, ks=(1, 5))
    x = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = x @ x.T
    aps, hit1, hit5, p5 = [], [], [], []
    for q in range(40):
        others = [j for j in range(40) if j != q]
        truth = np.array([labels[j] == labels[q] for j in others])
        if not truth.any():
            continue
        aps.append(average_precision_score(truth, sims[q, others]))
        top = np.array(others)[np.argsort(-sims[q, others], kind="stable")]
        same = np.array([labels[j] == labels[q] for j in top])
        hit1.append(same[:1].any())
        hit5.append(same[:5].any())
        p5.append(same[:5].mean())
    assert scores["queries"] == len(aps) == 39
    assert scores["map"] == pytest.approx(np.mean(aps), abs=1e-9)
    assert scores["recall@1"] == pytest.approx(np.mean(hit1))
    assert scores["recall@5"] == pytest.approx(np.mean(hit5))
    assert scores["precision@5"] == pytest.approx(np.mean(p5))


def test_perfect_and_wrong_rankings():
    labels = ["a", "a", "b", "b"]
    good = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=np.float32)
    scores = retrieval_scores(*same_class_ranking(good, labels)[1:])
    assert scores["map"] == 1.0 and scores["recall@1"] == 1.0
    bad = np.array([[1, 0], [0, 1], [1, 0.1], [0.1, 1]], dtype=np.float32)
    scores = retrieval_scores(*same_class_ranking(bad, labels)[1:])
    # the same-class item comes 3rd for the "a" queries, 2nd for the "b" ones
    assert scores["recall@1"] == 0.0 and scores["map"] == pytest.approx((1 / 3 + 1 / 2) / 2)


def test_tasks_run_and_report_draws_the_grid(model, image_classes: Path, tmp_path: Path):
    tasks = [f"image-classification:{image_classes}", f"image-retrieval:{image_classes}",
             f"clustering:{image_classes}"]
    assert parse_task(tasks[2]).kind == "image-clustering"  # a folder of images
    results = run_evaluation([model], tasks, progress=False)
    by_task = {r.task: r for r in results}
    assert set(by_task) == {"image-classification", "image-retrieval", "image-clustering"}
    assert 0 <= by_task["image-classification"].scores["accuracy"] <= 1
    retrieval = by_task["image-retrieval"]
    assert retrieval.main_metric == "map" and len(retrieval.examples) == 3
    assert len(retrieval.examples[0]["neighbours"]) == 5
    written = write_report(results, tmp_path / "report")
    grids = [p for p in written if p.name.endswith("-neighbours.png")]
    assert len(grids) == 1
    from PIL import Image

    with Image.open(grids[0]) as grid:  # 3 rows, a query and 5 neighbours each
        assert grid.size[0] > 6 * 96 and grid.size[1] > 3 * 96
    assert grids[0].name in (tmp_path / "report" / "report.md").read_text()


def test_text_model_does_not_apply_to_images(tiny_glove: Path, image_classes: Path):
    task = parse_task(f"image-retrieval:{image_classes}")
    with pytest.raises(NotApplicableError, match="takes text inputs"):
        task.evaluator()(load(tiny_glove))


def test_retrieval_evaluator_needs_two_images(model, image_classes: Path):
    from embedlab.data.datasets import LabelledTexts

    one = LabelledTexts("x", [str(next((image_classes / "test").rglob("*.jpg")))], ["a"])
    with pytest.raises(EmbedlabError, match="at least two images"):
        ImageRetrievalEvaluator(one)(model)
