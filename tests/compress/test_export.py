from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab.compress.export import export_onnx
from embedlab.errors import EmbedlabError

TEXTS = ["the man plays guitar", "a woman is slicing an onion", "red car on a fast road", ""]


@pytest.mark.parametrize("int8", [False, True])
def test_export_loads_as_embedder_close_to_source(tiny_st_model: Path, tmp_path: Path,
                                                  int8: bool):
    out = tmp_path / "exported"
    report = export_onnx(str(tiny_st_model), out, int8=int8, threads=1)
    assert report.fused and (out / "model.onnx").is_file() and (out / "embedlab.json").is_file()
    model = embedlab.load(out, threads=1)
    source = embedlab.load(tiny_st_model)
    assert model.window == source.window == 32 and model.dim == 32 and model.threads == 1
    cos = np.sum(model.encode(TEXTS) * source.encode(TEXTS), axis=1)
    assert cos.min() >= (0.9999 if not int8 else 0.95)
    assert report.min_cosine_to_source == pytest.approx(float(cos.min()), abs=1e-3)


def test_export_refuses_non_empty_folder_and_non_encoders(tiny_st_model: Path, tiny_glove: Path,
                                                          tmp_path: Path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    with pytest.raises(EmbedlabError, match="not empty"):
        export_onnx(str(tiny_st_model), tmp_path / "busy")
    with pytest.raises(EmbedlabError, match="not a transformer encoder"):
        export_onnx(str(tiny_glove), tmp_path / "glove")
    assert not (tmp_path / "glove").exists()
