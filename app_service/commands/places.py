"""Place words that name catalog places indirectly (pure): every numbered place ("both rooms" for
room 101 and room 102), a place said with a generic suffix ("laundry room" for laundry) or without
its qualifier ("the lab" for chemistry lab and biology lab)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lexicon

if TYPE_CHECKING:
    from .catalog import Catalog
    from .grounding import Clause


GENERIC_PLACE_WORDS = ("room", "area", "zone", "hall", "space", "section")


def numbered_places(body: str, catalog: Catalog, clause: Clause) -> str:
    """'both rooms', 'the guest rooms': every catalog place named '<words> <number>' ("room 101",
    "exam room 2"); 'exam rooms 1 and 2': the ones listed."""
    heads: dict[str, set[str]] = {}
    for place in catalog.places:
        match = re.fullmatch(r"([a-z]+(?: [a-z]+)*) \d+", place)
        if match:
            heads.setdefault(match.group(1), set()).add(place)
    for head, places in sorted(heads.items(), key=lambda kv: -len(kv[0])):
        listed = re.search(rf"\b{head}s?\s+(\d+(?:\s*(?:,|and|&|or)\s*\d+)+)\b", body)
        if listed:
            numbers = re.findall(r"\d+", listed.group(1))
            named = {f"{head} {n}" for n in numbers}
            clause.places.update(named & places)
            clause.named_places.update(named & places)
            clause.unknown_places.update(named - places)
            clause.group = True
            body = body[:listed.start()] + " " + body[listed.end():]
            continue
        for number in re.findall(rf"\b{head}\s+(\d+)\b", body):
            if f"{head} {number}" not in places:
                clause.unknown_places.add(f"{head} {number}")   # "exam room 4" of rooms 1-3
        # "both classrooms", "all (three) classroom lights": the plural or a quantifier says "every"
        pattern = (rf"\b(?:[a-z]+\s+|\d+\s+)?{head}s\b"
                   rf"|\b(?:both|all|every|each)\s+(?:(?:of\s+)?the\s+)?(?:\d+\s+)?{head}\b")
        if len(places) > 1 and re.search(pattern, body) and not said_as_value(f"{head}s", body, catalog):
            clause.places.update(places)
            clause.group = True
            body = re.sub(pattern, " ", body)
    return body


def catalog_places(place: str, catalog: Catalog) -> set[str]:
    """'laundry room' where the catalog's place is 'laundry'; 'lab' where it has 'chemistry lab'
    and 'biology lab' (the device words and the group words then choose among them)."""
    if len(catalog.place_spellings.get(place, ())) == 1:
        return set(catalog.place_spellings[place])   # "pump room" for the place "pump hall"
    head = re.sub(r"\s+(?:room|area|zone)$", "", place)
    if head != place and head in catalog.places:
        return {head}
    if head != place and len(catalog.place_spellings.get(head, ())) == 1:
        return set(catalog.place_spellings[head])   # "server room" for the place "server closet"
    ending = {p for p in catalog.places if p.endswith(" " + place)}
    if ending:
        return ending
    # "the entrance" where the catalog's place is "entrance hall"
    found = {p for p in catalog.places
             if re.fullmatch(rf"{re.escape(place)} (?:hall|room|area|zone|space|floor)", p)}
    if not found and len(place.split()) >= 2:
        # "the meeting rooms" for meeting room a and meeting room b: one word more each
        found = {p for p in catalog.places
                 if p.startswith(place + " ") and len(p.split()) == len(place.split()) + 1}
    return found


def derived_place_spellings(places: set[str], taken: set[str],
                            local: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Other ways people say a catalog place: another generic word ("waiting room" for the place
    "waiting area"), its head noun ("terrace" for "rooftop terrace"), its distinctive first word
    ("pharmacy" for "pharmacy cold room"), a numbered place without its middle ("exam 3" for
    "exam room 3"). Only spellings that name exactly one place and no device or catalog place;
    ``taken`` holds the device and resource words."""
    found: dict[str, set[str]] = {}
    for place in places:
        tokens = place.split()
        if len(tokens) < 2:
            continue
        spellings = set()
        if tokens[-1] in GENERIC_PLACE_WORDS:
            spellings.update(" ".join(tokens[:-1] + [w]) for w in GENERIC_PLACE_WORDS)
            spellings.add(" ".join(tokens[:-1]))
        elif not tokens[-1].isdigit():
            spellings.add(tokens[-1])
        else:
            spellings.update({f"{tokens[0]} {tokens[-1]}", f"{tokens[-2]} {tokens[-1]}"})
        if not tokens[0].isdigit():
            spellings.add(tokens[0])
        if len(tokens) >= 3 and tokens[-2] in GENERIC_PLACE_WORDS and len(tokens[-1]) == 1:
            spellings.add(" ".join(tokens[-2:]))   # "room a" for meeting room a
        for spelling in spellings:
            generic_end = len(spelling.split()) > 1 and spelling.split()[-1] in GENERIC_PLACE_WORDS
            # "pump room" for "pump hall": a device word before a generic place word is a place
            clash = {w for w in spelling.split() if not w.isdigit()} & taken \
                - set(GENERIC_PLACE_WORDS) - (local or {}).get(place, set())
            if len(spelling) > 3 and spelling not in places and (generic_end or not clash):
                found.setdefault(spelling, set()).add(place)
    shared: dict[str, set[str]] = {}
    for place in places:
        tokens = place.split()
        if (len(tokens) >= 3 and not tokens[-1].isdigit()) or (
                len(tokens) == 2 and re.fullmatch(r"[a-z]", tokens[-1])):
            # "every open-plan zone" for open plan east and open plan west; "both pier lights"
            # for pier a and pier b
            shared.setdefault(" ".join(tokens[:-1]), set()).add(place)
    prefixes = {" ".join(p.split()[:-1]) for p in places if re.search(r" \d+$", p)}
    for spelling, group in shared.items():
        if len(group) > 1 and spelling not in places and spelling not in prefixes \
                and not set(spelling.split()) <= taken:
            found[spelling] = set(group)
    return {s: ps for s, ps in found.items()
            if (len(ps) == 1 or s in shared) and s not in prefixes
            and s not in GENERIC_PLACE_WORDS}


