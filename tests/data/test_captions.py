"""Captioned images from COCO, tables and .txt sidecars."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from embedlab.data.captions import load_captioned
from embedlab.errors import EmbedlabError


def _coco(root: Path, image_classes: Path, split: str = "val2017") -> Path:
    (root / split).mkdir(parents=True)
    (root / "annotations").mkdir(exist_ok=True)
    images, notes = [], []
    for i, src in enumerate(sorted((image_classes / "test").rglob("*.jpg"))):
        shutil.copy(src, root / split / f"{i:04d}.jpg")
        images.append({"id": 100 + i, "file_name": f"{i:04d}.jpg"})
        notes += [{"image_id": 100 + i, "caption": f"a {src.parent.name} thing"},
                  {"image_id": 100 + i, "caption": f"picture number {i}"}]
    images.append({"id": 999, "file_name": "uncaptioned.jpg"})  # no caption: left out
    path = root / "annotations" / f"captions_{split}.json"
    path.write_text(json.dumps({"images": images, "annotations": notes}))
    return path


def test_coco_folder_and_file(tmp_path: Path, image_classes: Path):
    annotations = _coco(tmp_path / "coco", image_classes)
    data = load_captioned(tmp_path / "coco")  # split val by default
    assert data.name == "coco/val2017" and len(data.paths) == 6
    assert data.captions[0] == ["a blue thing", "picture number 0"]
    texts, owners = data.pairs()
    assert len(texts) == 12 and owners[:4] == [0, 0, 1, 1]
    assert load_captioned(annotations).paths == data.paths
    with pytest.raises(EmbedlabError, match="no captioned images|no such"):
        load_captioned(tmp_path / "coco", split="train")


def test_table_groups_captions_by_image(tmp_path: Path, image_classes: Path):
    red = sorted((image_classes / "test" / "red").glob("*.jpg"))
    rows = [f"{red[0]},a red one", f"{red[0]},still red", f"{red[1]},another"]
    (tmp_path / "caps.csv").write_text("image,caption\n" + "\n".join(rows) + "\n")
    data = load_captioned(tmp_path / "caps.csv")
    assert data.captions == [["a red one", "still red"], ["another"]]


def test_sidecars(tmp_path: Path, image_classes: Path):
    folder = tmp_path / "side"
    shutil.copytree(image_classes / "test" / "blue", folder)
    (folder / "blue0.txt").write_text("a blue square\n\nblue noise\n")
    data = load_captioned(folder)
    assert len(data.paths) == 1 and data.captions == [["a blue square", "blue noise"]]
    (folder / "blue0.txt").unlink()
    with pytest.raises(EmbedlabError, match="no captioned images"):
        load_captioned(folder)


def test_bad_coco(tmp_path: Path, image_classes: Path):
    annotations = _coco(tmp_path / "coco", image_classes)
    doc = json.loads(annotations.read_text())
    doc["annotations"].append({"image_id": 999, "caption": "gone"})
    annotations.write_text(json.dumps(doc))
    with pytest.raises(EmbedlabError, match="uncaptioned.jpg does not exist"):
        load_captioned(annotations)
    annotations.write_text('{"images": []}')
    with pytest.raises(EmbedlabError, match="not a COCO captions file"):
        load_captioned(annotations)
