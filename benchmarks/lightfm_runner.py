"""Fit LightFM (WARP) in its own environment and write its scores: run by recommend.py.

LightFM does not build in embedlab's environment (its sdist fails under current setuptools), so
``recommend.py`` runs this file with the Python of a separate venv, e.g. ``/tmp/lightfm-venv``
(``pip install "setuptools<60" wheel cython numpy scipy`` then ``pip install
--no-build-isolation lightfm``). numpy and scipy only; no embedlab import.

    python lightfm_runner.py IN.npz OUT.npz

IN: ``users``, ``items`` (training interactions), ``n_users``, ``n_items``, the item feature
matrix as CSR (``f_data``, ``f_indices``, ``f_indptr``, ``f_shape``), ``epochs``,
``components``, ``seed``, ``threads``. OUT: ``scores`` [users, items] (float32), ``fit_s``,
``latency_s`` (one user: score every item from the precomputed representations, top 10,
for 1000 users).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.sparse as sp
from lightfm import LightFM


def main() -> None:
    data = np.load(sys.argv[1])
    n_users, n_items = int(data["n_users"]), int(data["n_items"])
    train = sp.coo_matrix((np.ones(len(data["users"]), dtype=np.float32),
                           (data["users"], data["items"])), shape=(n_users, n_items)).tocsr()
    train.data[:] = 1.0
    features = sp.csr_matrix((data["f_data"], data["f_indices"], data["f_indptr"]),
                             shape=tuple(data["f_shape"]))
    threads = int(data["threads"])
    model = LightFM(no_components=int(data["components"]), loss="warp",
                    learning_rate=0.05, item_alpha=1e-6, random_state=int(data["seed"]))
    start = time.perf_counter()
    model.fit(train, item_features=features, epochs=int(data["epochs"]), num_threads=threads)
    fit_s = time.perf_counter() - start
    # scores from the learnt representations (what a LightFM service precomputes)
    item_bias, item_emb = model.get_item_representations(features)
    user_bias, user_emb = model.get_user_representations()
    scores = (user_emb @ item_emb.T + item_bias[None, :] + user_bias[:, None]).astype(np.float32)
    rng = np.random.default_rng(0)
    latency = []
    for u in rng.integers(0, n_users, 1000):
        t = time.perf_counter()
        s = item_emb @ user_emb[u] + item_bias
        top = np.argpartition(-s, 10)[:10]
        top[np.argsort(-s[top])]
        latency.append(time.perf_counter() - t)
    np.savez(sys.argv[2], scores=scores, fit_s=fit_s, latency_s=np.array(latency))


if __name__ == "__main__":
    main()
