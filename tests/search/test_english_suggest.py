"""English trade names in the suggestions, over the demo index."""

from __future__ import annotations

from hotpot.search import service


def _texts(db, q: str) -> list[str]:
    return [s.text for s in service.suggest(db, q, limit=8)]


def test_an_english_word_suggests_the_trade_names_that_hold_it(demo_db):
    assert "Beef omasum" in _texts(demo_db, "beef")
    assert "Beef omasum" in _texts(demo_db, "omas")  # a later word of the name
    assert "konnyaku" in _texts(demo_db, "konn")


def test_a_suggestion_that_goes_on_from_the_words_typed_does_not_repeat_them(demo_db):
    texts = _texts(demo_db, "beef om")
    assert "Beef omasum" in texts
    assert not any(t.lower().startswith("beef beef") for t in texts)
    assert all(t.startswith("牛油 ") for t in _texts(demo_db, "牛油 火"))  # Chinese words before still stay
