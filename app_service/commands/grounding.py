"""Utterance → clauses → grounded features (pure functions over a Catalog).

A clause carries what was said about which devices: canonical words mentioned (device kinds,
qualifiers, resource concepts), places (known and unknown), numeric identifiers, quantities with
units, the action words, and relative/question markers. Deciding what to do with them is the
interpreter's job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import lexicon, zh_glossary
from .catalog import Catalog
from .numbers import Quantity, find_quantities
from .amounts import (CHANGE_VERB, NO_UNIT, is_count, is_identifier, is_relative_amount,
                      listed_numbered_aliases, plural_device_word, said_counts,
                      unknown_numbered_alias, value_numbers, word_and_number)
from .phrases import (COMPLAINT, DETERMINERS, DOWN, EN_ACTIONS, EXCEPT, EXTEND, EXTREME,
                      IMPERATIVE_CHANGE, MULTIPLY, NOT_HEADS, NOT_MODIFIERS, NOUN_HEAD, ORDINALS,
                      PHRASAL, PLACE_PHRASE, QUANTIFIER, RETRACT, UP, VAGUE, ZH_ACTIONS,
                      ZH_PLACE_THING, ZH_THING, leading_side, on_only_before_places,
                      only_prepositional_on, unread_parts_after_aliases)
from .places import (catalog_places, english_places, numbered_places, unknown_numbered_zh,
                     unknown_place_phrases, unknown_qualified)
from .asking import POLITE, is_question
from .aims import aimed_clause
from .lists import alias_parts, listed_shared_tail
from .timing import ENERGY_TOTAL
from .verbs import ZH_VERBS

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE_SPLIT = re.compile(r"\s*(?:[;:；：]|,?\s*\bthen\b|[,，。]|？(?=\S)|\band\b|\balso\b"
                           r"|然后|并且|并把|再把|同时|另外|还有(?!多少|几)|以及)\s*")


@dataclass
class Clause:
    text: str
    words: set[str] = field(default_factory=set)          # canonical keys mentioned
    raw_words: set[str] = field(default_factory=set)      # stems as written (for value labels)
    plural: set[str] = field(default_factory=set)         # canonical keys written in plural
    places: set[str] = field(default_factory=set)         # catalog places named
    named_places: set[str] = field(default_factory=set)   # ... by their own name, not as a group
    unknown_places: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)        # devices named by a full alias
    ids: set[str] = field(default_factory=set)
    quantities: list[Quantity] = field(default_factory=list)
    actions: set[str] = field(default_factory=set)
    capability_words: dict[str, set[str]] = field(default_factory=dict)   # concept → words said
    qualifiers: set[str] = field(default_factory=set)     # "back" in "the back door"
    group: bool = False
    question: bool = False
    up: bool = False
    down: bool = False
    vague: bool = False
    complaint: tuple[str, int] | None = None
    multiplier: float | None = None
    extreme: str | None = None
    relative_amount: bool = False     # an amount introduced by "by" or with a comparative
    absolute_marker: bool = False     # "to N", "at N", 调到/设成
    excluded: "Clause | None" = None
    heads: set[str] = field(default_factory=set)          # last word after a determiner
    place_heads: set[str] = field(default_factory=set)    # "in the <word>" left unread
    modifiers: set[str] = field(default_factory=set)      # words right before a device word
    phrase_words: set[str] = field(default_factory=set)   # all words of determiner phrases
    part_words: set[str] = field(default_factory=set)     # parts an alias names (燃气总阀: valve)
    phrases: list = field(default_factory=list)           # determiner phrases, word lists
    unread_parts: set[str] = field(default_factory=set)   # 爆米花机的搅拌: a part no word reads
    loose_ids: set[str] = field(default_factory=set)      # 2号 not part of a place or alias
    unknown_devices: set[str] = field(default_factory=set)  # 5号压机 beside 1号压机 … 3号压机
    verb_words: set[str] = field(default_factory=set)     # 布防 → arm; "arm" in "arm the panel"
    counts: list = field(default_factory=list)            # (4, kind words): "all 4 fermenters"

    @property
    def devices_named(self) -> bool:
        return bool(self.words & _DEVICE_WORDS_SENTINEL or self.aliases or self.places)


_DEVICE_WORDS_SENTINEL: set[str] = set()


def _places_ending(noun: str, zh_table: dict[str, list[str]]) -> int:
    """How many of the catalog's places a Chinese place noun ends (厅: 1号厅, 2号厅, 3号厅)."""
    return len({k for spelling, keys in zh_table.items() if spelling.endswith(noun)
                and re.match(r"\d", spelling) for k in keys if k.startswith("place:")})


