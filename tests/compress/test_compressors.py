from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedlab.compress import load_compressor, parse_method, parse_methods
from embedlab.compress.quantize import BinaryQuantizer, ScalarQuantizer
from embedlab.errors import EmbedlabError


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(500, 48)).astype(np.float32) @ rng.normal(size=(48, 48)).astype(
        np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("method", ["int8", "uint8"])
def test_scalar_round_trip_error_is_bounded(vectors: np.ndarray, method: str):
    q = parse_method(method).fit(vectors)
    assert isinstance(q, ScalarQuantizer)
    codes = q.encode(vectors)
    assert codes.dtype == (np.int8 if method == "int8" else np.uint8)
    err = np.abs(q.decode(codes) - vectors)
    assert np.all(err <= q.max_error()[None, :] + 1e-6)
    assert q.bytes_per_vector() == 48  # 4x fewer than float32


def test_out_of_range_values_are_clipped(vectors: np.ndarray):
    q = parse_method("int8").fit(vectors[:100])
    far = vectors[:3] * 100
    decoded = q.decode(q.encode(far))
    assert np.all(decoded <= q.low + 255 * q.step + 1e-5)


def test_binary_search_never_returns_fewer_than_k(vectors: np.ndarray):
    b = BinaryQuantizer(rescore=1).fit(vectors)
    codes = b.encode(vectors)
    assert codes.shape == (500, 6) and b.bytes_per_vector() == 6  # 32x fewer bytes
    idx, scores = b.search(vectors[:10], codes, k=25)
    assert idx.shape == (10, 25) and len({tuple(sorted(r)) for r in idx}) == 10
    assert all(len(set(row)) == 25 for row in idx)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # sorted best first
    assert b.search(vectors[:2], codes[:5], k=10)[0].shape == (2, 5)


def test_binary_rescoring_recovers_exact_neighbours(vectors: np.ndarray):
    b = BinaryQuantizer(rescore=10).fit(vectors)
    codes = b.encode(vectors)
    idx, _ = b.search(vectors[:50], codes, k=1)
    assert np.mean(idx[:, 0] == np.arange(50)) >= 0.95  # each vector finds itself


@pytest.mark.parametrize("method", ["fp16", "int8", "uint8", "binary:rescore=3", "pca:16",
                                    "whiten", "whiten:12", "mrl:24"])
def test_saved_compressor_reloads_to_identical_outputs(vectors: np.ndarray, tmp_path: Path,
                                                       method: str):
    c = parse_method(method).fit(vectors)
    path = c.save(tmp_path / "c.npz")
    again = load_compressor(path)
    assert again.spec == c.spec
    np.testing.assert_array_equal(again.encode(vectors[:20]), c.encode(vectors[:20]))
    np.testing.assert_array_equal(again.scores(vectors[:5], c.encode(vectors[:20])),
                                  c.scores(vectors[:5], c.encode(vectors[:20])))


def test_pca_matches_sklearn(vectors: np.ndarray):
    from sklearn.decomposition import PCA

    ours = parse_method("pca:8").fit(vectors).encode(vectors[:10])
    ref = PCA(n_components=8, svd_solver="full").fit(vectors).transform(vectors[:10])
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    np.testing.assert_allclose(np.abs(ours), np.abs(ref), atol=1e-4)  # sign of axes is free


def test_whitening_gives_identity_covariance(vectors: np.ndarray):
    w = parse_method("whiten").fit(vectors)
    projected = (vectors - w.mean) @ w.kernel
    np.testing.assert_allclose(np.cov(projected.T), np.eye(48), atol=1e-2)
    assert parse_method("whiten:16").fit(vectors).encode(vectors).shape == (500, 16)


def test_matryoshka_truncates_and_renormalises(vectors: np.ndarray):
    out = parse_method("mrl:10").fit(vectors).encode(vectors)
    assert out.shape == (500, 10)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(out[0], vectors[0, :10] / np.linalg.norm(vectors[0, :10]),
                               atol=1e-6)


@pytest.mark.parametrize(("spec", "message"), [
    ("pca", "give the dimension"), ("pca:abc", "whole number"), ("pca:0", "at least 1"),
    ("zip", "unknown compression method"), ("int8:4", "unexpected argument"),
    ("binary:speed=2", "unknown option"), ("", "no compression methods"),
])
def test_bad_method_strings(spec: str, message: str):
    with pytest.raises(EmbedlabError, match=message):
        parse_methods(spec)


def test_fit_errors(vectors: np.ndarray):
    with pytest.raises(EmbedlabError, match="larger than the vectors' dimension"):
        parse_method("pca:64").fit(vectors)
    with pytest.raises(EmbedlabError, match="larger than"):
        parse_method("mrl:49").fit(vectors)
    with pytest.raises(EmbedlabError, match="constant"):
        parse_method("int8").fit(np.ones((10, 4), dtype=np.float32))
    with pytest.raises(EmbedlabError, match="at least 2"):
        parse_method("int8").fit(vectors[:1])
    with pytest.raises(EmbedlabError, match="fitted on dim 48"):
        parse_method("int8").fit(vectors).encode(vectors[:, :10])
    with pytest.raises(EmbedlabError, match="NaN"):
        parse_method("int8").fit(np.full((4, 2), np.nan))
