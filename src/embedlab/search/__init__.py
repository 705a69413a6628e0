"""Search: index documents with any model, then dense, BM25 or hybrid search.

``Index.build(dir, "docs.jsonl", model)``, ``Index.open(dir).search("query", k=10)``,
``index.add(...)``, ``index.delete([...])``; :func:`evaluate_index` scores an index on a BEIR
set. See :mod:`embedlab.search.index` for how the pieces fit.
"""

from embedlab.search.documents import Document, read_documents
from embedlab.search.evaluation import evaluate_index
from embedlab.search.hybrid import rrf, weighted_sum
from embedlab.search.index import Index
from embedlab.search.querying import Hit
from embedlab.search.writing import WriteReport

__all__ = ["Document", "Hit", "Index", "WriteReport", "evaluate_index", "read_documents", "rrf",
           "weighted_sum"]
