"""Which of the candidates a clause without a named device means (pure): with only a place or
nothing said, a kind or concept word filters, the strongest grounding wins, "everything" takes
every switch, and several devices left with nothing to choose between them are ambiguous."""
from __future__ import annotations

import re

from .catalog import Catalog
from .decisions import NAMED_SYNONYMS, Candidate, Refusal, alternatives
from .grounding import Clause
from . import lexicon
from .lexicon import DEVICE_KINDS, RESOURCE_CONCEPTS
from .numbers import profile_unit_family
from .selection import described_choice, settle_named_refusals
from .switches import is_power_switch

PRONOUN = re.compile(r"\b(?:it|that|this|them|these|those)\b|它|这个|那个")
NOTHING = "the request does not name anything this service can control"
# "how windy is it", "is it raining": the weather's "it", which names no device
_EXPLETIVE_IT = re.compile(r"\bhow\s+[a-z]+\s+is\s+it\b"
                           r"|\b(?:is\s+it|it\s+is|it'?s)\s+(?:[a-z]+y|raining|snowing|freezing)\b")
SWITCH_VALUES = {"true", "false", "off"}
# words that name no setting of their own ("turn the mode off" names no mode)
_NOT_NAMING = {"on", "off", "power", "run", "mode", "state", "set", "level", "value", "target"}


