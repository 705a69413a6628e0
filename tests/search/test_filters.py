"""parse_filters: both spellings, repeats dropped in first-seen order, large filters."""

from __future__ import annotations

import pytest

from embedlab.errors import EmbedlabError
from embedlab.search.filters import parse_filters


def test_strings_and_mappings_give_the_same_condition() -> None:
    assert parse_filters(["lang=en", "lang=fr", " year = 2020 ", "lang=en"]) == \
        {"lang": ["en", "fr"], "year": ["2020"]}
    assert parse_filters({"lang": ["en", "fr", "en"], "year": 2020}) == \
        {"lang": ["en", "fr"], "year": ["2020"]}
    assert parse_filters({"ok": True, "x": [1.5, "1.5"]}) == {"ok": ["true"], "x": ["1.5"]}
    assert parse_filters(None) == {} and parse_filters([]) == {}


def test_a_large_filter_keeps_each_value_once_in_order() -> None:
    values = [str(i % 30_000) for i in range(90_000)]
    parsed = parse_filters({"id": values})
    assert parsed == {"id": list(dict.fromkeys(values))}
    assert len(parsed["id"]) == 30_000


def test_a_string_without_equals_is_refused() -> None:
    with pytest.raises(EmbedlabError, match="not field=value"):
        parse_filters(["lang"])
