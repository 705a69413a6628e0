"""Model names for evaluation: every name ``embedlab.load`` knows, plus pseudo-models.

``get_model("bm25")`` is the lexical baseline (a retriever, not an Embedder); any other name
goes to :func:`embedlab.load`. Pseudo-models only apply to the tasks they can do: evaluators
raise :class:`~embedlab.evaluate.base.NotApplicableError` for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from embedlab.errors import EmbedlabError
from embedlab.evaluate.bm25 import BM25Model

#: name -> factory of models that are not Embedders
PSEUDO_MODELS: dict[str, Callable[[], Any]] = {"bm25": BM25Model}


def get_model(name: str, **load_options: Any) -> Any:
    """A pseudo-model by name, else ``embedlab.load(name, **load_options)`` (an Embedder)."""
    if name in PSEUDO_MODELS:
        given = sorted(k for k, v in load_options.items() if v is not None)
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise EmbedlabError(f"option {flag} does not apply to {name} (not an embedding model)")
        return PSEUDO_MODELS[name]()
    from embedlab import load

    return load(name, **load_options)
