"""EdgeX service clients sharing one retry policy (only this package imports requests/tenacity)."""
from .command import CoreCommandClient
from .http import RestClient
from .metadata import MetadataClient
from .notifications import NotificationsClient
from .retry import is_transient, make_retrying

__all__ = ["CoreCommandClient", "MetadataClient", "NotificationsClient", "RestClient",
           "is_transient", "make_retrying"]
