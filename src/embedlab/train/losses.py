"""Loss names -> sentence-transformers losses; the default follows the shape of the data.

- ``mnrl``: in-batch negatives / InfoNCE (MultipleNegativesRankingLoss), scale = 1/temperature;
  pairs and triplets (a triplet's negatives join the in-batch ones);
- ``cached-mnrl``: the same with GradCache (CachedMultipleNegativesRankingLoss): large effective
  batches in the memory of ``mini_batch_size``;
- ``triplet`` (margin), ``contrastive`` (margin; labelled 0/1 pairs), ``cosent`` (scored pairs);
- any of them inside ``MatryoshkaLoss`` when Matryoshka dimensions are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from embedlab.errors import EmbedlabError
from embedlab.train.data import DataShape

LOSSES = ("mnrl", "cached-mnrl", "triplet", "contrastive", "cosent")
DEFAULT_FOR_SHAPE = {
    DataShape.PAIRS: "mnrl", DataShape.TRIPLETS: "mnrl", DataShape.TEXTS: "mnrl",
    DataShape.SCORED: "cosent", DataShape.LABELLED: "contrastive",
}
ACCEPTS = {
    "mnrl": {DataShape.PAIRS, DataShape.TRIPLETS, DataShape.TEXTS},
    "cached-mnrl": {DataShape.PAIRS, DataShape.TRIPLETS, DataShape.TEXTS},
    "triplet": {DataShape.TRIPLETS},
    "contrastive": {DataShape.LABELLED},
    "cosent": {DataShape.SCORED, DataShape.LABELLED},
}


def build_loss(model: Any, name: str | None, shape: DataShape, *, temperature: float = 0.05,
               margin: float | None = None, mini_batch_size: int = 16,
               matryoshka: Sequence[int] | None = None) -> tuple[str, Any]:
    """The loss module for ``model`` and its name (see the module docstring)."""
    from sentence_transformers.sentence_transformer import losses

    name = name or DEFAULT_FOR_SHAPE[shape]
    if name not in LOSSES:
        raise EmbedlabError(f"unknown loss {name!r}; expected one of: {', '.join(LOSSES)}")
    if shape not in ACCEPTS[name]:
        raise EmbedlabError(f"loss {name} does not take {shape.value} data")
    if not 0 < temperature <= 1:
        raise EmbedlabError(f"temperature must be in (0, 1], got {temperature}")
    if name == "mnrl":
        loss = losses.MultipleNegativesRankingLoss(model, scale=1.0 / temperature)
    elif name == "cached-mnrl":
        loss = losses.CachedMultipleNegativesRankingLoss(model, scale=1.0 / temperature,
                                                        mini_batch_size=mini_batch_size)
    elif name == "triplet":
        loss = losses.TripletLoss(model, triplet_margin=5.0 if margin is None else margin)
    elif name == "contrastive":
        loss = losses.ContrastiveLoss(model, margin=0.5 if margin is None else margin)
    else:
        loss = losses.CoSENTLoss(model)
    if matryoshka:
        dims = sorted({int(d) for d in matryoshka}, reverse=True)
        full = model.get_embedding_dimension()
        if dims[0] > full or dims[-1] < 1:
            raise EmbedlabError(f"Matryoshka dimensions {dims} must lie in 1..{full}")
        loss = losses.MatryoshkaLoss(model, loss, dims)
        name = f"matryoshka({name}, {','.join(map(str, dims))})"
    return name, loss