def unknown_numbered_zh(body: str, zh_words: dict[str, list[str]]) -> set[str]:
    """四号诊室 where the catalog's places are 1号诊室 … 3号诊室: a numbered place it lacks."""
    known = {w for w, keys in zh_words.items() if keys[0].startswith("place:")}
    suffixes = {m.group(1) for w in known for m in [re.fullmatch(r"\d+号(.+)", w)] if m}
    return {m.group(0) for suffix in suffixes
            for m in re.finditer(rf"\d+号{re.escape(suffix)}", body) if m.group(0) not in known}


def said_as_value(word: str, body: str, catalog: Catalog) -> bool:
    """"the baggage page", "the gates page" beside a baggage hall and gates 1-2: a value of a
    String setting said right before that setting's own word is the value, not a place."""
    after = re.search(rf"\b({word})\s+([a-z]+)", body)
    setting = after and lexicon.canon(after.group(2))[0]
    return bool(after) and any(   # ("the arrivals display" names the display: a device word)
        after.group(1) in {v.lower() for v in r.allowed} and setting in r.tokens - e.words
        for e in catalog.entries.values() for r in e.writable() if r.is_string)


def english_places(body: str, catalog: Catalog, clause: Clause, device_vocab: set[str]) -> str:
    """Catalog places said in English (their names, synonyms and derived spellings, longest first)
    onto the clause, unknown place words too; returns the body with them cut out."""
    for synonym, place in sorted(lexicon.PLACE_SYNONYMS.items(), key=lambda kv: -len(kv[0])):
        if place in catalog.places and synonym not in catalog.places \
                and re.search(rf"\b{re.escape(synonym)}s?\b", body):
            clause.places.add(place)
            clause.named_places.add(place)
            body = re.sub(rf"\b{re.escape(synonym)}s?\b", " ", body)
    derived = catalog.place_spellings
    groups: list[set[str]] = []
    for place in sorted(catalog.places | lexicon.EN_PLACES | set(derived), key=len, reverse=True):
        # "the aisle lights" for the place "aisles", "the docks" for "dock"
        said = place[:-1] if re.search(r"[^s]s$", place) else place
        pattern = rf"\b{re.escape(said)}s?\b(?!\s+(?:bit|little|touch|notch|tad|lot|few|couple)\b)"
        if place not in catalog.places and place in device_vocab:
            continue   # "hall" may be a device word in another building
        if place not in catalog.places and said_as_value(rf"{re.escape(said)}s?", body, catalog):
            continue
        if re.search(pattern, body):
            known = {place} if place in catalog.places else (
                catalog_places(place, catalog) or derived.get(place, set()))
            if known and place in derived and known <= clause.named_places:
                continue   # "how cold is the cold room": the place is said; "cold" is a word
            if known:
                clause.places.update(known)
                clause.named_places.update(known if len(known) == 1 else ())
                groups.append(known)
            elif set(place.split()) - set(GENERIC_PLACE_WORDS) <= device_vocab:
                continue   # "the server room AC" beside a device server-ac: its words, no place
            else:
                clause.unknown_places.add(place)
            body = re.sub(pattern, " ", body)
    for known in groups:
        # "the west open-plan zone": the one place of the group the other words single out
        if len(known) > 1 and clause.named_places & known:
            clause.places -= known - clause.named_places
    return body


