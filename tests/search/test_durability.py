"""Writes are atomic: a killed or failing ``index add`` leaves the index as it was, or added."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from search_helpers import HashEmbedder

from embedlab.errors import EmbedlabError
from embedlab.search import Document, Index
from embedlab.search import bm25 as bm25_module
from embedlab.search import generations as generations_module

WORDS = "man woman guitar playing onion dog cat park music food car road red blue".split()
ADD = ("import sys; from embedlab.cli.search import index_app; "
       "index_app(sys.argv[1:])")


def _records(prefix: str, n: int) -> list[dict]:
    return [{"id": f"{prefix}{i}", "text": f"{WORDS[i % 14]} {WORDS[i * 5 % 14]} {prefix}{i}x",
             "n": i % 4} for i in range(n)]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _check(folder: Path, model: str, earlier: list[dict], added: int) -> int:
    """The index opens, searches, and finds every earlier document; its document count."""
    index = Index.open(folder, model=model)
    count = index.info()["documents"]
    assert count in (len(earlier), len(earlier) + added), count
    for record in earlier:
        hits = index.search(f"{record['id']}x", k=1, mode="bm25")
        assert hits and hits[0].doc_id == record["id"]
    assert len(index.search("guitar dog", k=5, mode="dense")) == 5
    assert len(index.search("guitar e3x", k=5, mode="hybrid", filters=["n=3"])) == 5
    index.close()
    return count


def test_kill_during_index_add_leaves_a_whole_index(tmp_path, tiny_glove):
    folder = tmp_path / "idx"
    earlier = _records("e", 60)
    Index.build(folder, _write(tmp_path / "first.jsonl", earlier), str(tiny_glove), kind="exact")
    big = _write(tmp_path / "big.jsonl", _records("b", 5000))
    reader = Index.open(folder, model=str(tiny_glove))
    killed_while_writing = 0
    for delay in (0.0, 0.3):
        proc = subprocess.Popen([sys.executable, "-c", ADD, "add", str(folder), str(big), "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while proc.poll() is None and not list(folder.glob(".tmp-*")):
            assert time.monotonic() < deadline, "the add never started writing"
            time.sleep(0.002)
        time.sleep(delay)
        writing = proc.poll() is None and bool(list(folder.glob(".tmp-*")))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        killed_while_writing += writing and proc.returncode == -signal.SIGKILL
        count = _check(folder, str(tiny_glove), earlier, 5000)
        if count == len(earlier) + 5000:  # the add finished first: its documents are earlier now
            earlier += _records("b", 5000)[::500]
    assert killed_while_writing >= 1
    # a reader opened before the kills still searches its generation
    assert reader.search("e7x", k=1, mode="bm25")[0].doc_id == "e7"
    # the lock died with the writer; the next write clears what the killed one left
    index = Index.open(folder, model=str(tiny_glove))
    index.add([Document("after", "red car afterx")])
    assert not list(folder.glob(".tmp-*"))
    assert _check(folder, str(tiny_glove), earlier + [{"id": "after"}], 0) >= len(earlier) + 1


def test_a_failing_write_leaves_no_trace(tmp_path, corpus_file, monkeypatch):
    embedder = HashEmbedder()
    index = Index.build(tmp_path / "idx", corpus_file, embedder)
    before = index.generation

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bm25_module.ChunkBM25, "build", boom)  # fails mid-generation
    with pytest.raises(EmbedlabError, match=r"cannot write a new generation \(disk full\); "
                                            "the index is unchanged"):
        index.add([Document("new", "new text")])
    monkeypatch.undo()
    assert not list(index.path.glob(".tmp-*"))
    again = Index.open(index.path, model=embedder)
    assert again.generation == before and again.info()["documents"] == 24


def test_a_crash_between_rename_and_pointer_keeps_the_old_generation(tmp_path, corpus_file,
                                                                      monkeypatch):
    embedder = HashEmbedder()
    index = Index.build(tmp_path / "idx", corpus_file, embedder)
    before = index.generation

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if killed after the new folder was renamed into place

    monkeypatch.setattr(generations_module, "write_json_atomic", crash)
    with pytest.raises(KeyboardInterrupt):
        index.add([Document("new", "new text")])
    monkeypatch.undo()
    orphans = [p.name for p in index.path.glob("gen-*") if p.name > before]
    assert orphans  # published nowhere: CURRENT still names the old generation
    assert Index.open(index.path, model=embedder).generation == before
    # the next writer removes the orphan before it publishes its own generation
    report = Index.open(index.path, model=embedder).add([Document("new", "new text")])
    current = Index.open(index.path, model=embedder)
    assert report.documents == 25 and current.generation == report.generation
    assert current.search("new text", k=1, mode="bm25")[0].doc_id == "new"
    assert sorted(p.name for p in index.path.glob("gen-*")) == [before, report.generation]


def test_a_second_writer_waits_for_the_lock(tmp_path, corpus_file, monkeypatch):
    index = Index.build(tmp_path / "idx", corpus_file, HashEmbedder())
    with index.folder.lock():
        monkeypatch.setattr(generations_module.time, "monotonic", iter([0.0, 1e9]).__next__)
        with pytest.raises(EmbedlabError, match="another process is writing"):
            index.add([Document("x", "y")])
