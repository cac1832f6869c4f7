"""Secrets from ``Writable.InsecureSecrets`` (EdgeX with the secret store off).

3.x/4.x entries are ``{SecretName, SecretData{...}}``; 2.x entries are ``{path, Secrets{...}}``.
An entry is found by its SecretName/path, or by its own key.
"""
from __future__ import annotations

from typing import Any, Mapping


def insecure_secret(config: Mapping[str, Any], secret_name: str) -> dict[str, str]:
    writable = config.get("Writable") if isinstance(config, Mapping) else None
    secrets = writable.get("InsecureSecrets") if isinstance(writable, Mapping) else None
    if not isinstance(secrets, Mapping) or not secret_name:
        return {}
    for key, entry in secrets.items():
        if not isinstance(entry, Mapping):
            continue
        name = entry.get("SecretName", entry.get("path", key))
        if name == secret_name or key == secret_name:
            data = entry.get("SecretData", entry.get("Secrets", {}))
            if isinstance(data, Mapping):
                return {str(k): "" if v is None else str(v) for k, v in data.items()}
    return {}
