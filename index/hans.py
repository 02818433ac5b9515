"""Traditional Chinese read as Simplified, for word splitting and cue words.

jieba's dictionary, our stopwords and the question-type cues (chatbot's
answer_type, extent, smalltalk) are Simplified; "為什麼", "哪裡", "謝謝"
must meet them as "为什么", "哪里", "谢谢", and a Traditional note is split
into words as well as a Simplified one. OpenCC's conversion tables do the
mapping (pure Python, phrase aware, ~0.7 M characters/s); full-width letters
and digits are read as ASCII on the way. Only tokens, cues and the embedding
model (`model_text`) see the converted text: quotes and offsets keep the
note's own characters.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CJK_START = 0x3400
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of(text: str) -> str:
    """ "zh" when the text has Chinese characters, else "en".

    >>> language_of("什么是PGC？"), language_of("What is PGC?")
    ('zh', 'en')
    """
    return "zh" if _HAN.search(text) else "en"


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


# Full-width letters and digits ("ＡＩＧＣ", "２０２３年", typed by Chinese input methods) as
# ASCII, so they meet the same words typed half-width. One character for one: lengths keep.
_WIDE = {
    c: c - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for c in range(*r)
}


@lru_cache(maxsize=16384)
def simplified(text: str) -> str:
    """`text` in Simplified characters, full-width letters and digits as ASCII; text
    without either is returned as is.

    >>> simplified("為什麼它在哪裡？"), simplified("Why?"), simplified("ＡＩＧＣ於２０２３年")
    ('为什么它在哪里？', 'Why?', 'AIGC于2023年')
    """
    if not any(ord(ch) >= _CJK_START for ch in text):
        return text
    return _converter().convert(text.translate(_WIDE))


def model_text(text: str) -> str:
    """What the model reads: Chinese in Simplified characters, everything else as it is.

    The confidence judge learned its cosines on Simplified notes. CMRC 2018 in Traditional
    characters (OpenCC s2t), embedded as Simplified: coverage 0.387 → 0.470, hit@1 0.963 →
    0.970 (docs/results.md). Simplified and English text are unchanged. The embedder reads
    it (index.embed), and the cache keys vectors by it (index.cache).
    """
    return simplified(text)
