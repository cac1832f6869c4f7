"""The catalog: everything the interpreter may act on, derived from profiles and devices only.

Devices × profiles → for each device its place (``room:``/``area:`` label), aliases, identifying
words, and its resources with the paths EdgeX offers: a set goes through the write-only
deviceCommand of the same name (or an unshadowed writable resource), a read through a readable
deviceCommand covering the resource (or an unshadowed readable resource). A deviceCommand shadows a
same-named resource, exactly as the device SDK resolves names.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import lexicon
from .described_names import description_names
from .descriptions import described_labels, function_rank
from .numbers import normalise_numbers, profile_unit_family
from .places import derived_place_spellings

log = logging.getLogger(__name__)

PLACE_PREFIXES = ("room", "area", "zone", "location", "floor")
_ZH_PLACE_TABLE = {spelling: [f"place:{key}"] for key, spellings in lexicon.ZH_PLACES.items()
                   for spelling in spellings}
_STOPWORDS = {"in", "on", "of", "the", "a", "an", "at", "to", "and", "for", "with", "by", "from",
              "up", "no", "nr", "unit", "device", "dev", "node", "main"}
_UNIT_CONCEPTS = {"temperature": "temperature", "temperature_f": "temperature", "speed": "speed",
                  "pressure": "pressure", "kelvin": "color", "flow": "flow"}
# gas formulas in device names (aud1-co2-sensor): their digits tell no device apart
FORMULAS = {"co2", "o2", "o3", "h2", "n2", "h2s", "nh3", "no2", "so2", "ch4", "h2o", "pm25",
             "pm10", "pm1"}
# a prefix two aliases of one device share names a place only when it ends like one (诊疗区)
_ZH_PLACE_ENDS = set("区室房厅间馆楼层院场廊台池井")


@dataclass(frozen=True)
class Resource:
    name: str
    value_type: str
    units: str
    minimum: float | None
    maximum: float | None
    description: str
    tokens: frozenset[str]                  # canonical words of the resource name
    allowed: tuple[str, ...] = ()           # String enumeration or mapping labels
    labels: tuple[tuple[frozenset[str], float], ...] = ()  # described named numbers ("3 = high")
    mappings: tuple[tuple[str, str], ...] = ()  # EdgeX mappings raw → label (labels are written)
    description_words: frozenset[str] = frozenset()   # canonical words of the description
    set_command: str | None = None          # command to PUT for a set, None when not writable
    read_command: str | None = None         # command to GET to read it, None when not readable

    @property
    def is_bool(self) -> bool:
        return self.value_type.lower() == "bool"

    @property
    def is_numeric(self) -> bool:
        return self.value_type.lower().startswith(("int", "uint", "float"))

    @property
    def is_string(self) -> bool:
        return self.value_type.lower() == "string"


@dataclass(frozen=True)
class Entry:
    name: str
    profile: str
    description: str
    place: str                     # canonical place key ("living room"), "" when unlabelled
    aliases: tuple[str, ...]
    words: frozenset[str]          # canonical identifying words (kind, qualifiers, alias keys)
    ids: frozenset[str]            # numeric identifiers ("1" for conveyor-1)
    resources: dict[str, Resource] = field(default_factory=dict)
    read_commands: tuple[tuple[str, tuple[str, ...]], ...] = ()
    described: frozenset[tuple[str, str]] = frozenset()   # ("display", "case") from descriptions
    label_phrases: tuple[str, ...] = ()   # multi-word profile labels ("shore power", "pump out")
    # resources by where the profile's description first names them: its main function first
    # ("enables the fuel dispenser pump and runs the pump-out station next to it")
    function_rank: dict[str, int] = field(default_factory=dict)

    def writable(self) -> list[Resource]:
        return [r for r in self.resources.values() if r.set_command]

    def readable(self) -> list[Resource]:
        return [r for r in self.resources.values() if r.read_command]


def _place_key(value: str) -> str:
    return " ".join(lexicon.split_name(value))


def _device_word(token: str) -> list[str]:
    """A name token as a device word: kind synonyms merge (lamp → light), but a token that the
    tables read as a resource concept stays itself ("dimmer" must not become "brightness")."""
    keys = lexicon.canon(token)
    return keys if all(k in lexicon.DEVICE_KINDS for k in keys) else [lexicon.stem(token)]


def _build_entry(device: Any, profile: Any, place_words: frozenset[str] = frozenset()) -> Entry:
    place = ""
    for prefix in PLACE_PREFIXES:
        values = device.label_values(prefix)
        if values:
            place = _place_key(values[0])
            break
    aliases = tuple(normalise_numbers(a) for a in device.label_values("alias"))
    place_tokens = set(place.split())
    words: set[str] = set()
    ids: set[str] = set()
    ids.update(chunk for chunk in device.name.lower().split("-")
               if re.fullmatch(r"[a-z]\d+|\d+[a-z]", chunk))   # rack-a1-pdu: "a1" whole
    for token in lexicon.phrase_tokens(device.name):
        if token.isdigit() or (len(token) == 1 and token.isalpha()):   # conveyor-1, valve-b
            ids.add(token)
        elif token not in place_tokens and token not in _STOPWORDS:
            words.update(_device_word(token))
    # The head noun of the profile name ("Window-Blind" → blind) and kind-like profile labels;
    # a head noun the labels repeat ("Steam-Sterilizer", label sterilizer) whatever it is
    labels = [lab.lower() for lab in profile.labels]
    for token in lexicon.phrase_tokens(profile.name)[-1:] + labels:
        for key in lexicon.canon(token):
            if key in lexicon.DEVICE_KINDS:
                words.add(key)
    # a word of the profile's name that its labels repeat ("Fermenter-Controller", label
    # fermenter) is what the device is called, unless it names a place ("Taproom-Light")
    named = lexicon.phrase_tokens(profile.name)
    for i, token in enumerate(named):
        if token in labels and (i == len(named) - 1 or token not in place_words
                                and token not in _STOPWORDS):
            words.update(_device_word(token))
    if words & {"display", "screen"}:
        words.update({"display", "screen"})   # a display or a wall screen: either word names it
    if words & {"thermostat", "hvac"} or "hvac" in {lab.lower() for lab in profile.labels}:
        words.add("aircon")   # people call the unit a thermostat drives "the AC" / 空调
    for alias in aliases:
        if alias.isascii():
            words.update(k for t in lexicon.split_name(alias) for k in _device_word(t))
            continue
        ids.update(re.findall(r"(\d+)号", alias))
        for start, end, keys in lexicon.zh_segments(alias, _ZH_PLACE_TABLE):
            # single characters are too vague to identify a device unless they name a kind (灯, 泵)
            words.update(k for k in keys if k not in place_tokens and not k.startswith("place:")
                         and (end - start > 1 or k in lexicon.DEVICE_KINDS))
    words.discard("")

    commands = {c.name: c for c in profile.device_commands if not c.is_hidden}
    shadowed = {c.name for c in profile.device_commands}
    resources: dict[str, Resource] = {}
    for res in profile.device_resources:
        # a hidden resource is not addressable by its own name, but a (non-hidden) deviceCommand
        # over it is, as core-command exposes it ("SetAgitator" for a hidden AgitatorEnabled)
        props = res.properties
        # a write-only/read-write deviceCommand that sets exactly this resource, the same-named
        # one first; else the resource itself when no command shadows it
        writers = [c for c in commands.values() if "W" in c.read_write
                   and [op.device_resource for op in c.resource_operations] == [res.name]]
        writers.sort(key=lambda c: c.name != res.name)
        set_command = writers[0].name if writers else None
        if set_command is None and res.name not in shadowed and "W" in props.read_write \
                and not res.is_hidden:
            set_command = res.name
        read_command = None
        for cmd in profile.device_commands:
            if not cmd.is_hidden and "R" in cmd.read_write and any(
                    op.device_resource == res.name for op in cmd.resource_operations):
                read_command = cmd.name
                break
        if read_command is None and res.name not in shadowed and "R" in props.read_write \
                and not res.is_hidden:
            read_command = res.name
        if res.is_hidden and set_command is None and read_command is None:
            continue
        mapping_labels: list[str] = []
        mappings: list[tuple[str, str]] = []
        for cmd in profile.device_commands:
            for op in cmd.resource_operations:
                if op.device_resource == res.name and op.mappings:
                    mapping_labels.extend(str(v) for v in op.mappings.values())
                    mappings.extend((str(k), str(v)) for k, v in op.mappings.items())
        allowed = tuple(dict.fromkeys(list(res.allowed_values) + mapping_labels))
        # AirCurtain is "aircurtain", the one word an utterance's "air curtain" becomes
        tokens = {k for t in lexicon.phrase_tokens(res.name) for k in lexicon.canon(t)}
        tokens.update(lexicon.IMPLIED_PARTS.get(t, t) for t in set(tokens))   # exhaust → fan
        tokens.update(description_names(res.description, tokens))   # "Douser (shutter)"
        family = profile_unit_family(props.units or "")
        if family and family[0] in _UNIT_CONCEPTS:
            # a °C set point is a temperature whatever its name
            tokens.add(_UNIT_CONCEPTS[family[0]])
        if family and family[0] == "percent" and "light" in words and "W" in props.read_write \
                and props.value_type.lower() not in ("bool", "string"):
            tokens.add("brightness")   # a light's settable % (Level, Intensity) is its brightness
        resources[res.name] = Resource(
            name=res.name, value_type=props.value_type, units=props.units or "",
            minimum=props.minimum, maximum=props.maximum, description=res.description or "",
            tokens=frozenset(tokens),
            # (an enumeration's glosses, "tele = 2.5x zoom", are no numbers to write)
            allowed=allowed,
            labels=() if res.allowed_values else described_labels(res.description, props.units),
            mappings=tuple(dict.fromkeys(mappings)),
            description_words=frozenset(
                k for w in re.findall(r"[a-z]+", lexicon.join_phrases((res.description or "").lower()))
                for k in lexicon.canon(w)),
            set_command=set_command, read_command=read_command)
    read_commands = tuple(
        (c.name, tuple(op.device_resource for op in c.resource_operations))
        for c in profile.device_commands if not c.is_hidden and "R" in c.read_write)
    said = re.findall(r"[a-z]+", f"{device.description or ''} {profile.description or ''}".lower())
    described = frozenset((a, lexicon.canon(b)[0]) for a, b in zip(said, said[1:])
                          if lexicon.canon(b)[0] in words and a not in _STOPWORDS)
    return Entry(name=device.name, profile=profile.name, description=device.description or "",
                 place=place, aliases=aliases, words=frozenset(words), ids=frozenset(ids),
                 resources=resources, read_commands=read_commands, described=described,
                 function_rank=function_rank(profile.description or "", resources),
                 label_phrases=tuple(" ".join(lexicon.split_name(lab)) for lab in labels
                                     if len(lexicon.split_name(lab)) > 1))


_ZH_PLACE_TAILS = _ZH_PLACE_ENDS | set("席处舍棚库亭")


def _alias_place_prefixes(entries: Any) -> dict[str, str]:
    """看台空调 (the stands' air handler) → 看台 names its place: an alias made of a place-like
    word (ending 台, 室, 房, 席 …) and a generic word for one of the device's own kinds. Only
    prefixes that point at one place; never numbers or 东/南/西/北 sides."""
    found: dict[str, set[str]] = {}
    for entry in entries:
        for alias in entry.aliases if entry.place else ():
            for size in range(len(alias) - 1, 1, -1):
                prefix, tail = alias[:size], alias[size:]
                kinds = lexicon.ZH_WORDS.get(tail, "").split()
                if not set(kinds) & entry.words:
                    continue
                if prefix[-1] in _ZH_PLACE_TAILS and prefix not in lexicon.ZH_WORDS \
                        and not re.search(r"[\d号]|^[东南西北]|的", prefix):
                    found.setdefault(prefix, set()).add(entry.place)
                break
    return {prefix: next(iter(places)) for prefix, places in found.items() if len(places) == 1}


class Catalog:
    """Immutable snapshot of the actionable catalog, plus the word tables derived from it."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries: dict[str, Entry] = {e.name: e for e in entries}
        self.places = {e.place for e in self.entries.values() if e.place}
        self.zh_words = self._zh_table()
        # "co2" → co, 2 only where a resource is so named (Co2Ppm), never the "CO" of a detector
        self.named_pairs = frozenset(
            a + b for e in self.entries.values() for r in e.resources.values()
            for a, b in zip(lexicon.split_name(r.name), lexicon.split_name(r.name)[1:])
            if a.isalpha() and b.isdigit())
        self.vocabulary = frozenset(w for e in self.entries.values() for w in e.words) | frozenset(
            t for e in self.entries.values() for r in e.resources.values() for t in r.tokens)
        owners: dict[str, set[str]] = {}
        for e in self.entries.values():
            for t in {t for r in e.resources.values() for t in r.tokens} - e.words:
                owners.setdefault(t, set()).add(e.place)
        # "the tower level": a resource word only the devices of "water tower" have may say it
        local = {place: {t for t, held in owners.items() if held == {place}}
                 for place in self.places}
        self.place_spellings = derived_place_spellings(self.places, set(self.vocabulary), local)

    @classmethod
    def from_store(cls, profiles: dict[str, Any], devices: dict[str, Any]) -> "Catalog":
        entries = []
        place_words = frozenset(w for device in devices.values() for prefix in PLACE_PREFIXES
                                for value in device.label_values(prefix)[:1]
                                for w in _place_key(value).split())
        for device in devices.values():
            # a LOCKED device stays in the catalog: core-command's 423 is the clearer answer
            profile = profiles.get(device.profile_name)
            if profile is None:
                log.warning("device %s names unknown profile %s; left out of the catalog",
                            device.name, device.profile_name)
                continue
            entries.append(_build_entry(device, profile, place_words))
        return cls(entries)

    @classmethod
    def from_files(cls, profiles_dir: str, devices_file: str) -> "Catalog":
        from ..device_profiles import load_devices, load_profiles_dir
        return cls.from_store(load_profiles_dir(profiles_dir), load_devices(devices_file))

    def _zh_table(self) -> dict[str, list[str]]:
        """Chinese spellings of places and aliases → canonical keys.

        Place names come from the generic table and from prefixes that aliases of devices in the
        same place share (客厅灯 + 客厅窗帘 → 客厅); an alias maps to its device's own key.
        """
        table: dict[str, list[str]] = {}
        for place in self.places:
            for spelling in lexicon.ZH_PLACES.get(place, []):
                table[spelling] = [f"place:{place}"]
        by_place: dict[str, list[str]] = {}
        for entry in self.entries.values():
            by_place.setdefault(entry.place, []).extend(
                (entry.name, a) for a in entry.aliases if not a.isascii())
        for place, aliases in by_place.items():
            if not place:
                continue
            for i, (owner, first) in enumerate(aliases):
                for other, second in aliases[i + 1:]:
                    size = 0
                    while size < min(len(first), len(second)) and first[size] == second[size]:
                        size += 1
                    place_like = other != owner or first[size - 1:size] in _ZH_PLACE_ENDS
                    if size >= 2 and first[:size] not in lexicon.ZH_WORDS and place_like \
                            and not re.fullmatch(r"\d+号", first[:size]):
                        table.setdefault(first[:size], [f"place:{place}"])
        for spelling, place in _alias_place_prefixes(self.entries.values()).items():
            table.setdefault(spelling, [f"place:{place}"])
        # 更衣室 for 主队更衣室 and 客队更衣室: the place word they share names both
        shared: dict[str, set[str]] = {}
        for spelling, keys in table.items():
            if keys[0].startswith("place:") and spelling[-1] in _ZH_PLACE_TAILS:
                for size in range(2, len(spelling)):
                    shared.setdefault(spelling[-size:], set()).add(keys[0])
        for tail, keys in shared.items():
            if len(keys) > 1 and tail not in table and tail not in lexicon.ZH_WORDS:
                table[tail] = sorted(keys)
        for entry in self.entries.values():
            for alias in entry.aliases:
                if not alias.isascii():
                    table[alias] = [f"alias:{entry.name}"]
        table.update(self._zh_kinds(table))
        return table

    def _zh_kinds(self, table: dict[str, list[str]]) -> dict[str, list[str]]:
        """东展厅恒温恒湿机, 一号展柜: what an alias says after its place and number is a kind
        word for its devices (所有恒温恒湿机, 两个展柜), read as the words those devices share."""
        places = sorted((w for w, keys in table.items() if keys[0].startswith("place:")),
                        key=len, reverse=True)
        owners: dict[str, list[Entry]] = {}
        for entry in self.entries.values():
            for alias in entry.aliases:
                if alias.isascii():
                    continue
                tail = next((alias[len(p):] for p in places if alias.startswith(p)), alias)
                # 一号展柜, 北侧闸机: a number or a side before the kind word
                tail = re.sub(r"^(?:\d+号|[东南西北前后左右][侧边面]?)", "", tail)
                if tail != alias and len(tail) >= 2 and tail not in table \
                        and tail not in lexicon.ZH_WORDS:
                    owners.setdefault(tail, []).append(entry)
        kinds = {}
        for tail, entries in owners.items():
            shared = frozenset.intersection(*(e.words for e in entries))
            if shared:
                kinds[tail] = sorted(shared)
        return kinds


class CatalogHolder:
    """Holds the current catalog and rebuilds it when the device store changes."""

    def __init__(self, store: Any):
        self._store = store
        self._lock = threading.Lock()
        self._catalog = Catalog.from_store(store.profiles(), store.devices())
        if hasattr(store, "on_change"):
            store.on_change(self.rebuild)

    def rebuild(self) -> None:
        catalog = Catalog.from_store(self._store.profiles(), self._store.devices())
        with self._lock:
            self._catalog = catalog
        log.info("command catalog rebuilt: %d devices", len(catalog.entries))

    @property
    def catalog(self) -> Catalog:
        with self._lock:
            return self._catalog


def formula_digits(entry: Entry) -> set[str]:
    """The digits of a gas formula in the device's name (the 2 of aud1-co2-sensor)."""
    return {d for chunk in entry.name.lower().split("-") if chunk in FORMULAS
            for d in re.findall(r"\d+", chunk)}
