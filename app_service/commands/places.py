"""Place words that name catalog places indirectly (pure): every numbered place ("both rooms" for
room 101 and room 102), a place said with a generic suffix ("laundry room" for laundry) or without
its qualifier ("the lab" for chemistry lab and biology lab)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalog import Catalog
    from .grounding import Clause


def numbered_places(body: str, catalog: Catalog, clause: Clause) -> str:
    """'both rooms', 'the guest rooms': every catalog place named '<word> <number>' ("room 101")."""
    heads: dict[str, set[str]] = {}
    for place in catalog.places:
        match = re.fullmatch(r"([a-z]+) \d+", place)
        if match:
            heads.setdefault(match.group(1), set()).add(place)
    for head, places in heads.items():
        # "both classrooms", "all the classroom lights": the plural or a quantifier says "every"
        pattern = (rf"\b(?:[a-z]+\s+)?{head}s\b"
                   rf"|\b(?:both|all|every|each)\s+(?:(?:of\s+)?the\s+)?{head}\b")
        if len(places) > 1 and re.search(pattern, body):
            clause.places.update(places)
            clause.group = True
            body = re.sub(pattern, " ", body)
    return body


def catalog_places(place: str, catalog: Catalog) -> set[str]:
    """'laundry room' where the catalog's place is 'laundry'; 'lab' where it has 'chemistry lab'
    and 'biology lab' (the device words and the group words then choose among them)."""
    head = re.sub(r"\s+(?:room|area|zone)$", "", place)
    if head != place and head in catalog.places:
        return {head}
    ending = {p for p in catalog.places if p.endswith(" " + place)}
    if ending:
        return ending
    # "the entrance" where the catalog's place is "entrance hall"
    return {p for p in catalog.places
            if re.fullmatch(rf"{re.escape(place)} (?:hall|room|area|zone|space|floor)", p)}
