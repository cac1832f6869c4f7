"""Which devices a clause names (pure): kind words, qualifiers, aliases and ids, agreed with the
places said; a device matched by a subset of another's matches drops out; several devices with
nothing to choose between them and no group word are refused as ambiguous."""
from __future__ import annotations

import re

from .catalog import Catalog, Entry, formula_digits
from .decisions import GENERIC_TOKENS, NAMED_SYNONYMS, Candidate, Refusal
from .grounding import Clause
from . import lexicon
from .lexicon import DEVICE_KINDS, RESOURCE_CONCEPTS
from .numbers import find_quantities, profile_unit_family


def named_devices(clause: Clause, catalog: Catalog) -> tuple[list[Entry], str]:
    """The devices a clause names and how: "named" (kind, qualifier, alias, id), "place" (only
    places were said) or "global" (nothing was said; capabilities decide)."""
    entries = list(catalog.entries.values())
    holders: dict[str, int] = {}
    for entry in entries:
        for word in entry.words:
            holders[word] = holders.get(word, 0) + 1
    # 泳池水温: "water" names a part of the pool's device, not the hot-water heater elsewhere
    parts_there = {t for e in entries if e.place in clause.places
                   for r in e.resources.values() for t in r.tokens}
    matched: dict[str, set[str]] = {}
    id_mismatch: set[str] = set()     # words of devices whose number was not the one said
    for entry in entries:
        words = (clause.words | clause.raw_words) & entry.words
        if entry.name in clause.aliases:
            words = words | {"alias:" + entry.name}
        # "start P101": a whole letters-and-digits id names its device without a kind word
        words = words | {"id:" + i for i in clause.ids & entry.ids if len(i) > 1 and not i.isdigit()}
        if not words:
            continue
        # a qualifier only this device has ("front", an alias) names it wherever it is; a kind
        # word ("light", "window") must agree with the places said
        specific = any(w.startswith("alias:")
                       or (holders.get(w, 0) == 1 and w not in DEVICE_KINDS
                           and w not in parts_there) for w in words)
        if clause.ids and entry.ids and entry.name not in clause.aliases:   # (A1和A2岸电桩)
            if not clause.ids & entry.ids:
                id_mismatch |= words
                continue
            # (the 2 of aud1-co2-sensor is its gas, not a second number to tell it apart by)
            words = words | {"id:" + i for i in clause.ids & entry.ids - formula_digits(entry)}
            specific = True
        elif entry.name in clause.aliases:   # 3号厅的放映机: the number of its alias counts too
            words = words | {"id:" + i for i in clause.ids & entry.ids}
        if clause.places and not specific and entry.place not in clause.places:
            continue
        if entry.place in clause.places:
            words = words | {"place:" + entry.place}
        matched[entry.name] = words
    kinds_said = clause.words & DEVICE_KINDS
    site = {k for m in _SITE.finditer(clause.text.lower()) for k in lexicon.canon(m.group(1))}
    if site and any(w & kinds_said for w in matched.values()):
        # "every light in the marina" beside the marina gate lock: a word said as the site is
        # no name of a device whose kind was not said
        matched = {n: w for n, w in matched.items() if w & kinds_said or not {
            x for x in w if not x.startswith("place:")} <= site}
    verbs = {w for v in clause.verb_words for w in (v, *lexicon.canon(v))}
    if any(not words <= verbs for words in matched.values()):
        # "arm the guard station" beside a barrier arm: the verb names no device
        matched = {n: w for n, w in matched.items() if not w <= verbs}
    if matched and clause.loose_ids and all(not catalog.entries[n].ids for n in matched):
        # 2号加氯机 where there is one doser and it has no number: not that doser
        raise Refusal("unknown_device", "no device with that number")
    named_ids = {i for n in matched for i in catalog.entries[n].ids}
    if named_ids and clause.loose_ids - named_ids:
        # "stop pumps 1 and 4" with pumps 1-3 (and a belt 4): never act on the rest and drop
        # the missing one
        raise Refusal("unknown_device", "no device with that number")
    if id_mismatch:
        # "light 4" where the lights are numbered 1-3: not the one light without a number
        matched = {n: w for n, w in matched.items() if catalog.entries[n].ids
                   or any(x.startswith("alias:") for x in w) or not w & id_mismatch}
        if not matched:
            raise Refusal("unknown_device", "no device with that number")
    if matched:
        keep = [name for name, words in matched.items()
                if not any(words < other for o, other in matched.items() if o != name)
                and not _part_of_other(name, words, matched, catalog,
                                       clause.words | clause.raw_words)]
        for kind in clause.words & DEVICE_KINDS:
            # "the living room light and the heater" with the heater elsewhere: never drop a
            # device that was asked for and act on the rest
            parts = {t for n in keep
                     for r in catalog.entries[n].resources.values() for t in r.tokens}
            if kind in holders and kind not in parts and not any(kind in matched[n] for n in keep):
                raise Refusal("unknown_device", f"there is no {kind} there")
        empty = [p for p in clause.named_places
                 if not any(catalog.entries[n].place == p for n in keep)]
        for place in list(empty):
            # 冷库和酒窖各是多少度: the one device in the other place with what is asked about;
            # "fv2 and the cold room to 3": the place's only device (not "the cold crash")
            whole = _place_said_whole(place, clause.text, catalog)
            if not (clause.aliases or clause.ids and whole):
                continue
            there = [e.name for e in entries if e.place == place and e.name not in keep]
            fitting = [n for n in there if clause.words & {
                t for r in catalog.entries[n].resources.values() for t in r.tokens} - GENERIC_TOKENS]
            fitting = fitting or (there if len(there) == 1 and whole else [])
            if len(fitting) > 1:
                raise Refusal("ambiguous", "which one? " + ", ".join(sorted(fitting)))
            if len(fitting) == 1:
                keep.append(fitting[0])
                matched[fitting[0]] = {"place:" + place}
                empty.remove(place)
            else:   # a place said and nothing there fits: never drop it silently
                raise Refusal("unknown_device", f"nothing like that in the {place}")
        if empty and not clause.aliases and not clause.ids:
            # "the kitchen light and the lobby light" with no light in the kitchen
            raise Refusal("unknown_device", f"nothing like that in the {sorted(empty)[0]}")
        phrased = _resource_phrase_devices(clause, catalog, keep)
        if phrased:
            return phrased, "named"
        chosen = [catalog.entries[n] for n in keep]
        _check_counts(clause, chosen)
        groups: dict[frozenset, list[str]] = {}
        for name in keep:
            # a place word that names several places ("更衣室" for two changing rooms) does not
            # tell their devices apart
            told = frozenset(w for w in matched[name] if not w.startswith("place:")
                             or w[6:] in clause.named_places)
            groups.setdefault(told, []).append(name)
        if len(groups) == 1 and len(keep) > 1 and not clause.group \
                and _only_place_prefix(next(iter(groups)), keep, catalog):
            # "the aud 3 fader": 'aud' + 3 begins every name in auditorium 3, so it says the
            # place, and the setting named picks the device there
            return chosen, "place"
        for words, names in groups.items():
            plural = bool(clause.plural & set(words))
            if len(names) > 1 and not (clause.group or plural):
                share = round(1 / len(names), 3)
                raise Refusal("ambiguous", "which one? " + ", ".join(sorted(names)),
                              [{"device": n, "actions": [], "probability": share}
                               for n in sorted(names)])
        return chosen, "named"
    if clause.words & {w for e in entries for w in e.words} - GENERIC_TOKENS - parts_there:
        # a device word was said but nothing matched all constraints (e.g. conveyor 3)
        raise Refusal("unknown_device", "no such device in the catalog")
    prefixes = {re.match(r"[a-z]+", i).group(0) for e in entries for i in e.ids
                if re.fullmatch(r"[a-z]+\d+", i)}
    if any(re.fullmatch(r"[a-z]+\d+", i) and re.match(r"[a-z]+", i).group(0) in prefixes
           for i in clause.ids):
        raise Refusal("unknown_device", "no device with that id")   # "P103" beside P101, P102
    if clause.places:
        return [e for e in entries if e.place in clause.places], "place"
    return entries, "global"


