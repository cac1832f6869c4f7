"""Text → actions or a refusal, grounded in the catalog (see docs/commands.md for the rules).

Deterministic parsing decides whatever it can decide reliably (numbers, units, relative amounts,
groups, named values, refusals); the language model is asked only to break a tie between
catalog-derived candidates, and only its constrained choice (one of the candidates) is used.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Callable

from . import grounding, screening
from .amounts import join_id_lists
from .capabilities import check_capabilities
from .catalog import Catalog, Entry
from .clauses import (borrow_subject, clause_pieces, is_reason_statement, says_nothing,
                      split_devices)
from .decisions import (Action, Candidate, Interpretation, Refusal, StateReader, alternatives,
                        resource_scores, set_bool_action)
from .grounding import Clause
from .motion import directed_value
from .numbers import normalise_numbers, profile_unit_family
from .phrases import drop_current_value
from .places import lettered_places
from .questions import read_candidate
from .selection import named_devices, refuse_unknown, unknown_things
from .setting import part_said, set_actions
from .settle import NOTHING as _NOTHING, PRONOUN as _PRONOUN, settle_unnamed
from .targets import other_setting_meant, valued_by_kind_word
from .unread_parts import unread_part_checked
from .timing import is_duration, is_schedule
from .verbs import said_trigger

log = logging.getLogger(__name__)


_NOT_VERBS = {"power", "on", "off", "state", "enable", "enabled", "active", "mode", "light", "door",
              "output", "switch", "open", "lock", "run", "privacy"}
_OTHERS = re.compile(r"\b(?:everything|everywhere|all)\s+else\b|\bthe\s+rest\b"
                     r"|\ball\s+(?:the\s+)?others\b|其他|其余|别的")
_NOT_IMMEDIATE = "schedules, delays and conditions are not supported; only immediate commands"
_SWITCH_ACTIONS = {"on", "off", "lock", "unlock"}


class Interpreter:
    """``interpret(text, read_state)``; ``catalog`` is a Catalog or a callable returning one."""

    def __init__(self, catalog: Catalog | Callable[[], Catalog], model: Any = None,
                 model_threshold: float = 0.6):
        self._catalog = catalog
        self._model = model
        self._threshold = model_threshold

    @property
    def catalog(self) -> Catalog:
        return self._catalog() if callable(self._catalog) else self._catalog

    def interpret(self, text: str, read_state: StateReader | None = None) -> Interpretation:
        result = Interpretation(text=text, lang=grounding.language(text))
        try:
            self._interpret(text, read_state, result)
        except Refusal as refusal:
            result.actions, result.refusal, result.message = [], refusal.reason, refusal.message
            result.alternatives = refusal.alternatives or result.alternatives
        return result

    # --- pipeline --------------------------------------------------------------------------------

    def _interpret(self, text: str, read_state: StateReader | None, result: Interpretation) -> None:
        if not text or not text.strip():
            raise Refusal("invalid", "empty request")
        if screening.is_injection(text):
            raise Refusal("injection", "the request tries to override the rules; nothing was done")
        names = frozenset(w for e in self.catalog.entries.values()
                          for w in (*e.place.split(), *e.words))
        norm = drop_current_value(normalise_numbers(lettered_places(text.strip(), self.catalog)),
                                  names)
        if screening.is_advice(norm):
            raise Refusal("unrelated", "that asks for advice, not for a reading or a setting")
        if screening.copies_another_value(norm):
            raise Refusal("unsupported", "a value copied from another device is not supported")
        if is_schedule(norm):
            raise Refusal("unsupported", _NOT_IMMEDIATE)
        catalog = self.catalog
        if is_duration(norm) and not any(
                (profile_unit_family(r.units) or ("",))[0] == "time"
                for e in catalog.entries.values() for r in e.writable()):
            raise Refusal("unsupported", "timed runs are not supported; only immediate commands")
        verbs = frozenset(t for e in catalog.entries.values() for r in e.writable()
                          if r.is_bool for t in r.tokens) - _NOT_VERBS

        def names_own_device(text: str) -> str:
            """'placed' (its own place, alias or number), 'unique' or '' (names no one device)."""
            part = grounding.analyse(text, catalog)
            try:
                found, how = named_devices(part, catalog)
            except Refusal:
                return ""
            if how != "named":
                return ""
            return "placed" if part.places or part.ids or part.aliases else (
                "unique" if len(found) == 1 else "")

        pieces = [p for piece in clause_pieces(join_id_lists(norm), verbs)
                  for p in split_devices(piece, names_own_device)]
        actions: list[Action] = []
        grounded_any = False
        context: set[str] = set()
        previous: set[str] = set()
        subject_said = False
        for piece in pieces:
            clause = grounding.analyse(piece, catalog)
            if len(pieces) > 1 and says_nothing(clause) and (clause.aliases or clause.ids):
                subject, _ = named_devices(clause, catalog)
                if len(subject) == 1:   # "charger 1: raise the current limit by 4 amps"
                    previous, subject_said = {subject[0].name}, True
                    continue
            try:
                found = self._clause_actions(clause, catalog, read_state, result,
                                             standalone=len(pieces) == 1)
            except Refusal as refusal:
                if refusal.reason != "ambiguous":
                    raise
                if clause.complaint and len(pieces) > 1 and not clause.quantities:
                    continue   # "it's chilly out here, get the heaters going": the reason only
                offered = {a.get("device") for a in refusal.alternatives or result.alternatives}
                # "set the mash tun to 67 and start the agitator": the device of the clause before
                if not borrow_subject(clause, previous, context,
                                      bool(_PRONOUN.search(clause.text)) or subject_said
                                      or bool(previous & offered)):
                    raise
                found = self._clause_actions(clause, catalog, read_state, result,
                                             standalone=len(pieces) == 1)
            if found is None and len(previous) == 1 and not clause.aliases and not clause.places \
                    and (clause.actions or clause.capability_words or clause.verb_words):
                # 把大屏打开，声音先静音: the second part says no device, so it is the same one
                clause.aliases = set(previous)
                found = self._clause_actions(clause, catalog, read_state, result,
                                             standalone=False)
            context = clause.places or context
            if found is None:
                continue
            grounded_any = True
            if _OTHERS.search(clause.text):
                # "… and everything else off": not the devices the request already named
                found = [a for a in found if a.device not in {b.device for b in actions}]
            previous = {a.device for a in found}
            for action in found:
                # a later value for the same setting is the one meant ("a bit more, make it 70")
                actions[:] = [a for a in actions if a.method == "get" or action.method == "get"
                              or (a.device, a.command) != (action.device, action.command)]
                if action not in actions:
                    actions.append(action)
        if not grounded_any or not actions:
            raise Refusal("unrelated", _NOTHING)
        result.actions = actions

    def _clause_actions(self, clause: Clause, catalog: Catalog, read_state: StateReader | None,
                        result: Interpretation, standalone: bool) -> list[Action] | None:
        """Actions for one clause; None when the clause names nothing at all (a filler clause)."""
        refuse_unknown(clause, catalog)
        candidates, scope = named_devices(clause, catalog)
        if clause.excluded is not None:
            excluded, _ = named_devices(clause.excluded, catalog)
            candidates = [c for c in candidates if c not in excluded]
        if scope == "global" and not standalone and is_reason_statement(clause.text):
            return None   # "we're closing up, disable the fuel pump": the reason, not a request
        if scope == "global" and not (clause.question or clause.actions or clause.quantities
                                      or clause.up or clause.down or clause.complaint
                                      or clause.multiplier is not None):
            if standalone:
                raise Refusal("unrelated", _NOTHING)
            return None
        unknown = unknown_things(clause, candidates, catalog, scope)
        if unknown:
            # "turn on the X-ray viewer in exam room 2": a thing no device there is, never
            # whatever else is in the room
            raise Refusal("unknown_device", f"there is no {sorted(unknown)[0]} there")
        if scope == "place" and not standalone and not (
                clause.question or clause.actions or clause.quantities or clause.up or clause.down
                or clause.complaint or clause.multiplier is not None or clause.extreme
                or clause.capability_words or clause.words & catalog.vocabulary):
            return None   # "in the kitchen, is the light on?": the place for the clauses after
        built: list[Candidate] = []
        refusals: list[Refusal] = []
        for entry in candidates:
            try:
                cand = self._device_actions(entry, clause, read_state, scope)
            except Refusal as refusal:
                if scope == "named":
                    raise
                refusals.append(refusal)
                continue
            if cand is not None:
                built.append(cand)
        if scope != "named":
            built = settle_unnamed(built, refusals, clause, scope, catalog, result, standalone)
            if built is None:
                return None
        else:
            missing = [e.name for e in candidates if not any(c.entry is e for c in built)]
            if missing:
                raise Refusal("unsupported", f"{missing[0]} cannot do that")
        result.alternatives = result.alternatives or alternatives(built)
        actions: list[Action] = []
        for cand in built:
            actions.extend(cand.actions)
            if cand.focus:
                result.focus[cand.entry.name] = cand.focus
        return actions

    # --- what to do with one device --------------------------------------------------------------

    def _device_actions(self, entry: Entry, clause: Clause, read_state: StateReader | None,
                        scope: str) -> Candidate | None:
        scores = resource_scores(entry, clause)
        check_capabilities(entry, clause)
        if clause.question:
            return read_candidate(entry, clause, scores, scope)
        writable = entry.writable()
        trigger = said_trigger(entry, clause.text, clause.actions)
        if trigger is not None:   # "give a blast on the fog horn": not its fault flag
            return Candidate(entry, [set_bool_action(entry, trigger, True)], 1.5)
        concept_best = max(scores.values(), default=0)
        if concept_best > 0:
            top = [entry.resources[n] for n, s in scores.items() if s == concept_best]
            # "the pool dosing pH": Dosing matched only by the device's own word
            top = [r for r in top if part_said(r, clause, entry)] or top
            if not any(r.set_command for r in top) and not clause.actions & _SWITCH_ACTIONS \
                    and not valued_by_kind_word(entry, clause, top) \
                    and not other_setting_meant(entry, clause, top[0], self.catalog.vocabulary):
                refusal = Refusal("read_only", f"{entry.name} {top[0].name} is read-only",
                                  named=True)
                refusal.units = top[0].units
                raise refusal
        if not writable:
            if scope == "named":
                raise Refusal("read_only", f"{entry.name} has nothing that can be set")
            return None
        directed = directed_value(entry, clause, scores)   # "raise the screen": up, not louder
        if directed is not None:
            return directed
        try:
            return unread_part_checked(entry, clause,
                                       set_actions(entry, clause, scores, read_state, scope,
                                                   self.catalog.vocabulary, self._model,
                                                   self._threshold))
        except Refusal as refusal:
            # the words named this setting and the value does not fit it: another device that
            # merely could take the number ("chlorine target to 5" → a light at 5 %) is no answer
            if refusal.reason == "out_of_range" and (concept_best > 0 or "target" in clause.words
                                                     and any("target" in r.tokens
                                                             for r in entry.writable())):
                refusal.named = True
            raise
