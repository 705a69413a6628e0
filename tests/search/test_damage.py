"""A damaged index is one line naming the file (issue 15), and ``verify_index`` finds every
damaged file. Each file of a generation is cut in half, overwritten with noise, or removed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from search_helpers import HashEmbedder, corpus_records

from embedlab.errors import EmbedlabError
from embedlab.search.index import Index
from embedlab.search.verify import verify_index

FILES = ["manifest.json", "catalog.sqlite", "vectors.npy", "deleted.npy", "ann.faiss",
         "bm25/rows.npy", "bm25/data.csc.index.npy", "bm25/params.index.json",
         "bm25/vocab.index.json"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A whole index with every kind of file (``hnsw`` keeps ``ann.faiss``)."""
    folder = tmp_path_factory.mktemp("built")
    docs = folder / "docs.jsonl"
    docs.write_text("".join(json.dumps(r) + "\n" for r in corpus_records()), encoding="utf-8")
    Index.build(folder / "idx", docs, HashEmbedder(), kind="hnsw").close()
    return folder / "idx"


def _copy(built: Path, tmp_path: Path) -> tuple[Path, Path]:
    index = tmp_path / "idx"
    shutil.copytree(built, index)
    return index, next(index.glob("gen-*"))


def _cut(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _noise(path: Path) -> None:
    size = path.stat().st_size
    keep = 100 if path.name == "catalog.sqlite" else 0  # a valid header, pages of noise
    with path.open("r+b") as f:
        f.seek(keep)
        f.write(np.random.default_rng(1).bytes(size - keep))


def test_every_file_is_there_and_sound(built: Path) -> None:
    result = verify_index(built)
    assert not result.damaged, result.damaged
    names = {c.name.split("/", 1)[1] for c in result.checks if "/" in c.name}
    assert set(FILES) <= names


@pytest.mark.parametrize("damage", [_cut, _noise])
@pytest.mark.parametrize("name", FILES)
def test_a_damaged_file_is_named_on_open_and_by_verify(built: Path, tmp_path: Path,
                                                       name: str, damage) -> None:
    index, generation = _copy(built, tmp_path)
    damage(generation / name)
    shown = str(generation / name) if not name.startswith("bm25/") or name == "bm25/rows.npy" \
        else str(generation / "bm25")
    with pytest.raises(EmbedlabError) as info:
        with Index.open(index) as opened:
            opened.search("guitar piano", 3, mode="hybrid")
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{shown}: damaged ("), message
    assert "embedlab index verify" in message
    result = verify_index(index)
    damaged = {c.name for c in result.damaged}
    assert f"{generation.name}/{name}" in damaged, damaged
    assert all(c.problem and "\n" not in c.problem for c in result.damaged)


def test_missing_files_and_generations_are_named_not_retried(built: Path,
                                                             tmp_path: Path) -> None:
    index, generation = _copy(built, tmp_path)
    (generation / "vectors.npy").unlink()
    with pytest.raises(EmbedlabError, match=r"vectors.npy: missing from the index; run "):
        Index.open(index)
    assert [(c.name, c.problem) for c in verify_index(index).damaged] == [
        (f"{generation.name}/vectors.npy", "missing")]
    shutil.rmtree(generation)
    with pytest.raises(EmbedlabError, match=rf"{generation.name}: the current generation is "
                                            "missing"):
        Index.open(index)
    assert [c.name for c in verify_index(index).damaged] == [generation.name]


def test_a_rebuild_over_a_damaged_index_works(built: Path, tmp_path: Path,
                                              corpus_file: Path, embedder) -> None:
    index, generation = _copy(built, tmp_path)
    _cut(generation / "manifest.json")
    Index.build(index, corpus_file, embedder, overwrite=True).close()
    assert not verify_index(index).damaged


def test_counts_that_disagree_with_the_manifest_are_damage(built: Path, tmp_path: Path) -> None:
    index, generation = _copy(built, tmp_path)
    manifest = json.loads((generation / "manifest.json").read_text())
    manifest["documents"] += 1
    (generation / "manifest.json").write_text(json.dumps(manifest))
    damaged = verify_index(index).damaged
    assert [c.name for c in damaged] == [f"{generation.name}/catalog.sqlite"]
    assert "the manifest says" in str(damaged[0].problem)


def test_a_damaged_pointer_is_named(built: Path, tmp_path: Path) -> None:
    index, _ = _copy(built, tmp_path)
    _cut(index / "CURRENT")
    with pytest.raises(EmbedlabError, match=r"CURRENT: unreadable"):
        Index.open(index)
    result = verify_index(index)
    assert result.generation is None
    assert [c.name for c in result.damaged] == ["CURRENT"]