def _only_place_prefix(words: frozenset, names: list[str], catalog: Catalog) -> bool:
    """The words that matched are a name prefix every device of that one place shares."""
    places = {catalog.entries[n].place for n in names}
    said = {w for w in words if not w.startswith(("place:", "id:"))}
    if len(places) != 1 or not said or "" in places \
            or not any(w.startswith("id:") for w in words):
        return False   # the prefix comes with the place's number ("aud 3"; "the AHUs" is no place)
    there = [e for e in catalog.entries.values() if e.place in places]
    return len(there) == len(names) and all(said <= e.words for e in there) \
        and not said & DEVICE_KINDS


def _check_counts(clause: Clause, chosen: list[Entry]) -> None:
    """'all five fermenters' with four, 'both pumps' with three: a count the catalog disagrees
    with is refused, never acted on for the devices there happen to be."""
    for count, kind in clause.counts:
        counted = [e for e in chosen if e.words & kind]
        if counted and len(counted) < count:
            raise Refusal("unknown_device", f"there are only {len(counted)} of those")
        if counted and len(counted) > count:
            raise Refusal("ambiguous", f"which {count}? " + ", ".join(e.name for e in counted))


def _place_said_whole(place: str, text: str, catalog: Catalog) -> bool:
    """The place's whole name was said ("the cold room", 冷库), not one word of it ("the cold
    crash")."""
    spelled = [w for w, keys in catalog.zh_words.items() if keys == [f"place:{place}"]]
    return bool(re.search(r"\b" + r"[\s_-]+".join(map(re.escape, place.split())) + r"\b",
                          text.lower())) or any(w in text for w in spelled)


