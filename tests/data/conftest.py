"""Tiny data files written into tmp_path, and the shared public data sets (skipped if absent)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

STSB_ROWS = [
    ("train", "main-captions", "MSRvid", "2012test", "0001", "5.000", "A plane is taking off.",
     "An air plane is taking off."),
    ("dev", "main-news", "headlines", "2013", "0002", "1.250", "Stocks fall", "Rain in Spain"),
    ("dev", "main-news", "headlines", "2013", "0003", "4.000", "Cats nap", "A cat naps"),
    ("test", "main-captions", "MSRvid", "2012test", "0024", "2.500",
     'A girl is "styling" her hair.', "A girl is brushing her hair."),
    ("test", "main-forum", "deft", "2014", "0033", "0.800", "Why?", "Because of cats."),
]
STSB_HEADER = "split\tgenre\tdataset\tyear\tsid\tscore\tsentence1\tsentence2\n"


def _write(path: Path, text: str, *, gz: bool = False, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _stsb(tmp_path: Path) -> Path:
    body = "".join("\t".join(r) + "\n" for r in STSB_ROWS)
    return _write(tmp_path / "stsbenchmark.tsv.gz", STSB_HEADER + body, gz=True)


def _beir(tmp_path: Path, qrels_text: str, name: str = "test.tsv") -> Path:
    folder = tmp_path / "mini"
    _write(folder / "corpus.jsonl",
           '{"_id": "d1", "title": "Cats", "text": "They purr."}\n'
           '{"_id": "d2", "title": "", "text": "Dogs bark."}\n'
           '{"_id": "d3", "text": "No title field."}\n')
    _write(folder / "queries.jsonl", '{"_id": "q1", "text": "why purr", "metadata": {}}\n'
                                     '{"_id": "q2", "text": "barking"}\n')
    _write(folder / "qrels" / name, qrels_text)
    return folder


@pytest.fixture
def write() -> Callable[..., Path]:
    """``write(path, text, gz=False, encoding="utf-8")``: the file, its folders made."""
    return _write


@pytest.fixture
def stsb() -> Callable[[Path], Path]:
    """``stsb(folder)``: a five-row STS-B ``.tsv.gz`` (train, 2 dev, 2 test rows)."""
    return _stsb


@pytest.fixture
def beir() -> Callable[..., Path]:
    """``beir(folder, qrels_text, name="test.tsv")``: BEIR folder ``mini``, 3 docs, 2 queries."""
    return _beir


@pytest.fixture
def shared_datasets() -> Path:
    """The shared public data sets; the test is skipped where they are not present."""
    if not DATASETS.is_dir():
        pytest.skip(f"no data sets at {DATASETS}")
    return DATASETS
