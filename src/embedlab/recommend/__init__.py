"""Hybrid content + collaborative recommendation that handles new items and new users.

``fit_recommender`` (:mod:`.fit`) learns a :class:`~embedlab.recommend.model.Recommender` from
interactions and an item catalogue; :mod:`.store` saves, loads and grows its folder;
:mod:`.evaluation` wraps embedding models into recommenders for ``embedlab eval``.
"""

from __future__ import annotations

from embedlab.recommend.fit import FitConfig, fit_recommender
from embedlab.recommend.model import Recommendation, Recommender
from embedlab.recommend.store import add_items, load, save

__all__ = ["FitConfig", "Recommendation", "Recommender", "add_items", "fit_recommender", "load",
           "save"]
