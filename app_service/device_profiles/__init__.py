"""EdgeX device profiles and devices: dataclasses, validating loaders and the merged store."""
from .model import (FLOAT_TYPES, INTEGER_TYPES, READ_WRITE, VALUE_TYPES, AutoEvent, Device,
                    DeviceCommand, DeviceProfile, DeviceResource, ResourceOperation,
                    ResourceProperties, allowed_values, go_duration_seconds)
from .parse import load_devices, load_profiles_dir, parse_device, parse_profile
from .store import DeviceProfiles

__all__ = [
    "AutoEvent", "Device", "DeviceCommand", "DeviceProfile", "DeviceProfiles", "DeviceResource",
    "FLOAT_TYPES", "INTEGER_TYPES", "READ_WRITE", "ResourceOperation", "ResourceProperties",
    "VALUE_TYPES", "allowed_values", "go_duration_seconds", "load_devices", "load_profiles_dir",
    "parse_device", "parse_profile",
]
