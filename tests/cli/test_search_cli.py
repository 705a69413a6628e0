"""The index and search commands through typer (a local app, as embedlab.cli registers them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from embedlab.cli.search import index_app, search
from embedlab.errors import EmbedlabError

app = typer.Typer()
app.add_typer(index_app, name="index")
app.command("search")(search)
runner = CliRunner()


def run(*args: str) -> dict | list | str:
    result = runner.invoke(app, list(args))
    if result.exception is not None:
        raise result.exception
    assert result.exit_code == 0, result.output
    try:
        return json.loads(result.stdout)
    except ValueError:
        return result.stdout


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert isinstance(result.exception, EmbedlabError), result.output
    message = str(result.exception)
    assert "\n" not in message
    return message


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    path = tmp_path / "docs.jsonl"
    rows = [("d1", "a man playing guitar in the park", "music"),
            ("d2", "the woman is slicing an onion for cooking food", "food"),
            ("d3", "a dog runs fast on the road", "animals"),
            ("d4", "the cat and the dog in the park", "animals")]
    path.write_text("".join(json.dumps({"id": i, "text": t, "topic": c}) + "\n"
                            for i, t, c in rows), encoding="utf-8")
    return path


def test_build_search_add_delete_info(tmp_path, docs, tiny_glove):
    out = str(tmp_path / "idx")
    built = run("index", "build", str(docs), "-m", str(tiny_glove), "--out", out, "--json", "-q")
    assert built["added"] == 4 and built["index"]["documents"] == 4
    assert built["index"]["chunking"]["unit"] == "words"  # GloVe has no tokenizer
    hits = run("search", out, "guitar", "--mode", "dense", "-k", "2", "--json")["hits"]
    assert hits[0]["doc_id"] == "d1" and len(hits) == 2
    hits = run("search", out, "dog", "--filter", "topic=animals", "--mode", "bm25", "--json")
    assert {h["doc_id"] for h in hits["hits"]} == {"d3", "d4"}
    plain = run("search", out, "onion cooking")
    assert plain.splitlines()[0].split()[:3] == ["1.", plain.split()[1], "d2"]

    more = tmp_path / "more.txt"
    more.write_text("red car on the road\nblue car fast\n", encoding="utf-8")
    added = run("index", "add", out, str(more), "--json", "-q")
    assert added["added"] == 2 and added["index"]["documents"] == 6
    assert run("search", out, "car", "--mode", "bm25", "--json")["hits"][0]["doc_id"] in {"0",
                                                                                         "1"}
    deleted = run("index", "delete", out, "d1", "ghost", "--json")
    assert deleted["deleted"] == 1 and deleted["missing"] == ["ghost"]
    info = run("index", "info", out, "--json")
    assert info["documents"] == 5 and info["model"] == str(tiny_glove.resolve())
    assert "documents" in run("index", "info", out)


def test_command_errors_are_one_line(tmp_path, docs, tiny_glove):
    out = str(tmp_path / "idx")
    assert "no such index" in fails("search", str(tmp_path / "nowhere"), "guitar")
    assert "no such index" in fails("index", "info", str(tmp_path / "nowhere"))
    run("index", "build", str(docs), "-m", str(tiny_glove), "--out", out, "-q")
    assert "unknown filter field 'colour'" in fails("search", out, "dog", "-f", "colour=red")
    assert "query is empty" in fails("search", out, "  ")
    assert "k must be" in fails("search", out, "dog", "-k", "0")
    assert "unknown index kind" in fails("index", "build", str(docs), "-m", str(tiny_glove),
                                         "--out", str(tmp_path / "x"), "--index", "ivf")
    assert "already holds an index" in fails("index", "build", str(docs), "-m",
                                             str(tiny_glove), "--out", out)
    other = tmp_path / "other.glove.txt"
    other.write_text(tiny_glove.read_text().replace("0", "1"), encoding="utf-8")
    message = fails("search", out, "dog", "-m", str(other))
    assert "was built with model" in message and "different model" in message


def test_search_corrects_and_expands_and_shows_the_query_as_searched(tmp_path, docs, tiny_glove):
    out = str(tmp_path / "idx")
    run("index", "build", str(docs), "-m", str(tiny_glove), "--out", out, "-q")
    found = run("search", out, "gutiar in the prak", "--mode", "bm25", "--correct", "--json")
    assert found["query"] == "gutiar in the prak" and found["corrected"] == "guitar in the park"
    assert found["corrections"] == [{"from": "gutiar", "to": "guitar"},
                                    {"from": "prak", "to": "park"}]
    assert found["hits"][0]["doc_id"] in {"d1", "d4"}
    plain = run("search", out, "gutiar", "--mode", "bm25", "--json")
    assert plain["corrected"] == "gutiar" and plain["hits"] == []
    prf = run("search", out, "onion", "--mode", "hybrid", "--expand", "prf", "--json")
    assert prf["hits"][0]["doc_id"] == "d2" and "cook" in prf["expanded"]
    text = runner.invoke(app, ["search", out, "gutiar", "--correct"])
    assert text.exit_code == 0 and "searched for: guitar" in text.output
    assert "unknown query expansion 'more'" in fails("search", out, "dog", "--expand", "more")


def test_typos_command_writes_a_seeded_file_beside_the_queries(tmp_path):
    from embedlab.cli.main import app as main_app

    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"_id": "1", "text": "structural problems of heated aircraft"}\n')
    result = runner.invoke(main_app, ["typos", str(queries), "--rate", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "queries.typos-r100-s3.jsonl"
    row = json.loads(written.read_text())
    assert row["_id"] == "1" and row["text"] != "structural problems of heated aircraft"
    again = runner.invoke(main_app, ["typos", str(queries), "--rate", "1", "--seed", "3", "-o",
                                     str(tmp_path / "again.jsonl")])
    assert again.exit_code == 0 and (tmp_path / "again.jsonl").read_text() == \
        written.read_text()
    bad = runner.invoke(main_app, ["typos", str(queries), "--rate", "2"])
    assert bad.exit_code != 0
