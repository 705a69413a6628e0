"""One model's scores on one task (:class:`Result`): what the runner makes and reports show."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    """The scores of one model on one task."""

    model: str
    task: str
    dataset: str
    main_metric: str
    main_score: float
    scores: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    #: 2-D coordinates and labels for a scatter plot (node clustering), not written to JSON
    points: dict[str, Any] | None = field(default=None, repr=False)
    #: a few queries with their nearest neighbours (image retrieval), for the report's grid
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("points")
        return out
