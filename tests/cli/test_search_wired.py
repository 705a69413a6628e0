"""Search commands through the real entry point: exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "embedlab", *args], capture_output=True,
                          text=True, timeout=300)


def test_build_search_and_eval_through_index(tmp_path: Path, tiny_st_model: Path):
    corpus = tmp_path / "corpus.jsonl"
    docs = {"d1": "the dog runs in the park", "d2": "a man plays the guitar",
            "d3": "red car on a fast road"}
    corpus.write_text("".join(json.dumps({"_id": k, "text": v, "topic": k[-1]}) + "\n"
                              for k, v in docs.items()))
    index = tmp_path / "idx"
    proc = run("index", "build", str(corpus), "-m", str(tiny_st_model), "--out", str(index))
    assert proc.returncode == 0, proc.stderr
    proc = run("search", str(index), "dog park", "-k", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert "d1" in json.dumps(hits)
    proc = run("search", str(index), "   ")
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")
    assert proc.stderr.strip().count("\n") == 0
    proc = run("search", str(tmp_path / "missing"), "dog")
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")

    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    (beir / "corpus.jsonl").write_text(corpus.read_text())
    (beir / "queries.jsonl").write_text('{"_id": "q1", "text": "dog in the park"}\n'
                                        '{"_id": "q2", "text": "guitar music"}\n')
    (beir / "qrels" / "test.tsv").write_text("q1\td1\t1\nq2\td2\t1\n")
    out = tmp_path / "r.json"
    proc = run("eval", "-m", str(tiny_st_model), "--task", f"retrieval:{beir}", "--index",
               "exact", "--json", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    row = json.loads(out.read_text())["results"][0]
    assert row["dataset"].endswith("[exact]")
    assert abs(row["scores"]["ndcg@10"] - row["scores"]["exact:ndcg@10"]) < 1e-9
    proc = run("eval", "-m", str(tiny_st_model), "--task", f"retrieval:{beir}", "--index",
               str(index), "--mode", "bm25", "--typos", "1", "--correct", "--json", str(out),
               "-q")
    assert proc.returncode == 0, proc.stderr
    row = json.loads(out.read_text())["results"][0]
    assert row["dataset"].endswith("[idx, bm25, typos 100%, correct]")
    assert 0 < row["scores"]["ndcg@10"] <= 1
    proc = run("eval", "-m", str(tiny_st_model), "--task", f"retrieval:{beir}", "--correct")
    assert proc.returncode == 2 and "through an index (--index)" in proc.stderr
    proc = run("eval", "-m", str(tiny_st_model), "--task", f"retrieval:{beir}", "--index",
               "hnsw", "--task", "word-similarity:wordsim353")
    assert proc.returncode == 2 and "retrieval tasks only" in proc.stderr
