"""``DeviceProfiles``: the service's view of profiles and devices.

Local files (``profiles/*.yaml`` and a devices file) are the base; what core-metadata reports is merged
over them when it is reachable (core-metadata wins a name clash: it is the system of record in a real
stack). ``refresh()`` swaps in a new snapshot atomically, so readers never see a half-merged state.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Iterable

from ..errors import AppServiceError
from .model import Device, DeviceProfile
from .parse import load_devices, load_profiles_dir

log = logging.getLogger(__name__)


class DeviceProfiles:
    """Thread-safe store of profiles and devices.

    ``metadata`` is anything with ``all_profiles()`` and ``all_devices()`` returning parsed
    ``DeviceProfile``/``Device`` lists (the ``MetadataClient``); None keeps the store local-only.
    """

    def __init__(self, profiles_dir: str | None = None, devices_file: str | None = None,
                 metadata: Any = None, *, profiles: Iterable[DeviceProfile] = (),
                 devices: Iterable[Device] = ()):
        self._local_profiles = {p.name: p for p in profiles}
        self._local_devices = {d.name: d for d in devices}
        if profiles_dir:
            self._local_profiles.update(load_profiles_dir(profiles_dir))
        if devices_file:
            self._local_devices.update(load_devices(devices_file))
        self._metadata = metadata
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._profiles = dict(self._local_profiles)
        self._devices = dict(self._local_devices)
        self.version = 0
        self.remote_ok: bool | None = None

    def refresh(self) -> bool:
        """Re-read core-metadata and merge. Returns False (keeping the last good view) when unreachable."""
        profiles, devices = dict(self._local_profiles), dict(self._local_devices)
        if self._metadata is not None:
            try:
                remote_profiles = self._metadata.all_profiles()
                remote_devices = self._metadata.all_devices()
            except AppServiceError as err:
                log.warning("core-metadata not reachable, keeping the current profiles: %s", err)
                self.remote_ok = False
                return False
            _merge(profiles, remote_profiles, "profile")
            _merge(devices, remote_devices, "device")
            self.remote_ok = True
        with self._lock:
            changed = profiles != self._profiles or devices != self._devices
            self._profiles, self._devices = profiles, devices
            if changed:
                self.version += 1
            listeners = list(self._listeners)
        if changed:
            for listener in listeners:
                try:
                    listener()
                except Exception:  # a broken listener must not stop the others
                    log.exception("device profile listener failed")
        return True

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after a refresh that changed profiles or devices."""
        with self._lock:
            self._listeners.append(listener)

    def profile(self, name: str) -> DeviceProfile | None:
        return self._profiles.get(name)

    def device(self, name: str) -> Device | None:
        return self._devices.get(name)

    def profile_of(self, device_name: str) -> DeviceProfile | None:
        device = self._devices.get(device_name)
        return self._profiles.get(device.profile_name) if device else None

    def profiles(self) -> dict[str, DeviceProfile]:
        return dict(self._profiles)

    def devices(self) -> dict[str, Device]:
        return dict(self._devices)


def _merge(target: dict, remote: Iterable, kind: str) -> None:
    for item in remote:
        local = target.get(item.name)
        if local is not None and local != item:
            log.info("%s %s from core-metadata replaces the local definition", kind, item.name)
        target[item.name] = item
