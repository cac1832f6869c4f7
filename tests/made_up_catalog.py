"""A small made-up building for command tests: profiles and devices written inline (names, places
and words unlike the datasets'), turned into a real Catalog and Interpreter."""
from app_service.commands.catalog import Catalog
from app_service.commands.interpreter import Interpreter
from app_service.device_profiles import parse_device, parse_profile


def _res(name, value_type, rw="RW", description="", **props):
    return {"name": name, "description": description,
            "properties": {"valueType": value_type, "readWrite": rw, **props}}


def _profile(name, resources, read="State", labels=()):
    """A profile with one write command per writable resource and one read command for all."""
    commands = [{"name": r["name"], "readWrite": "W",
                 "resourceOperations": [{"deviceResource": r["name"]}]}
                for r in resources if "W" in r["properties"]["readWrite"]]
    commands.append({"name": read, "readWrite": "R", "resourceOperations": [
        {"deviceResource": r["name"]} for r in resources if "R" in r["properties"]["readWrite"]]})
    return {"name": name, "manufacturer": "T", "model": "M", "labels": list(labels),
            "deviceResources": resources, "deviceCommands": commands}


def building(profiles, devices, state, descriptions=None):
    """``run(text)`` -> the interpreter's result over the made-up building, reading ``state``;
    ``run.catalog`` is its catalog. ``devices``: (name, profile, place label, alias labels)."""
    descriptions = descriptions or {}
    parsed = {p["name"]: parse_profile(p, "test") for p in profiles}
    catalog = Catalog.from_store(parsed, {
        name: parse_device({"name": name, "profileName": profile, "serviceName": "s",
                            "labels": [place, *aliases], "description": descriptions.get(name, ""),
                            "protocols": {"other": {"Address": "1"}}}, "test")
        for name, profile, place, aliases in devices})
    interpreter = Interpreter(catalog)
    run = lambda text: interpreter.interpret(text, lambda d, c: state[d])  # noqa: E731
    run.catalog = catalog
    return run


def _set(device, command, value):
    return {"device": device, "command": command, "method": "set", "values": {command: value}}


def _actions(result):
    return sorted(([a.to_dict() for a in result.actions]), key=lambda a: (a["device"], a["command"]))
