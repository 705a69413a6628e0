"""Common English words: the words spelling correction leaves alone even where the index
lacks them (``trust`` in a corpus that only has ``thrust``).

In: nothing (the packaged ``glove-50`` model's word list, whose rows are sorted by frequency in
6 billion tokens of Wikipedia and news). Out: the :data:`COMMON` most frequent alphabetic words,
lower-cased, as a frozenset, read once per process; an empty set where ``glove-50`` is not
installed (correction then trusts the index's vocabulary alone). Frequent words are rarely
typos; typos are rarely frequent words.
"""

from __future__ import annotations

import functools

from embedlab.errors import EmbedlabError
from embedlab.named_models import MODELS

COMMON = 50_000


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The common words (see the module docstring)."""
    try:
        path = MODELS["glove-50"].locate()["words"]
    except EmbedlabError:
        return frozenset()
    import pyarrow.parquet as pq

    words = pq.read_table(path).column(0).slice(0, COMMON * 2).to_pylist()
    return frozenset([w for w in words if isinstance(w, str) and w.isalpha()][:COMMON])
