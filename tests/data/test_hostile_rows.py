"""Hostile rows (issue 15): text that is not valid Unicode and ids a reader would have to invent
are refused with one line naming the row, by every reader (texts for ``encode``, documents for
``index``). The files are the corpus in ``tests/fuzz/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedlab.data.readers import read_texts
from embedlab.errors import EmbedlabError
from embedlab.search.documents import read_documents

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
READERS = (read_texts, read_documents)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("name", "row"), [("lone_surrogate.jsonl", 2),
                                          ("surrogate_list.json", 3)])
def test_lone_surrogates_are_refused_naming_the_row(reader, name: str, row: int) -> None:
    with pytest.raises(EmbedlabError, match=rf"{name}: row {row} is not valid Unicode "
                                            r"\(a lone surrogate \\u(d800|de00)") as info:
        reader(FUZZ / name)
    assert "\n" not in str(info.value)


def test_a_surrogate_in_a_metadata_key_is_refused_too() -> None:
    with pytest.raises(EmbedlabError, match=r"row 1 is not valid Unicode .*\\udc00"):
        read_documents(FUZZ / "surrogate_in_key.jsonl")


@pytest.mark.parametrize("reader", READERS)
def test_a_surrogate_pair_and_an_escaped_backslash_are_text(reader, tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    path.write_text('["ok", "pair \\ud83d\\ude00 is fine"]')
    got = reader(path)
    texts = got.texts if hasattr(got, "texts") else [d.text for d in got.documents]
    assert texts == ["ok", "pair \U0001F600 is fine"]
    got = reader(FUZZ / "escaped_backslash.jsonl")
    texts = got.texts if hasattr(got, "texts") else [d.text for d in got.documents]
    assert texts == ["escaped backslash \\ud800 is plain text"]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("name", "row"), [("null_id.jsonl", 2), ("missing_id.jsonl", 2),
                                          ("short_row.csv", 3)])
def test_missing_ids_are_refused_not_invented(reader, name: str, row: int) -> None:
    with pytest.raises(EmbedlabError, match=rf"{name}: row {row} has no id in field 'id'"):
        reader(FUZZ / name)


def _parquet(path: Path, **columns) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize("reader", READERS)
def test_parquet_null_ids_and_bytes_that_are_not_utf8(reader, tmp_path: Path) -> None:
    import pyarrow as pa

    nulls = _parquet(tmp_path / "n.parquet", id=pa.array(["a", None, "c"]),
                     text=pa.array(["x", "y", "z"]))
    with pytest.raises(EmbedlabError, match=r"n.parquet: row 2 has no id in field 'id'"):
        reader(nulls)
    raw = pa.array([b"ok", b"ok", b"bad \xff"], pa.binary()).view(pa.string())
    bad = _parquet(tmp_path / "b.parquet", text=raw)
    with pytest.raises(EmbedlabError, match=r"b.parquet: row 3: column 'text' is not valid "
                                            "UTF-8"):
        reader(bad)
