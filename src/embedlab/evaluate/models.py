"""Models for evaluation, by name or as objects: every name ``embedlab.load`` knows, plus
pseudo-models.

``get_model("bm25")`` is the lexical baseline (a retriever, not an Embedder); any other name goes
to :func:`embedlab.registry.load`. :func:`as_model` takes a name or an object: an Embedder, a
retriever or a recommender is used as it is, any other object with ``name``, ``dim`` and
``encode`` is wrapped by :func:`~embedlab.embedders.adapter.as_embedder`. Pseudo-models only
apply to the tasks they can do: evaluators raise
:class:`~embedlab.evaluate.base.NotApplicableError` for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from embedlab.embedders.adapter import as_embedder
from embedlab.embedders.base import Embedder
from embedlab.errors import EmbedlabError
from embedlab.evaluate.base import Retriever, RetrieverModel
from embedlab.evaluate.bm25 import BM25Model
from embedlab.evaluate.recommendation import RecommenderModel

#: name -> factory of models that are not Embedders
PSEUDO_MODELS: dict[str, Callable[[], Any]] = {"bm25": BM25Model}


def get_model(name: str, **load_options: Any) -> Any:
    """A pseudo-model by name, else ``embedlab.registry.load(name, **load_options)``."""
    if name in PSEUDO_MODELS:
        given = sorted(k for k, v in load_options.items() if v is not None)
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise EmbedlabError(f"option {flag} does not apply to {name} (not an embedding model)")
        return PSEUDO_MODELS[name]()
    from embedlab.registry import load

    return load(name, **load_options)


def as_model(model: Any, **load_options: Any) -> Any:
    """A model to evaluate: ``get_model`` for a name; an Embedder, a retriever or a pseudo-model
    as it is; any other object through ``as_embedder`` (an EmbedlabError if it has no vectors)."""
    if isinstance(model, str):
        return get_model(model, **load_options)
    if isinstance(model, (Embedder, RetrieverModel, Retriever, RecommenderModel)):
        return model
    return as_embedder(model)