def refuse_unknown(clause: Clause, catalog: Catalog) -> None:
    """Places, numbered devices, kinds, qualifiers and place heads the catalog lacks refuse the
    clause before any device is chosen ("the sauna light", 5号压机, "the back door")."""
    if clause.unknown_places:
        place = sorted(clause.unknown_places)[0]
        raise Refusal("unknown_device", f"there is no device in the {place}")
    if clause.unknown_devices:
        raise Refusal("unknown_device", f"there is no {sorted(clause.unknown_devices)[0]}")
    unknown_kinds = unknown_kinds_said(clause, catalog)
    if unknown_kinds:
        raise Refusal("unknown_device",
                      f"there is no {sorted(unknown_kinds)[0]} in the catalog")
    unknown_qualifiers = clause.qualifiers - catalog.vocabulary
    if unknown_qualifiers and clause.words & DEVICE_KINDS:
        raise Refusal("unknown_device", f"there is no {sorted(unknown_qualifiers)[0]} "
                      f"{sorted(clause.words & DEVICE_KINDS)[0]} in the catalog")
    everywhere = list(catalog.entries.values())
    unread_places = {h for h in clause.place_heads | clause.modifiers
                     if unknown_thing(h, everywhere, catalog)}
    if unread_places:
        raise Refusal("unknown_device", f"there is no {sorted(unread_places)[0]} here")


_SITE = re.compile(r"\b(?:in|at|around|throughout|across)\s+"
                   r"(?:(?:the|my|our|this|whole|entire)\s+)*([a-z]+)\b")


def unknown_kinds_said(clause: Clause, catalog: Catalog) -> set[str]:
    """Kind words no device has; one the descriptions put right before a device's own word
    ("display case 1" for a case described as "Display case 1 in …") is that device's name."""
    said = [lexicon.canon(w)[0] for w in re.findall(r"[a-z]+", clause.text.lower())]
    described = {a for e in catalog.entries.values() for a, b in e.described
                 if any((a, b) == pair for pair in zip(said, said[1:]))}
    # "the humidifier and the dehumidifier" of an AHU whose mode description names both
    parts = {w for e in catalog.entries.values() for r in e.writable()
             for w in r.description_words}
    # 开暖气 ("the heater") where the place's unit has a heat mode: a value, not a missing kind
    valued = {k for k in clause.words & DEVICE_KINDS
              if NAMED_SYNONYMS.get(k, k) in {v.lower() for e in catalog.entries.values()
                                              if not clause.places or e.place in clause.places
                                              for r in e.writable() for v in r.allowed}}
    return (clause.words & DEVICE_KINDS) - catalog.vocabulary - described - parts - valued


