"""Metadata filters: ``field=value`` strings to a ``{field: [values]}`` condition.

Different fields must all match (AND); several values of one field are alternatives (OR), so
``["lang=en", "lang=fr", "year=2020"]`` keeps English or French documents from 2020. Values are
compared as text (see :func:`embedlab.search.documents.filter_terms`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from embedlab.errors import EmbedlabError

Filters = dict[str, list[str]]


def parse_filters(filters: Iterable[str] | Mapping[str, object] | None) -> Filters:
    """``["a=1", "b=x"]`` or ``{"a": 1, "b": ["x", "y"]}`` -> ``{"a": ["1"], "b": [...]}``."""
    out: Filters = {}
    if not filters:
        return out
    if isinstance(filters, Mapping):
        pairs = []
        for key, value in filters.items():
            values = value if isinstance(value, (list, tuple, set)) else [value]
            pairs.extend((str(key), _text(v)) for v in values)
    else:
        if isinstance(filters, str):
            filters = [filters]
        pairs = []
        for item in filters:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise EmbedlabError(f"filter {item!r} is not field=value")
            pairs.append((key.strip(), value.strip()))
    # Each field's values in first-seen order, without repeats: dicts keep this linear (a
    # list's ``in`` made 40,000 values take seconds).
    seen: dict[str, dict[str, None]] = {}
    for key, value in pairs:
        seen.setdefault(key, {})[value] = None
    return {key: list(values) for key, values in seen.items()}


def _text(value: object) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)
