"""core-metadata client: devices, profiles and profile upload."""
from __future__ import annotations

import logging
from typing import Any

from ..device_profiles import Device, DeviceProfile, parse_device, parse_profile
from ..errors import ProfileError
from .http import RestClient, path_name

log = logging.getLogger(__name__)

PAGE = 100


class MetadataClient(RestClient):
    """Reads devices and profiles from core-metadata, parsed and validated.

    An invalid record is logged and skipped (counted in ``skipped``), never allowed to hide the rest.
    """

    service = "core-metadata"

    def __init__(self, base_url: str, timeout_s: float = 5.0, **kwargs: Any):
        super().__init__(base_url, timeout_s, **kwargs)
        self.skipped = 0

    def all_profiles(self) -> list[DeviceProfile]:
        return self._parsed(self._all("/api/v3/deviceprofile/all", "profiles"), parse_profile)

    def all_devices(self) -> list[Device]:
        return self._parsed(self._all("/api/v3/device/all", "devices"), parse_device)

    def profile(self, name: str) -> DeviceProfile:
        data = self.get_json(f"/api/v3/deviceprofile/name/{path_name(name)}")["profile"]
        return parse_profile(data, f"core-metadata profile {name}")

    def device(self, name: str) -> Device:
        data = self.get_json(f"/api/v3/device/name/{path_name(name)}")["device"]
        return parse_device(data, f"core-metadata device {name}")

    def upload_profile(self, yaml_text: str, *, replace: bool = False) -> str:
        """Upload a profile YAML (multipart field ``file``); returns core-metadata's id ("" on update)."""
        response = self.request("PUT" if replace else "POST", "/api/v3/deviceprofile/uploadfile",
                                files={"file": ("profile.yaml", yaml_text.encode(), "application/x-yaml")})
        body = self.json_of(response)
        return str(body.get("id", "")) if isinstance(body, dict) else ""

    def _all(self, path: str, key: str) -> list[Any]:
        found: list[Any] = []
        while True:
            page = self.get_json(path, params={"offset": len(found), "limit": PAGE})
            batch = page.get(key) or []
            found.extend(batch)
            if not batch or len(found) >= int(page.get("totalCount", 0)):
                return found

    def _parsed(self, records: list[Any], parse: Any) -> list:
        parsed = []
        for record in records:
            name = record.get("name", "?") if isinstance(record, dict) else "?"
            try:
                parsed.append(parse(record, f"core-metadata {name}"))
            except ProfileError as err:
                self.skipped += 1
                log.warning("skipping invalid record from core-metadata: %s", err)
        return parsed
