"""Image files named by folders, globs, list files and tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from embedlab.data.images import read_images
from embedlab.errors import EmbedlabError


@pytest.fixture
def photos(tmp_path: Path, image_classes: Path) -> Path:
    root = tmp_path / "photos"
    shutil.copytree(image_classes / "train", root)
    (root / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    shutil.copy(next((root / "red").glob("*.jpg")), root / ".hidden" / "x.jpg")
    shutil.copy(next((root / "red").glob("*.jpg")), root / "red" / ".dotfile.jpg")
    return root


def test_folder_is_searched_recursively_ids_relative(photos: Path):
    images = read_images(photos)
    assert len(images) == 18 and images.labels is None
    assert images.ids[0] == "blue/blue0.jpg" and all(not i.startswith(".") for i in images.ids)
    assert all(p.is_absolute() and p.is_file() for p in images.paths)
    assert not any(".hidden" in i or "notes" in i for i in images.ids)


def test_glob(photos: Path):
    images = read_images(str(photos / "**" / "*.png"))
    assert images.ids == ["blue/blue2.png", "blue/blue5.png", "green/green2.png",
                          "green/green5.png", "red/red2.png", "red/red5.png"]
    with pytest.raises(EmbedlabError, match="matches no files"):
        read_images(str(photos / "*.gif"))


def test_list_file_paths_relative_to_it(photos: Path, tmp_path: Path):
    listing = tmp_path / "list.txt"
    listing.write_text("photos/red/red0.jpg\n\n" + str(photos / "blue" / "blue1.jpg") + "\n")
    images = read_images(listing)
    assert images.ids == ["photos/red/red0.jpg", str(photos / "blue" / "blue1.jpg")]
    assert images.paths[0] == (photos / "red" / "red0.jpg").resolve()


def test_csv_and_jsonl_with_path_and_label(photos: Path):
    (photos / "set.csv").write_text("image,category\nred/red0.jpg,red\nblue/blue1.jpg,blue\n")
    images = read_images(photos / "set.csv")
    assert images.ids == ["red/red0.jpg", "blue/blue1.jpg"] and images.labels == ["red", "blue"]
    rows = [{"file": "green/green0.jpg", "label": "g"}]
    (photos / "set.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    assert read_images(photos / "set.jsonl").labels == ["g"]
    (photos / "named.csv").write_text("where\nred/red0.jpg\n")
    assert len(read_images(photos / "named.csv", field="where")) == 1


@pytest.mark.parametrize("content, message", [
    ("text\nred/red0.jpg\n", "no path column"),
    ("path\nred/missing.jpg\nred/gone.jpg\n", "'red/missing.jpg' does not exist \\(and 1 more"),
    ("path\n", "no image paths"),
])
def test_bad_tables(photos: Path, content: str, message: str):
    (photos / "bad.csv").write_text(content)
    with pytest.raises(EmbedlabError, match=message):
        read_images(photos / "bad.csv")


def test_empty_folder_and_missing_source(tmp_path: Path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(EmbedlabError, match="no image files in this folder"):
        read_images(tmp_path / "empty")
    with pytest.raises(EmbedlabError, match="no such file or folder"):
        read_images(tmp_path / "nowhere")
    (tmp_path / "x.bin").write_bytes(b"\0")
    with pytest.raises(EmbedlabError, match="not a folder, an image"):
        read_images(tmp_path / "x.bin")
