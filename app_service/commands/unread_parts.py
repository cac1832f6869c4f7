"""A part of a named device that no word reads (把爆米花机的搅拌关掉: the popcorn machine's
stirrer) is not the device's main switch: refused as unknown rather than switching it all off."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import Entry
from .decisions import Candidate, Refusal

if TYPE_CHECKING:
    from .grounding import Clause


_SWITCH_WORDS = {"main", "power", "on", "off", "switch", "enabled", "enable", "run", "active"}


def unread_part_checked(entry: Entry, clause: Clause, built: Candidate | None) -> Candidate | None:
    """把爆米花机的搅拌关掉: a part of the named device that no word reads is not its main switch
    (a machine with a stirrer and a main switch must not be switched off whole)."""
    if built is None or not clause.unread_parts:
        return built
    for action in built.actions:
        for name in action.values or {}:
            res = entry.resources[name]
            if res.is_bool and res.tokens <= _SWITCH_WORDS:
                part = sorted(clause.unread_parts)[0]
                raise Refusal("unknown_device", f"there is no {part} on {entry.name}")
    return built