def settle_unnamed(built: list[Candidate], refusals: list[Refusal], clause: Clause, scope: str,
                   catalog: Catalog, result, standalone: bool) -> list[Candidate] | None:
    """The candidates meant; None when the clause is a filler (nothing named, not alone)."""
    kinds = clause.words & (DEVICE_KINDS | RESOURCE_CONCEPTS) & catalog.vocabulary
    if kinds and scope == "place":
        # "turn on the fan in 102" is not about the light there, only about what has a fan
        built = [c for c in built if kinds & (c.entry.words | {
            t for r in c.entry.resources.values() for t in r.tokens})]
    if scope == "place" and not clause.group and len(built) > 1:
        # "turn off the do not disturb in 101": the lock whose PrivacyMode the words name, not
        # the fan-coil unit whose mode merely has an "off" value
        said = {id(c): len(_named_words(c, clause) - _NOT_NAMING) for c in built}
        most = max(said.values())
        if most and sum(1 for n in said.values() if n == most) < len(built):
            built = [c for c in built if said[id(c)] == most]
    described = clause.words & DEVICE_KINDS - catalog.vocabulary
    if described:
        # "the humidifier in the east gallery": only what a setting's description says it drives
        built = [c for c in built if all(k in {w for r in c.entry.writable()
                                               for w in r.description_words}
                                         or NAMED_SYNONYMS.get(k, k) in {   # 暖气: heat mode
                                             v.lower() for r in c.entry.writable()
                                             for v in r.allowed} for k in described)]
    place_words = {w for p in clause.places for w in p.split()}
    nouns = {k for h in clause.heads for k in lexicon.canon(h)} - catalog.vocabulary - place_words
    told = {k for k in nouns if any(k in r.description_words for c in built
                                    for r in c.entry.resources.values())}
    if scope == "place" and told:
        # "the spotlights in the east gallery": only devices whose descriptions say spotlights,
        # never the fire shutter beside them
        built = [c for c in built if told <= {w for r in c.entry.resources.values()
                                              for w in r.description_words}]
    phrased = [c for c in built if any(_says_phrase(clause.text, p, catalog)
                                       for p in c.entry.label_phrases)]
    if phrased and scope != "named":
        # "kill shore power on pier A": the kind the profile's label phrase names, not the lights
        built = phrased
    built = settle_named_refusals(built, refusals, scope)
    if not built:
        if refusals:
            raise refusals[0]
        if scope == "global" and not standalone:
            return None
        raise Refusal("unrelated" if scope == "global" else "unsupported",
                      "nothing here can do that")
    if scope == "place" and all(a.method == "get" for c in built for a in c.actions):
        # "the east gallery's humidity" is the room's air, not the inside of a case there
        # (CaseRH): a reading named after its own device measures that thing, not the place
        room = [c for c in built if c.focus and not any(
            c.entry.resources[n].tokens & c.entry.words - clause.words for n in c.focus)]
        built = room or built
    everything = re.search(r"\beverything\b|\ball\s+(?:the\s+)?devices\b|所有设备|全部设备"
                           r"|都关|都开|\bthe\s+rest\b|\ball\s+(?:the\s+)?others\b", clause.text)
    switches = [c for c in built
                if all(a.values and set(a.values.values()) <= SWITCH_VALUES
                       and all(is_power_switch(c.entry.resources[k]) for k in a.values
                               if c.entry.resources[k].is_bool)
                       for a in c.actions)]
    if scope == "global":
        # with no place, "everything" may only switch things off
        switches = [c for c in switches
                    if all(set(a.values.values()) <= {"false", "off"} for a in c.actions)]
    switches_only = bool(everything and switches)
    if switches_only:
        built = switches
        # "turn everything off (in the kitchen)": every switch, whatever its strength
    elif scope == "global" and PRONOUN.search(_EXPLETIVE_IT.sub(" ", clause.text.lower())):
        raise Refusal("ambiguous", "no device is named; say which one")
    elif scope == "global":
        # with no device or place named, only a named capability may pick the device
        named_capability = [c for c in built if c.strength > 1 and not c.verb_only]
        if not named_capability:
            raise Refusal("unrelated", NOTHING)
        built = named_capability
    if "outside" in clause.words and not switches_only:
        # "the temperature outside": the reading its description calls outdoor, not an indoor
        # one whose name merely matched better
        outdoor = [c for c in built if any("outside" in r.tokens | r.description_words
                                           for r in map(c.entry.resources.get, c.focus) if r)]
        built = outdoor or built
    if not switches_only:
        best = max(c.strength for c in built)
        top_words = set().union(*(_named_words(c, clause) for c in built if c.strength >= best))
        rivals = set().union(*(_named_words(c, clause) for c in built if c.strength < best))
        # ... unless the strongest names a word no rival carries at all ("the brine setpoint"
        # beside air handlers' set points): a distinctive word, not one more spelling
        distinctive = top_words - rivals - _NOT_NAMING - RESOURCE_CONCEPTS
        close = best - 0.5 if scope == "global" and not distinctive else best
        # no device or place said: "the temperature" that several kinds of device have is not
        # the one whose resource happens to be spelled like the word (one more unmatched word
        # in a resource name is no reason), but another concept is no rival ("raise the
        # backdrop" beside a curtain raised by the verb)
        built = [c for c in built if c.strength >= best
                 or (c.strength >= close and _named_words(c, clause) & top_words)]
    built = described_choice(built, clause)
    per_place: dict[str, int] = {}
    for cand in built:
        per_place[cand.entry.place] = per_place.get(cand.entry.place, 0) + 1
    # switching several things in a place is "everything there"; with no place and no
    # group word ("turn on privacy mode" with two locks) it is ambiguous
    bulk = clause.group or (scope != "global" or switches_only) and all(
        a.values and set(a.values.values()) <= SWITCH_VALUES
        for c in built for a in c.actions) \
        or (scope == "place" and all(a.method == "get" for c in built for a in c.actions))
    measures = {(profile_unit_family(c.entry.resources[k].units) or (c.entry.resources[k].units,))[0]
                for c in built for a in c.actions for k in (a.values or {})
                if c.entry.resources[k].is_numeric}
    if clause.quantities and len(measures) > 1:
        # "set everything in the living room to 22": one number for a brightness, a position and
        # a temperature is no request any of them can take
        result.alternatives = alternatives(built)
        raise Refusal("ambiguous", "which setting? " + ", ".join(c.entry.name for c in built[:4]))
    if not bulk and (max(per_place.values()) > 1 or (scope == "global" and len(built) > 1)):
        result.alternatives = alternatives(built)
        raise Refusal("ambiguous", "several devices could be meant: "
                      + ", ".join(c.entry.name for c in built[:4]))
    return built


def _says_phrase(text: str, phrase: str, catalog: Catalog) -> bool:
    """A label phrase said as such, and not the name of a place ("the cold room")."""
    return phrase not in catalog.places and bool(
        re.search(rf"\b{re.escape(phrase)}\b", re.sub(r"[-_]", " ", text.lower())))


def _named_words(cand: Candidate, clause: Clause) -> set[str]:
    """The concept words said that the candidate's settings carry."""
    return {t for a in cand.actions for k in (a.values or {})
            for t in cand.entry.resources[k].tokens} & clause.words
