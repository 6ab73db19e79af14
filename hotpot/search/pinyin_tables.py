"""pypinyin's phrase table, loaded compactly: the same table in less memory (issue 12; bench/README.md).

pypinyin reads its phrase table (47,000 words with the reading of each character: 重庆 → chóng qìng) from JSON at
import, into some 600,000 objects: a list per character reading, a string per syllable, none of them shared
(35 MB of a serving process). It never changes a reading it returns (it deep-copies it first), so the same readings
can be shared. Imported before pypinyin anywhere in the process, this module asks pypinyin not to load the table
(PYPINYIN_NO_PHRASES) nor to copy its tables (PYPINYIN_NO_DICT_COPY), then loads the same JSON itself with every
reading list and syllable shared, through pypinyin's own `load_phrases_dict` (which also trains its segmenter on
the phrases). If pypinyin was imported first, its table is compacted in place instead. Either way every lookup
answers what it answered before.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

# pypinyin reads these at import only. They are set for the import and taken away after it, so that a child
# process (which may import pypinyin without this module) is not left without a phrase table.
_SET = [name for name in ("PYPINYIN_NO_PHRASES", "PYPINYIN_NO_DICT_COPY") if name not in os.environ]
os.environ.update(dict.fromkeys(_SET, "1"))
try:
    # The platform imports pypinyin from here (hotpot/search/text.py).
    import pypinyin
    from pypinyin import Style, lazy_pinyin, pinyin
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
    from pypinyin.style import convert as convert_pinyin
finally:
    for _name in _SET:
        del os.environ[_name]

__all__ = ["PINYIN_DICT", "Style", "convert_pinyin", "lazy_pinyin", "pinyin"]


def _copy(s: str) -> str:
    return s.encode().decode()


def _shared(table: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """The same table with each distinct reading list made once. Every string is a new copy, so that nothing the
    JSON decoder made outlives it and the memory it took can go back to the system (otherwise it stays fragmented
    around the few objects kept)."""
    readings: dict[tuple[str, ...], list[str]] = {}
    out = {}
    for phrase, chars in table.items():
        out[_copy(phrase)] = [
            readings.get(tuple(r)) or readings.setdefault(tuple(r), [sys.intern(_copy(s)) for s in r]) for r in chars
        ]
    return out


def load() -> None:
    if PHRASES_DICT:
        # pypinyin was imported before this module, with its own table: share the readings in place.
        PHRASES_DICT.update(_shared(PHRASES_DICT))
        return
    path = Path(pypinyin.__file__).with_name("phrases_dict.json")
    if path.exists():  # pypinyin 0.55 keeps the table as JSON beside its module
        table = _shared(json.loads(path.read_text(encoding="utf-8")))
    else:
        from pypinyin import phrases_dict

        table = _shared(phrases_dict.phrases_dict)
    gc.collect()
    pypinyin.load_phrases_dict(table)


load()
