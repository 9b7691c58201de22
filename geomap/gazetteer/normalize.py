"""Name normalisation and Cyrillic romanisation for the gazetteer's alias keys.

Every alias in the index and every query pass through :func:`normalize_name`, so
"Luhans'k", "Luhansk" and "LUHANSK" meet on one key. The romanisers turn GeoNames'
Cyrillic alternate names into the spellings English news uses ("Lugansk" from
"Луганск", "Vovchansk" from "Вовчанськ"): GeoNames has most Latin variants already,
romanising its Cyrillic names fills the rest by rule rather than by hand.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "normalize_name",
    "normalize_text",
    "acronym_key",
    "is_code_like",
    "is_machine_romanisation",
    "has_supported_script",
    "romanize_russian",
    "romanize_ukrainian",
    "is_cyrillic",
]

def normalize_text(text: str) -> str:
    """How texts are compared as written (an analyst's place text, a cached query): Unicode
    NFC, casefolded, runs of whitespace collapsed; accents and punctuation kept.

    >>> normalize_text("  the KURSK   region ")
    'the kursk region'
    """
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# Letters NFKD does not decompose but readers treat as their base letter.
_LETTER_FOLDS = {
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe",
    "þ": "th", "ð": "d", "ŀ": "l", "ŧ": "t", "ƒ": "f", "ǥ": "g", "ɨ": "i",
}
# Apostrophes and dots vanish ("Luhans'k" = "Luhansk", "U.S." = "us"); the Cyrillic
# soft and hard signs are transliterated as apostrophes and vanish too.
_VANISH = "'’‘ʼʹʻ`´′ʿʾ.·"
# Hyphens, dashes, slashes and underscores separate words.
_SEPARATORS = "-‐‑‒–—―−_/\\"


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in range(0x300, 0x10000):
        if unicodedata.combining(chr(cp)):
            table[cp] = None
    for src, dst in _LETTER_FOLDS.items():
        table[ord(src)] = dst
    return table


_FOLD = _build_fold_table()
_PUNCT = {ord(c): None for c in _VANISH} | {ord(c): " " for c in _SEPARATORS}
_NON_WORD = re.compile(r"[^\w]+")


def normalize_name(name: str) -> str:
    """Return the lookup key of a place name: casefolded, accents stripped, punctuation unified.

    Apostrophes and dots vanish, hyphens and other punctuation become single spaces,
    and a leading "the " is dropped.

    >>> normalize_name("The Luhans’k  Oblast")
    'luhansk oblast'
    >>> normalize_name("Zürich-Flughafen")
    'zurich flughafen'
    """
    s = name.casefold()
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s).translate(_FOLD)
    s = s.translate(_PUNCT)
    if not s.isalnum():
        s = _NON_WORD.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


def acronym_key(text: str) -> str:
    """Return the letters of ``text`` in their original case, for case-sensitive acronyms.

    >>> acronym_key("U.S.")
    'US'
    """
    return "".join(ch for ch in text if ch.isalnum())


_CODE_LIKE = re.compile(r"^[A-Z0-9][A-Z0-9.\- ]{0,6}$")
_LETTER = re.compile(r"[^\W\d_]")


def is_code_like(alias: str) -> bool:
    """Tell whether an alternate name is a code (IATA "VSG", ICAO "UKBB", "12") rather than a name.

    >>> is_code_like("VSG"), is_code_like("Vsg"), is_code_like("Kyiv")
    (True, False, False)
    """
    s = alias.strip()
    if not _LETTER.search(s):
        return True
    if len(s) > 7 or not s.isupper():
        return False
    return bool(_CODE_LIKE.match(s)) and len(acronym_key(s)) <= 4


def is_machine_romanisation(alias: str) -> bool:
    """Tell whether an alternate name is all lower case Latin, as GeoNames' machine romanisations are.

    ("ku er si ke", "lwhansk"): real names are capitalised, so these only add noise.

    >>> is_machine_romanisation("lwhansk"), is_machine_romanisation("Luhansk")
    (True, False)
    """
    return alias.islower() and alias.isascii()


# Anything outside Latin (with its extensions), Greek, Cyrillic, combining marks and punctuation.
_UNSUPPORTED_SCRIPT = re.compile("[^\u0000-\u024f\u0300-\u052f\u1e00-\u206f]")


def has_supported_script(alias: str) -> bool:
    """Tell whether an alias is written in Latin, Greek or Cyrillic letters only.

    The index serves English-language news: names in other scripts are left out.

    >>> has_supported_script("Kyiv"), has_supported_script("Київ"), has_supported_script("キエフ")
    (True, True, False)
    """
    return alias.isascii() or not _UNSUPPORTED_SCRIPT.search(alias)


def is_cyrillic(text: str) -> bool:
    """Tell whether ``text`` contains Cyrillic letters.

    >>> is_cyrillic("Луганск"), is_cyrillic("Lugansk")
    (True, False)
    """
    return _CYRILLIC.search(text) is not None


_CYRILLIC = re.compile("[\u0400-\u04ff]")


# --- Russian: BGN/PCGN as English news writes it (no diacritics, apostrophes dropped) ---

_RU_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}
_VOWELS_RU = set("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")
_SIGNS = set("ьъЬЪ'’ʼ")
_UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
_RUSSIAN_ONLY = set("ыэъёЫЭЪЁ")


def _case_like(src: str, out: str) -> str:
    if src.isupper() and out:
        return out[0].upper() + out[1:]
    return out


def romanize_russian(text: str) -> list[str]:
    """Romanise a Russian name two ways English news does: BGN-style and the simpler style.

    BGN writes "ye" after vowels and at word starts ("Nikolayev", "Artyomovsk"); the
    simpler style writes "e" ("Nikolaev", "Artemovsk", "Kiev") and "-ia" for a final "-ия"
    ("Yevpatoria"). Returns [] for text with Ukrainian-only letters.

    >>> romanize_russian("Артёмовск")
    ['Artyomovsk', 'Artemovsk']
    >>> romanize_russian("Киев")
    ['Kiyev', 'Kiev']
    """
    if not is_cyrillic(text) or any(ch in _UKRAINIAN_ONLY for ch in text):
        return []
    strict: list[str] = []
    simple: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        if low not in _RU_BASE:
            strict.append(ch)
            simple.append(ch)
            continue
        prev = text[i - 1] if i else " "
        word_start = not prev.isalpha()
        if low == "е":
            s = "ye" if (word_start or prev in _VOWELS_RU or prev in _SIGNS) else "e"
            e = "ye" if prev in _SIGNS else "e"
        elif low == "ё":
            s = "yo"
            e = "yo" if (word_start or prev in _VOWELS_RU or prev in _SIGNS) else "e"
        elif low == "й" and prev.lower() in "иы" and (i + 1 == len(text) or not text[i + 1].isalpha()):
            # "-ий"/"-ый" endings: BGN "-iy"/"-yy", news "-y" ("Zaporozhskiy" / "Zaporozhsky").
            s = "y"
            e = ""
        elif low == "я" and prev.lower() == "и" and (i + 1 == len(text) or not text[i + 1].isalpha()):
            s = "ya"
            e = "a"
        else:
            s = e = _RU_BASE[low]
        strict.append(_case_like(ch, s))
        simple.append(_case_like(ch, e))
    out = ["".join(strict), "".join(simple)]
    return list(dict.fromkeys(out))


# --- Ukrainian: the national system (KMU 2010), official for Ukrainian places ---

_UK_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia",
}
_UK_WORD_START = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def romanize_ukrainian(text: str) -> list[str]:
    """Romanise a Ukrainian name with the national system (KMU 2010) used by English news.

    Returns [] for text with Russian-only letters.

    >>> romanize_ukrainian("Запоріжжя")
    ['Zaporizhzhia']
    >>> romanize_ukrainian("Куп'янськ")
    ['Kupiansk']
    """
    if not is_cyrillic(text) or any(ch in _RUSSIAN_ONLY for ch in text):
        return []
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        if low in ("'", "’", "ʼ"):
            continue
        if low not in _UK_BASE:
            out.append(ch)
            continue
        prev = text[i - 1] if i else " "
        if low in _UK_WORD_START and not prev.isalpha() and prev not in _SIGNS:
            r = _UK_WORD_START[low]
        elif low == "г" and prev.lower() == "з":
            r = "gh"  # "зг" is "zgh" so it is not read as "zh"
        else:
            r = _UK_BASE[low]
        out.append(_case_like(ch, r))
    return ["".join(out)]
