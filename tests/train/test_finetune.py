from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab.errors import EmbedlabError
from embedlab.train.finetune import FinetuneConfig, finetune

WORDS = "dog cat park music guitar onion food car road red blue fast slow man woman".split()


@pytest.fixture()
def pairs(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(40):
        a = " ".join(rng.choice(WORDS, 3))
        rows.append(f"{a}\t{a} {rng.choice(WORDS)}")
    path = tmp_path / "pairs.tsv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture()
def sts_file(tmp_path: Path) -> Path:
    path = tmp_path / "sts.tsv"
    path.write_text("dog park\tdog in park\t4.5\nred car\tblue food\t0.5\n"
                    "man music\tman guitar\t3.5\nonion food\tcar road\t0.2\n")
    return path


def test_finetune_with_mined_negatives_projection_and_report(tmp_path: Path, pairs: Path,
                                                             sts_file: Path,
                                                             tiny_st_model: Path):
    from sentence_transformers import SentenceTransformer

    out = tmp_path / "tuned"
    config = FinetuneConfig(batch_size=8, hard_negatives=1, mining_range=(1, 30),
                            mining_margin=0.0, dim=16, learning_rate=1e-3)
    report = finetune(str(tiny_st_model), pairs, out, config, eval_tasks=[f"sts:{sts_file}"],
                      progress=False)
    assert report.loss == "mnrl" and report.examples == 40 and report.steps == 5
    assert report.mining["rows_out"] == 40
    assert (out / "report.md").read_text().count("| sts:") >= 1
    assert not (tmp_path / "tuned.partial").exists()
    ours = embedlab.load(out)
    assert ours.dim == 16
    texts = ["dog in park", "red car"]
    ref = SentenceTransformer(str(out), device="cpu").encode(texts, normalize_embeddings=True)
    np.testing.assert_allclose(ours.encode(texts), ref, atol=1e-5)
    base = embedlab.load(tiny_st_model).encode(texts)
    assert not np.allclose(base[:, :16], ours.encode(texts), atol=1e-2)


def test_same_seed_same_model(tmp_path: Path, pairs: Path, tiny_st_model: Path):
    config = FinetuneConfig(batch_size=8, learning_rate=1e-3)
    finetune(str(tiny_st_model), pairs, tmp_path / "a", config, progress=False)
    finetune(str(tiny_st_model), pairs, tmp_path / "b", config, progress=False)
    texts = ["dog park", "blue road"]
    np.testing.assert_allclose(embedlab.load(tmp_path / "a").encode(texts),
                               embedlab.load(tmp_path / "b").encode(texts), atol=1e-6)


@pytest.mark.parametrize(("loss", "extra"), [("cached-mnrl", {}), ("mnrl", {"matryoshka": [32, 8]}),
                                             ("mnrl", {"lora": True})])
def test_loss_variants_train(tmp_path: Path, pairs: Path, tiny_st_model: Path, loss: str,
                             extra: dict):
    config = FinetuneConfig(batch_size=8, loss=loss, mini_batch_size=4, **extra)
    report = finetune(str(tiny_st_model), pairs, tmp_path / "m", config, progress=False)
    assert report.steps == 5 and embedlab.load(tmp_path / "m").dim == 32
    assert "matryoshka" in report.loss if "matryoshka" in extra else True


def test_scored_pairs_use_cosent_and_bad_inputs_leave_nothing(tmp_path: Path, sts_file: Path,
                                                              tiny_st_model: Path):
    report = finetune(str(tiny_st_model), sts_file, tmp_path / "s",
                      FinetuneConfig(batch_size=2), progress=False)
    assert report.loss == "cosent"
    with pytest.raises(EmbedlabError, match="loss triplet does not take scored-pairs"):
        finetune(str(tiny_st_model), sts_file, tmp_path / "x", FinetuneConfig(loss="triplet"))
    with pytest.raises(EmbedlabError, match="not empty"):
        finetune(str(tiny_st_model), sts_file, tmp_path / "s")
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\t1\nc\td\t7\ne\tf\tx\n")
    with pytest.raises(EmbedlabError, match="row 3"):
        finetune(str(tiny_st_model), bad, tmp_path / "y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_mine_triplets_returns_rows_and_counts(tmp_path: Path, pairs: Path,
                                               tiny_st_model: Path):
    from embedlab.train.finetune import mine_triplets

    rows, stats = mine_triplets(pairs, str(tiny_st_model), negatives=1, rank_range=(1, 20),
                                margin=0.0, progress=False)
    assert rows and set(rows[0]) == {"anchor", "positive", "negative_1"}
    assert all(r["negative_1"] != r["positive"] for r in rows)
    assert stats and all(isinstance(v, int) for v in stats.values())
    same, _ = mine_triplets(pairs, embedlab.load(str(tiny_st_model)), negatives=1,
                            rank_range=(1, 20), margin=0.0, progress=False)
    assert same == rows


def test_mine_triplets_refuses_bad_data_and_counts(tmp_path: Path):
    from embedlab.train.finetune import mine_triplets

    with pytest.raises(EmbedlabError, match="at least 1"):
        mine_triplets(tmp_path / "pairs.tsv", "no-such-model", negatives=0)
    with pytest.raises(EmbedlabError):
        mine_triplets(tmp_path / "missing.tsv", "no-such-model")  # data fails before the model
