"""An index of images: built from a folder with an image model, searched with an image."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from embedlab.cli.search import index_app, search
from embedlab.errors import EmbedlabError
from embedlab.registry import load
from embedlab.search.index import Index

app = typer.Typer()
app.add_typer(index_app, name="index")
app.command("search")(search)


@pytest.fixture(scope="module")
def model(tiny_image_model: Path):
    return load(tiny_image_model, cache_dir=False)


def test_build_and_search_by_image(model, image_classes: Path, tmp_path: Path):
    photos = image_classes / "train"
    index = Index.build(tmp_path / "idx", photos, model)
    with index:
        assert index.modality == "image" and index.info()["documents"] == 18
        assert index.last_report is not None and index.last_report.chunks == 18
        query = photos / "green" / "green3.jpg"
        hits = index.search(str(query), k=3)
        assert hits[0].doc_id == "green/green3.jpg" and hits[0].score == pytest.approx(1, 1e-4)
        assert hits[0].meta["path"] == str(query.resolve())
        # the same ranking as brute force over the model's vectors
        paths = sorted(photos.rglob("*.*"))
        vecs = model.encode(paths)
        q = model.encode([query])[0]
        best = [paths[i].relative_to(photos).as_posix() for i in np.argsort(-(vecs @ q))[:3]]
        assert [h.doc_id for h in hits] == best
        with pytest.raises(EmbedlabError, match="holds images"):
            index.search("a green shirt")
        extra = tmp_path / "more"
        shutil.copytree(image_classes / "test" / "red", extra / "red")
        assert index.add(extra).replaced == 3  # ids are relative paths: red/red0.jpg again
        shutil.copytree(image_classes / "test" / "red", extra / "more-red")
        report = index.add(extra / "more-red")  # ids relative to that folder: red0.jpg, ...
        assert report.added == 3 and index.info()["documents"] == 21


def test_cli_index_build_and_search_image(tiny_image_model: Path, image_classes: Path,
                                          tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "idx"
    built = runner.invoke(app, ["index", "build", str(image_classes / "test"), "-o", str(out),
                                "-m", str(tiny_image_model), "--json", "-q"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["index"]["documents"] == 9
    query = image_classes / "test" / "blue" / "blue1.jpg"
    found = runner.invoke(app, ["search", str(out), "--image", str(query), "-k", "2", "--json"])
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)["hits"]
    assert hits[0]["doc_id"] == "blue/blue1.jpg" and len(hits) == 2
    both = runner.invoke(app, ["search", str(out), "text", "--image", str(query)])
    assert isinstance(both.exception, EmbedlabError)


def test_joint_model_index_finds_images_by_text(model, tiny_st_model: Path,
                                                image_classes: Path, tmp_path: Path):
    from embedlab.embedders.joint import joint_from_parts

    text = load(tiny_st_model, cache_dir=False)
    rng = np.random.default_rng(0)
    heads = {"text_weight": rng.normal(size=(8, text.dim)), "text_bias": np.zeros(8),
             "image_weight": rng.normal(size=(8, model.dim)), "image_bias": np.zeros(8)}
    joint = joint_from_parts(text, model, heads, name="joint", cache_dir=False)
    photos = image_classes / "test"
    with Index.build(tmp_path / "idx", photos, joint) as index:
        assert index.modality == "image" and index.manifest["model"]["joint"] is True
        hits = index.search("the red car", k=9)
        paths = sorted(photos.rglob("*.*"))
        scores = joint.encode_images(paths) @ joint.encode(["the red car"])[0]
        expected = [paths[i].relative_to(photos).as_posix() for i in np.argsort(-scores)]
        assert [h.doc_id for h in hits] == expected
        by_image = index.search(str(paths[4]), k=1)  # an image file: the image side
        assert by_image[0].doc_id == expected_id(paths[4], photos)
        with pytest.raises(EmbedlabError, match="holds images: add a folder"):
            index.add(["some text"])


def expected_id(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