# the whole site, however the building is called
_SITE_WORDS = {"building", "site", "premises", "venue", "museum", "hotel", "school", "clinic",
               "office", "store", "shop", "restaurant", "library", "centre", "center", "facility",
               "大楼", "楼里", "全馆", "馆内", "整栋"}


def described_choice(built: list[Candidate], clause: Clause) -> list[Candidate]:
    """Several devices alike and the whole site said ("how many visitors are in the building /
    the museum?" with two counters): the one whose own description says it covers the building
    (" … in the building") is meant."""
    said = {w for w in re.findall(r"[a-z]+|[\u4e00-\u9fff]+", clause.text.lower())
            if w in _SITE_WORDS} | {w for w in _SITE_WORDS if not w.isascii() and w in clause.text}
    if not said or clause.group or len(built) < 2:
        return built
    told = [c for c in built if re.search(r"\b(?:in|inside|across|throughout)\s+(?:the\s+)?"
                                          r"(?:whole\s+|entire\s+)?building\b",
                                          c.entry.description.lower())]
    return told if len(told) == 1 else built


def _resource_phrase_devices(clause: Clause, catalog: Catalog, keep: list[str]) -> list[Entry]:
    """'the house lights' where the lights are gallery circuits and `HouseLightLevel` is a setting
    of the auditorium: two words said together that are a resource's own name, the first one
    no chosen device's word, name that resource's device, not every device of the generic kind."""
    raw = re.findall(r"[a-z]+", clause.text.lower())
    said = [lexicon.canon(w)[0] for w in raw]
    kept_words = {w for n in keep for w in catalog.entries[n].words}
    # (the first word as said must not be a chosen device's word either: "hot water" names the
    # hot-water heater even though "hot" reads as temperature)
    pairs = {(a, b) for a, b, first in zip(said, said[1:], raw) if first not in kept_words}
    found = [e for e in catalog.entries.values() if e.name not in keep and any(
        {a, b} <= r.tokens and a not in kept_words and b in kept_words
        and a not in GENERIC_TOKENS for r in e.resources.values() for a, b in pairs)]
    return found


def _part_of_other(name: str, words: set[str], matched: dict[str, set[str]],
                   catalog: Catalog, said: set[str]) -> bool:
    """'the hood lights', 'the chiller door': a device matched only by words that name a part
    (a resource) of another device the clause names by a word of its own is not meant."""
    plain = {w for w in words if ":" not in w}
    places = words - plain
    if not plain or any(not w.startswith("place:") for w in places):
        return False
    for other, other_words in matched.items():
        if other == name or not other_words - words or not places <= other_words:
            continue
        resources = catalog.entries[other].resources.values()
        if not places and plain <= {t for r in resources for t in r.tokens}:
            return True
        # with the place said, or from a description ("the lamp hours of the projector in 101",
        # "the water leaving the boiler"), only a whole resource name or a non-kind word counts:
        # "the projector in 102 off and the lights too" still names the lights
        if any(plain <= r.tokens and r.tokens <= said for r in resources) or (
                not plain & DEVICE_KINDS
                and plain <= {t for r in resources for t in r.description_words}):
            return True
    return False


def settle_named_refusals(built: list[Candidate], refusals: list[Refusal],
                          scope: str) -> list[Candidate]:
    """A refusal whose words named what was refused ("set the humidity to 50 %": read-only) wins
    over devices that merely could take the value, except that in a room a temperature set point
    is the room's temperature whatever it is called ("make room 102 cooler" beside a sensor)."""
    named = [r for r in refusals if r.named]
    if not named or any(c.strength > 1.0 for c in built):
        return built
    setpoints = [c for c in built if scope == "place"
                 and all(a.values and all(_is_temperature(c.entry.resources[k].units)
                                          for k in a.values) for a in c.actions)]
    if not setpoints or not all(_is_temperature(getattr(r, "units", "")) for r in named):
        raise named[0]
    return setpoints


