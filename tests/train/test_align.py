"""``embedlab align`` on tiny models: heads trained, a joint model written and loaded, and
text-image retrieval scored on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab.data.captions import CaptionedImages
from embedlab.embedders.joint import JointEmbedder
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import NotApplicableError
from embedlab.evaluate.text_image import TextImageRetrievalEvaluator, recall_at
from embedlab.registry import load
from embedlab.train.align import AlignConfig, align, train_heads

CAPTION = {"red": "the red car", "green": "a dog in the park", "blue": "the blue road"}


@pytest.fixture(scope="module")
def captioned(image_classes: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = ["image,caption"]
    for path in sorted((image_classes / "train").rglob("*.*")):
        rows += [f"{path},{CAPTION[path.parent.name]}", f"{path},{path.parent.name} {path.stem}"]
    table = tmp_path_factory.mktemp("caps") / "captions.csv"
    table.write_text("\n".join(rows) + "\n")
    return table


@pytest.fixture(scope="module")
def joint_folder(captioned: Path, tiny_image_model: Path, tiny_st_model: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("align") / "joint"
    report = align(captioned, out, image_model=tiny_image_model, text_model=tiny_st_model,
                   config=AlignConfig(dim=16, steps=60, batch_size=8, lr=1e-2))
    assert report.images == 18 and report.captions == 36
    assert report.loss_last < report.loss_first
    return out


def test_joint_model_encodes_texts_and_images_in_one_space(joint_folder: Path,
                                                            image_classes: Path):
    model = load(joint_folder, cache_dir=False)
    assert isinstance(model, JointEmbedder) and model.modality == "text"
    assert model.images.modality == "image" and model.dim == model.images.dim == 16
    texts = model.encode(["the red car", "the blue road"])
    paths = sorted((image_classes / "test").rglob("*.jpg"))[:4]
    images = model.encode_images(paths)
    assert texts.shape == (2, 16) and images.shape == (4, 16)
    np.testing.assert_allclose(np.linalg.norm(images, axis=1), 1, atol=1e-5)
    # the image side is the base model's normalised vectors through the head
    raw = model.images.base.encode(paths) @ model.images.weight.T + model.images.bias
    np.testing.assert_allclose(images, raw / np.linalg.norm(raw, axis=1, keepdims=True),
                               atol=1e-5)
    assert model.fingerprint != model.images.fingerprint


def test_text_image_retrieval_on_the_joint_model(joint_folder: Path, image_classes: Path):
    paths = sorted(str(p) for p in (image_classes / "test").rglob("*.*"))
    data = CaptionedImages("colours", paths, [[CAPTION[Path(p).parent.name]] for p in paths])
    scores = TextImageRetrievalEvaluator(data)(load(joint_folder, cache_dir=False))
    assert scores["chance_t2i_recall@10"] == 1.0  # 9 images: every one is in the top 10
    assert scores["t2i_recall@10"] == 1.0 and 0 <= scores["t2i_recall@1"] <= 1
    assert scores["captions"] == 9


def test_recall_at_against_a_loop():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(30, 12))
    relevant = np.zeros((30, 12), dtype=bool)
    relevant[np.arange(30), rng.integers(0, 12, 30)] = True
    got = recall_at(scores, relevant, (1, 3))
    for k in (1, 3):
        expected = np.mean([relevant[i, np.argsort(-scores[i])[:k]].any() for i in range(30)])
        assert got[k] == pytest.approx(expected)


def test_text_model_does_not_apply(tiny_glove: Path, image_classes: Path):
    paths = [str(p) for p in sorted((image_classes / "test").rglob("*.jpg"))[:2]]
    data = CaptionedImages("x", paths, [["a"], ["b"]])
    with pytest.raises(NotApplicableError, match="one space"):
        TextImageRetrievalEvaluator(data)(load(tiny_glove))


def test_train_heads_learns_a_pairing():
    rng = np.random.default_rng(1)
    images = rng.normal(size=(20, 6)).astype(np.float32)
    texts = images @ rng.normal(size=(6, 5)).astype(np.float32)  # a linear relation to learn
    heads, losses = train_heads(images, texts, list(range(20)),
                                AlignConfig(dim=8, steps=200, batch_size=20, lr=1e-2))
    assert losses[-1] < 0.5 * losses[0]
    zi = images @ heads["image_weight"].T + heads["image_bias"]
    zt = texts @ heads["text_weight"].T + heads["text_bias"]
    zi /= np.linalg.norm(zi, axis=1, keepdims=True)
    zt /= np.linalg.norm(zt, axis=1, keepdims=True)
    assert (np.argmax(zt @ zi.T, axis=1) == np.arange(20)).mean() >= 0.9


def test_bad_inputs(captioned: Path, tiny_image_model: Path, tiny_st_model: Path,
                    tmp_path: Path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(EmbedlabError, match="not an empty folder"):
        align(captioned, tmp_path / "full", image_model=tiny_image_model,
              text_model=tiny_st_model)
    with pytest.raises(EmbedlabError, match="not an image model"):
        align(captioned, tmp_path / "out", image_model=tiny_st_model, text_model=tiny_st_model)
    assert not (tmp_path / "out").exists()
    with pytest.raises(EmbedlabError, match="at least two"):
        train_heads(np.zeros((1, 3)), np.zeros((1, 2)), [0], AlignConfig(steps=1))


def test_encode_cli_takes_an_image_folder_through_a_joint_model(joint_folder: Path,
                                                                image_classes: Path,
                                                                tmp_path: Path):
    import subprocess
    import sys

    out = tmp_path / "v.npy"
    proc = subprocess.run([sys.executable, "-m", "embedlab", "encode",
                           str(image_classes / "test"), "-m", str(joint_folder), "-o", str(out),
                           "-q", "--no-cache"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    vecs = np.load(out)
    paths = sorted((image_classes / "test").rglob("*.*"))
    expected = load(joint_folder, cache_dir=False).encode_images(paths)
    np.testing.assert_allclose(vecs, expected, atol=1e-5)
