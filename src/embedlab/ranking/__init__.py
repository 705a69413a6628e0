"""Ranking pieces that several stages share: BM25, exact top-k, trec_eval-style metrics.

:mod:`.lexical` is the one BM25 (tokens, settings, a bm25s index) behind evaluate's ``bm25``
pseudo-model, an index's BM25 and hard-negative mining; :mod:`.topk` is exact top-k by inner
product; :mod:`.metrics` scores a ranking against graded judgements. Only numpy, bm25s and
PyStemmer below this package, so any stage can use it.
"""