def _is_temperature(units: str | None) -> bool:
    return (profile_unit_family(units or "") or ("",))[0] == "temperature"


# nouns that name no thing ("a bit", "the moment", "the way", "degrees")
_GENERIC_NOUNS = {"bit", "little", "notch", "touch", "tad", "moment", "way", "right", "left",
                  "more", "less", "level", "main", "rest", "lot", "one", "ones", "thing", "things",
                  "place",
                  "room", "area", "zone", "space", "side", "time", "minute", "second", "reading",
                  "readings", "status", "state", "setting", "settings", "value", "values", "mode",
                  "max", "maximum", "min", "minimum", "middle", "half", "top", "bottom", "same",
                  "other", "default", "normal", "usual", "current", "number", "amount", "unit",
                  "building", "house", "home", "site", "premises", "facility", "world", "big",
                  "small", "large", "new", "old", "whole", "entire", "front", "back", "upper",
                  "lower", "inner", "outer", "overhead", "ceiling", "wall", "floor", "door"}


def unknown_thing(head: str, devices: list[Entry], catalog: Catalog) -> bool:
    """A noun no catalog word, unit, value or generic word accounts for."""
    keys = set(lexicon.canon(head)) | {head, lexicon.stem(head)}
    generic = head in lexicon.EN_SYNONYMS or head in lexicon.IMPLIED_PARTS
    if generic or keys & (catalog.vocabulary | _GENERIC_NOUNS | _SITE_WORDS | RESOURCE_CONCEPTS) or any(
            q.unit is not None and q.end == len(head) + 2 for q in find_quantities("1 " + head)):
        return False
    said_of = {w for e in devices for r in e.resources.values()
               for w in set(r.allowed) | {k for words, _ in r.labels for k in words}
               | set(r.description_words)}
    # the words of the profile's name ("roof" of Roof-Vent) say what the device is, too
    said_of |= {k for e in devices for t in lexicon.split_name(e.profile) for k in lexicon.canon(t)}
    return not keys & {w.lower() for w in said_of}


_NOT_THINGS = {"machine", "unit", "device", "appliance", "system", "thing", "timer", "line",
               "over", "into", "have", "has", "be", "can", "could", "would", "will", "do", "does",
               # states and adjectives that end a phrase ("the slats flat", "the door shut")
               "flat", "shut", "open", "closed", "locked", "unlocked", "ajar", "full", "empty",
               "low", "high", "hot", "cold", "warm", "cool", "dark", "bright", "running", "done"}


def unknown_things(clause: Clause, candidates: list[Entry], catalog: Catalog,
                   scope: str) -> set[str]:
    """Things said that no device here is: in a place every word of a determiner phrase ("the
    x ray viewer in exam room 2"); with a device named, a noun its word only modifies ("the hot
    tub" beside a hot-water heater)."""
    if scope == "place":
        return {h for h in clause.heads | clause.phrase_words
                if unknown_thing(h, candidates, catalog)}
    if scope != "named" or clause.question:
        return set()
    owned = {w for e in candidates for w in e.words}
    held = owned | {w for e in candidates for r in e.resources.values()
                    for w in r.tokens | r.description_words}
    # "the coolant pump's fan", 登机门的风扇: a part other devices have and these lack is not
    # their main switch
    lacking = clause.words & DEVICE_KINDS & catalog.vocabulary - held
    # 奶罐的搅拌器开一下: a part of the named device that no word here reads is not its main switch
    parts = {h for h in clause.heads if re.search(r"[\u4e00-\u9fff]", h)
             and not any(h in a for e in candidates for a in e.aliases)}
    return lacking | parts | {p[-1] for p in clause.phrases if p[-1] not in _NOT_THINGS and len(p[-1]) > 2
            and owned & set(p[:-1]) and not owned & set(lexicon.canon(p[-1]))
            and unknown_thing(p[-1], candidates, catalog)}