def language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def split_clauses(text: str) -> list[str]:
    """Split on punctuation and conjunctions; the interpreter merges pieces with no verb back."""
    return [p for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]


def analyse(text: str, catalog: Catalog) -> Clause:
    """Ground one clause of normalised text against the catalog."""
    aimed = aimed_clause(text, catalog, analyse)
    if aimed is not None:
        return aimed   # "point the gate camera at pier B": the aim is a value
    clause = Clause(text=text)
    main, _, excluded = EXCEPT.split(text, maxsplit=1)[0], None, None
    parts = EXCEPT.split(text, maxsplit=1)
    if len(parts) == 2:
        main, excluded = parts
        clause.excluded = analyse(excluded, catalog)
    for phrase, word in lexicon.EN_PHRASES.items():
        main = re.sub(phrase, word, main)
    # possessives: "the manager's office", "the kids' pool"
    main = re.sub(r"(?<=s)['\u2019](?=\s|$)", "", re.sub(r"['\u2019]s\b", "", main))
    body = " " + re.sub(r"(?<=[a-z])[-_](?=[a-z])", " ", main) + " "
    clause.unknown_places.update(unknown_qualified(body, catalog))
    body = numbered_places(body, catalog, clause)
    # places (multi-word first) and ids
    device_vocab = {w for e in catalog.entries.values() for w in e.words}
    body = english_places(body, catalog, clause, device_vocab)
    clause.unknown_places.update(unknown_place_phrases(body, catalog, device_vocab))
    derived = catalog.place_spellings
    zh_table = dict(catalog.zh_words)
    for place, spellings in lexicon.ZH_PLACES.items():
        for spelling in spellings:
            zh_table.setdefault(spelling, [f"place:{place}"])
    for spelling, value in lexicon.ZH_VALUES.items():
        zh_table.setdefault(spelling, ["value:" + w for w in value.split()])
    blanked = body
    segments = zh_glossary.read_unread(body, lexicon.zh_segments(body, zh_table),
                                       zh_glossary.bridge_for(catalog))
    unread, unnamed = list(body), list(body)
    for start, end, keys in segments:
        unread[start:end] = " " * (end - start)
        if keys[0].startswith(("place:", "alias:")):
            unnamed[start:end] = "的" * (end - start)   # 打开大堂灯: no 开大 (up) across a name
    # X光机, 超声仪: a thing no catalog or generic word accounts for (heads, in English)
    for m in ZH_PLACE_THING.finditer("".join(unread)):
        place = re.sub(r"^[的把在里和与给让请将从去到帮我打开关掉了个]+", "", m.group(0))
        if len(place) >= 3:
            clause.place_heads.add(place)    # 桑拿房, 水疗区: a place the catalog lacks
    for start, end, keys in segments:
        # 烟雾机 (a haze machine): a concept word (烟雾 = smoke) made a thing by 机/器/仪 is that
        # thing, which the catalog may lack; never the concept on whatever device is there
        if unread[end:end + 1] in (["机"], ["器"], ["仪"]) and not set(keys) & lexicon.DEVICE_KINDS \
                and not any(k.startswith(("place:", "alias:", "value:")) for k in keys) \
                and not any(body[start:end + 1] in a for e in catalog.entries.values()
                            for a in e.aliases):
            clause.heads.add(body[start:end + 1])
    clause.unread_parts = unread_parts_after_aliases("".join(unread), segments)
    read_as_place = [(a, b) for a, b, keys in segments
                     if any(k.startswith(("place:", "alias:")) for k in keys)]
    for m in re.finditer(r"(?:(?<=\d)[个间])?([\u4e00-\u9fff]{1,4}[房室厅馆])(?=里|内|中|的)", body):
        counted = m.group(1)[0] in "个间" and body[m.start() - 1:m.start()].isdigit() \
            and _places_ending(m.group(1)[1:], zh_table) == int(
                re.search(r"\d+$", body[:m.start()]).group(0))
        if not counted and not any(a < m.end() <= b for a, b in read_as_place):
            # 泵房里的泵; 两个更衣室的 is "the two changing rooms", not a place 个更衣室; 三个厅的
            # counts the halls (the place noun alone), it names no other place
            clause.place_heads.add(m.group(1).lstrip("的把在里和与给让请将从"))
    for thing in (m.group(0).lstrip("的把在里和与给让请将从") for m in ZH_THING.finditer(
            "".join(unread))):
        if not re.fullmatch(r"(?:都|也|全|全都|一起)?[开关待停启重]*(?:机|器|仪|柜|箱|炉|泵|屏|壶|锅|灶|桶|设备)|(?:所有|全部|每个|各|这|那).*",
                            thing):
            clause.heads.add(thing)
    for start, end, keys in segments:
        if re.search(r"[0-9]", body[start:end]) and any(k.startswith(("place:", "alias:"))
                                                        for k in keys):
            # a room number in a place or alias spelling (101, 101房间, 101房间空调) counts only
            # as a whole number, and then it names the place or device, not a value
            if re.match(r"[A-Za-z0-9.]", body[end:end + 1]) \
                    or re.search(r"[A-Za-z0-9.]$", body[:start]):
                continue
            blanked = blanked[:start] + " " * (end - start) + blanked[end:]
        for key in keys:
            if key.startswith("place:"):
                place = key[6:]
                known = {place} if place in catalog.places else catalog_places(place, catalog)
                if re.search(r"[a-z0-9]$", body[:start]) and (place not in catalog.places or (
                        re.search(r"(?<![a-z0-9])[a-z]$", body[:start]) and not re.search(r"\d", place))):
                    # C会议室 where only A and B exist: a place we do not have, never all of them
                    clause.unknown_places.add(body[:start].split()[-1][-1:] + " " + place)
                    continue
                if place not in catalog.places and re.search(r"[\u4e00-\u9fff]$", body[:start]) \
                        and not re.search(r"(?:[把在的里到和跟与给让请将从]|打开|开启|关掉|关闭|关上"
                                          r"|启动|停止|看看|查查)$", body[:start]) \
                        and not (known and re.search(r"[有部个各]$", body[:start])):
                    continue   # 生物实验室: a qualifier we cannot read; the aliases decide
                if known:
                    clause.places.update(known)
                    several = sum(k.startswith("place:") for k in keys) > 1   # 更衣室: both
                    clause.named_places.update(known if len(known) == 1 and not several else ())
                else:
                    clause.unknown_places.add(place)
            elif key.startswith("alias:"):
                clause.aliases.add(key[6:])
                device = catalog.entries.get(key[6:])
                if device is not None:
                    clause.places.update(lexicon.leading_place(body[start:end], device.place,
                                                               zh_table))
                    named_parts = alias_parts(device, body[start:end])   # 燃气总阀: gas valve
                    clause.words.update(named_parts)
                    clause.part_words.update(named_parts)
            elif key.startswith("value:"):   # 暖白 → "warm", "white": matched like English words
                clause.raw_words.add(key[6:])
                clause.words.update(lexicon.canon(key[6:]))
            elif key in derived and len(keys) == 1:
                # 东区 → "east", which this catalog says as a place (open plan east)
                clause.places.update(derived[key])
                clause.named_places.update(derived[key] if len(derived[key]) == 1 else ())
            else:
                clause.words.add(key)
                if key in lexicon.QUALIFIERS:
                    clause.qualifiers.add(key)
    alias_spans = [(start, end) for start, end, keys in segments if keys[0].startswith("alias:")]
    for spelling, keys in catalog.zh_words.items():
        # "阳光房的灯" still names the device aliased 阳光房灯, but 牛舍的灯 inside 犊牛舍的灯 (another
        # device's whole alias) names nothing
        device = keys[0][6:]
        if keys[0].startswith("alias:") and len(spelling) >= 3 and device not in clause.aliases:
            pattern = "(?:的|里的|里)?".join(map(re.escape, spelling))
            if any(not any(s <= m.start() and m.end() <= e and (s, e) != m.span()
                           for s, e in alias_spans) for m in re.finditer(pattern, body)):
                clause.aliases.add(device)
                # 健身房的灯 for the alias 健身房灯: its 健身房 is the alias's, not a missing gym
                clause.unknown_places -= {p for p in clause.unknown_places if any(
                    z in spelling for z in lexicon.ZH_PLACES.get(p, ()))}
    if {"fan", "wind"} <= clause.words:   # 风速: a named unit's fan speed, else the wind's
        named = [e for e in catalog.entries.values()
                 if e.name in clause.aliases or e.place in clause.places]
        clause.words.discard("wind" if any("fan" in r.tokens for e in named
                                           for r in e.resources.values()) else "fan")
    clause.verb_words = {english for zh, english in ZH_VERBS.items() if zh in body}
    clause.raw_words.update(clause.verb_words)
    lead = re.match(r"\s*(?:please\s+)?([a-z]+)\s+(?:the|my|our|all|both|every)\b", main.lower())
    if lead:
        clause.verb_words.add(lead.group(1))   # "arm the panel": a verb, whatever else "arm" is
    if re.search(r"(?:取消|解除)[^，,。；;]*静音", body):
        clause.raw_words.add("unmute")   # 取消体育馆广播静音: un-mute, whatever stands between
    clause.ids.update(n for n in re.findall(r"(\d+)\s*号", body) if n not in value_numbers(body))
    clause.unknown_places.update(unknown_numbered_zh(body, catalog.zh_words))
    clause.unknown_devices = unknown_numbered_alias(body, catalog.zh_words)
    listed, unlisted, numbers = listed_numbered_aliases(body, catalog.zh_words)
    listed_shared_tail(body, catalog, listed, numbers)   # A1和A2岸电桩: each by its own alias
    clause.aliases |= listed
    clause.unknown_devices |= unlisted
    clause.ids |= numbers
    body = blanked
    # "all the lights in the spa": a place word that is no catalog place names nothing here
    clause.place_heads |= {m.group(1) for m in PLACE_PHRASE.finditer(body)
                           if m.group(1) not in _NOT_NOUNS | NOT_HEADS}
    clause.loose_ids = set(re.findall(r"(\d+)\s*号", body)) - value_numbers(body)   # (outside names)
    for m in NOUN_HEAD.finditer(body):
        if m.group(1) not in _NOT_NOUNS | NOT_HEADS and not m.group(1).endswith(("ing", "ed")):
            clause.heads.add(m.group(1))
            clause.phrases.append(re.findall(r"[a-z]+", m.group(0))[1:])
            # and every word of the phrase: "the espresso machine" is no washing machine
            clause.phrase_words.update(w for w in re.findall(r"[a-z]+", m.group(0))[1:]
                                       if w not in NOT_MODIFIERS)
    clause.group = bool(re.search(r"\d+\s*[条个台盏扇把只]", body)) or bool(QUANTIFIER.search(body))
    clause.counts = said_counts(body, device_vocab, zh_table)
    tokens = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", body)
    for token in tokens:
        letters = re.fullmatch(r"([a-z]+)\d+", token)
        if letters and token in catalog.named_pairs:
            # "co2" also says what "CO2" splits into where a resource is so named
            clause.words.update(lexicon.split_name(token.upper()))
            clause.words.update(re.findall(r"[a-z]+|\d+", token))
        elif letters and letters.group(1) in device_vocab:
            clause.words.add(letters.group(1))   # "dd3": the device word, never "3" (NH3)
    catalog_ids = {i for e in catalog.entries.values() for i in e.ids}
    lettered_ids = any(re.fullmatch(r"[a-z]\d+|\d+[a-z]", i) for i in catalog_ids)
    for token in tokens:
        if lettered_ids and re.fullmatch(r"[a-z]\d+|\d+[a-z]", token):
            # "rack a2": a letter-and-number id, as a whole (a1 and a2 share the letter); one the
            # catalog lacks (a3) then matches no device
            # (its bare number only where no device has the whole id: "the boat on A2" is
            # pedestal a2's, not boat lift 2's)
            clause.ids.add(token)
            if token not in catalog_ids:
                clause.ids.add(re.sub(r"[a-z]", "", token))
            clause.loose_ids.add(token)   # "p101 and p103" beside p101, p102: p103 is none
        elif named_id := word_and_number(token, device_vocab):
            # "FV2", "ahu3": a device word and its number written as one; loose, so that one no
            # device has ("fv1 and fv9") refuses the whole request
            clause.ids.add(named_id)
            clause.loose_ids.add(named_id)
    # "the ice maker" beside a coffee maker: the word before a device word must be known too
    clause.modifiers = {tokens[i - 1] for i in range(2, len(tokens))
                        if lexicon.canon(tokens[i])[0] in device_vocab and tokens[i - 2] in DETERMINERS
                        and tokens[i - 1].isalpha() and tokens[i - 1] not in NOT_MODIFIERS}
    said_ids = set(clause.ids)
    for i, token in enumerate(tokens):
        if token.isdigit() or re.fullmatch(r"\d+(?:st|nd|rd|th)", token):
            continue
        keys = plural_device_word(token, device_vocab) or lexicon.canon(token)
        clause.words.update(keys)
        clause.raw_words.add(lexicon.stem(token))
        clause.raw_words.add(token)
        if i + 1 < len(tokens):
            clause.raw_words.add(token + tokens[i + 1])   # "hdmi 2" → "hdmi2"
        if token.endswith("s") and not token.endswith("ss") and keys[0] != token:
            clause.plural.update(keys)
        if token in lexicon.QUALIFIERS and i + 1 < len(tokens) and \
                lexicon.canon(tokens[i + 1])[0] in lexicon.DEVICE_KINDS:
            clause.qualifiers.add(token)
        next_is_device = i + 1 < len(tokens) and lexicon.canon(tokens[i + 1])[0] in device_vocab
        if token in ORDINALS and next_is_device:
            clause.ids.add(ORDINALS[token])
        if keys[0] in device_vocab and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if nxt.isdigit() and not re.match(rf"\s*{nxt}\s*(?:%|percent|degrees?|m/s|bar|k\b)",
                                              body[body.find(token + " " + nxt) + len(token) + 1:]) \
                    and (i + 2 >= len(tokens) or tokens[i + 2] not in _AMOUNT_AFTER):
                clause.ids.add(nxt)
                listed = re.match(rf"\s*{nxt}((?:\s*(?:,|and|or|&)\s*\d+\b{NO_UNIT})+)",
                                  body[body.find(token + " " + nxt) + len(token) + 1:])
                if listed:
                    # "pumps 1 and 3", "conveyor 1 and 2": every number listed, each a device
                    clause.ids.update(re.findall(r"\d+", listed.group(1)))
                    clause.group = True
            elif nxt in ("one", "two") and (i + 2 >= len(tokens)
                                            or tokens[i + 2] not in _AMOUNT_AFTER):
                clause.ids.add({"one": "1", "two": "2"}[nxt])
            elif i + 2 < len(tokens) and nxt.isalpha() and nxt not in _NOT_NOUNS \
                    and lexicon.canon(nxt)[0] not in catalog.vocabulary \
                    and (tokens[i + 2] in ("one", "two") or tokens[i + 2] in catalog_ids) \
                    and not re.match(rf"\s*{tokens[i + 2]}\s*(?:%|percent|degrees?|m/s|bar|k\b)",
                                     body[body.find(nxt + " " + tokens[i + 2]) + len(nxt) + 1:]):
                # "fume cupboard one", "pump station 2": a noun of our own between kind and id
                clause.ids.add({"one": "1", "two": "2"}.get(tokens[i + 2], tokens[i + 2]))
            elif len(nxt) == 1 and nxt.isalpha() and nxt in catalog_ids and not (
                    i + 2 < len(tokens) and tokens[i + 2] in _AFTER_ARTICLE):   # "a bit"
                clause.ids.add(nxt)
        if re.fullmatch(r"\d+", tokens[i - 1] if i else "") and i >= 1 and keys[0] in device_vocab \
                and token.endswith("s"):
            clause.group = True
    with_units = {q.value for q in find_quantities(body) if q.unit is not None}
    clause.loose_ids |= {i for i in clause.ids - said_ids
                         if i.isdigit() and float(i) not in with_units}
    for token in re.findall(r"[a-z]+|[\u4e00-\u9fff]+", body):
        for word, concept in lexicon.CAPABILITY_WORDS.items():
            if (word.isascii() and word == token) or (not word.isascii() and word in token):
                clause.capability_words.setdefault(concept, set()).add(word)
    if re.search(r"\bcolou?rs?\b(?!\s*temp)|颜色|什么色", body) \
            and not re.search(r"white|daylight|kelvin|mired|warm|cool|色温|白光|暖|冷", body):
        # "what colour are the lights": a hue, which a tunable-white or dimmable light lacks
        clause.capability_words.setdefault("colour", set()).add("colour")
    if ENERGY_TOTAL.search(body):
        clause.capability_words.setdefault("energy", set()).add("energy")
    clause.quantities = [q for q in find_quantities(body)
                         if not re.match(r"\s*[次回遍倍]", body[q.end:])   # 一次: once, no value
                         and not is_identifier(q, body, clause.ids)
                         and not is_count(q, body, device_vocab)]
    lowered = body.strip()
    clause.question = is_question(lowered, main, bool(clause.quantities))
    imperative = POLITE.sub("", lowered)
    zh_imperative = lexicon.mask_alias_verbs(imperative, catalog.zh_words)
    for pattern, action in ZH_ACTIONS if _CJK.search(body) else []:
        if re.search(pattern, zh_imperative):
            clause.actions.add(action)
    for pattern, action in EN_ACTIONS:
        if re.search(pattern, imperative):
            clause.actions.add(action)
    # "kill shore power on pier A": "on" before a place the body no longer holds is no particle
    if "on" in clause.actions and not _CJK.search(body) \
            and on_only_before_places(POLITE.sub("", main.lower().strip()), clause.places,
                                      clause.ids):
        clause.actions.discard("on")
    if "on" in clause.actions and not _CJK.search(body) and only_prepositional_on(imperative):
        clause.actions.discard("on")   # "pause charging on charger 1", "the vanes on the hatch"
    if EXTEND.search(imperative):
        clause.raw_words.add("extend")
        clause.actions.discard("off")    # "roll the awning out" is no "out" = off
        clause.actions.add("open")
    if RETRACT.search(imperative):
        # 收起 rolls a blind up but an awning in: only a value described as retracted fits
        clause.raw_words.add("retract")
    particles = {m.group(1) for m in re.finditer(
        r"\b(off|on(?!\s+(?:the|a|an|my|our|its|this|that|each|every|both|all)\b))\b",
        imperative)}
    if {"on", "off"} <= clause.actions and len(particles) == 1 and not _CJK.search(body):
        # "turn the boost off on the water heater": the particle, not the preposition
        clause.actions.discard("off" if particles == {"on"} else "on")
    if {"on", "off"} <= clause.actions and leading_side(imperative):
        clause.actions &= {leading_side(imperative)}   # "abort the CIP run": the verb said
    named_out = "".join(unnamed).strip().lower() if _CJK.search(body) else lowered
    directional = PHRASAL.sub(" ", named_out).replace("凉快", "降温")   # 凉快 is cooler, not faster
    said = re.findall(r"[a-z0-9]+", main.lower())
    # "turn off the exam room 1 dimmer", "the walk in cooler": a device's name is no direction
    place_words = {w for p in catalog.places for w in p.split()}
    switching = bool(clause.actions & {"on", "off"})
    named = {w for i, w in enumerate(said) if w in device_vocab and i and (
        said[i - 1] in DETERMINERS or said[i - 1].isdigit() or said[i - 1] in device_vocab
        or said[i - 1] == "in" and i > 1 and said[i - 2] in device_vocab
        or switching and said[i - 1] in place_words)}   # "turn off the waiting area dimmer"
    directional = " ".join(w for w in directional.split() if w not in named)
    for word in named:   # nor a concept: "the studio 3 dimmer" says nothing about brightness
        clause.words -= set(lexicon.canon(word)) - device_vocab - {word}
    clause.up, clause.down = bool(UP.search(directional)), bool(DOWN.search(directional))
    if clause.up and clause.down:
        # "turn the dimmer up", "the walk-in cooler down": a device's own name is no direction
        directional = " ".join(w for w in directional.split() if lexicon.canon(w)[0] not in
                               device_vocab and w not in device_vocab)
        clause.up, clause.down = bool(UP.search(directional)), bool(DOWN.search(directional))
    clause.vague = bool(VAGUE.search(lowered))
    for pattern, concept, sign in COMPLAINT:
        # "make it dark in here" asks for a change; only a statement is a complaint
        if pattern.search(lowered) and not IMPERATIVE_CHANGE.match(lowered):
            clause.complaint = (concept, sign)
    for pattern, factor in MULTIPLY:
        if pattern.search(lowered):
            clause.multiplier = factor
    for pattern, which in EXTREME:
        if pattern.search(lowered):
            clause.extreme = which
    clause.relative_amount = any(is_relative_amount(q, body) for q in clause.quantities) or (
        # "drop fryer 2 five degrees": a verb of change, then the device, then an amount
        bool(CHANGE_VERB.match(imperative)) and not re.search(r"\b(?:to|at)\s+-?\d", lowered)
        and any(q.unit is not None and q.unit.family != "percent" for q in clause.quantities))
    clause.absolute_marker = bool(re.search(r"\b(?:to|at)\s+-?\d|调到|调成|设成|设为|设置为|设置成|设到|调至|换成|改成",
                                            lowered))
    return clause


_AFTER_ARTICLE = {"bit", "little", "touch", "notch", "tad", "lot", "few", "couple", "smidge"}
_AMOUNT_AFTER = {"more", "less", "step", "steps", "notch", "notches", "bit", "degree", "degrees",
                 "level", "levels", "stage", "stages", "percent", "point", "points"}
_NOT_NOUNS = {"to", "at", "by", "on", "in", "of", "for", "the", "a", "an", "and", "or", "up",
              "down", "off", "is", "are", "set", "speed", "number", "no"}