_PLACE_HEADS = GENERIC_PLACE_WORDS + ("wing", "floor", "bay", "lounge", "suite", "block", "building",
                                      "court", "rink", "yard", "deck", "shed", "bar", "gallery")
_NOT_A_QUALIFIER = {"the", "this", "that", "these", "those", "whole", "entire", "same", "other",
                    "every", "each", "all", "my", "our", "your", "his", "her", "their", "its", "a",
                    "an", "one", "next"}


def unknown_place_phrases(body: str, catalog: Catalog, device_vocab: set[str]) -> set[str]:
    """'the lights in the curling hall' where the catalog has no such place: a place said
    outright ("in/at the <words> <hall|room|…>") that english_places did not recognise is a place
    the catalog lacks, never "everywhere". Words naming a device ("the server room AC") don't
    count as a place."""
    known_words = set(device_vocab) | {w for p in catalog.places for w in p.split()}
    heads = "|".join(_PLACE_HEADS)
    unknown = set()
    for m in re.finditer(rf"\b(?:in|at|inside)\s+((?:[a-z]+\s+){{1,2}}?)({heads})s?\b", body):
        words = [w for w in m.group(1).split() if w not in _NOT_A_QUALIFIER]
        if not words or set(words) <= device_vocab:
            continue
        phrase = " ".join([*words, m.group(2)])
        if phrase in catalog.places or phrase in catalog.place_spellings:
            continue
        if set(words) <= known_words and m.group(2) in known_words:
            continue   # both halves are the catalog's own words: left to the place matching
        unknown.add(phrase)
    return unknown


def lettered_places(text: str, catalog: Catalog) -> str:
    """"the display in A": a capital letter after in/at names the catalog's place "<room> a"
    (lower-case "in a" stays an article)."""
    letters = {p.split()[-1]: " ".join(p.split()[-2:]) for p in catalog.places
               if re.fullmatch(r"(?:[a-z]+ )+[a-z]", p) and len(p.split()) >= 2}
    return re.sub(r"\b(in|at)\s+([A-Z])\b(?![\w'])",
                  lambda m: f"{m.group(1)} {letters[m.group(2).lower()]}"
                  if m.group(2).lower() in letters and m.group(2) != "I" else m.group(0), text)


_ZH_QUALIFIER = r"(?:[A-Za-z]|\d+号|[一二三四五六七八九十]+号)"


def unknown_qualified(body: str, catalog: Catalog) -> set[str]:
    """'pier c' or 'pier 3' where the catalog's places are pier a and pier b (C码头 where its
    aliases say A码头…, B码头…): a place it lacks, never the group of every pier."""
    qualifiers: dict[str, set[str]] = {p: set() for p in catalog.places}
    qualifiers.update({w: set() for w in ("room", "hall", "area", "zone", "wing", "floor", "bay",
                                          "block", "pier", "dock", "ward", "suite")})
    for place in catalog.places:
        match = re.fullmatch(r"([a-z]+(?: [a-z]+)*) ([a-z]|\d+)", place)
        if match:
            qualifiers.setdefault(match.group(1), set()).add(match.group(2))
    unknown = set()
    for head, known in qualifiers.items():
        # "exam room 4", "meeting room c": a qualifier, not a value ("room 4 degrees", "a bit")
        for m in re.finditer(rf"\b{re.escape(head)}\s+([a-z]|\d+)\b(?!\.\d)(?!\s*(?:%|percent|degrees?|°"
                             r"|c\b|f\b|k\b|bit|little|touch|notch|tad|lot|few|couple|and\b))",
                             body, re.IGNORECASE):
            qualifier = m.group(1).lower()
            if head[-1].isdigit():
                continue   # "classroom 101 one step lower": already qualified, then an amount
            if qualifier not in known and f"{head} {qualifier}" not in catalog.places \
                    and not any(p.endswith(f"{head} {qualifier}") for p in catalog.places):
                unknown.add(f"{head} {qualifier}")
    stems: dict[str, set[str]] = {}
    for spelling in catalog.zh_words:
        match = re.match(rf"({_ZH_QUALIFIER})([\u4e00-\u9fff]{{2}})", spelling)
        if match:
            stems.setdefault(match.group(2), set()).add(match.group(1).lower())
    for stem, known in stems.items():
        for m in re.finditer(rf"(?<![A-Za-z0-9])({_ZH_QUALIFIER}){stem}", body):
            if m.group(1).lower() not in known:
                unknown.add(m.group(0))
    return unknown
