"""support-notifications client: ``POST /api/v3/notification`` with AddNotificationRequest."""
from __future__ import annotations

import uuid
from typing import Any

from ..errors import CommandError
from .http import RestClient

SEVERITIES = ("MINOR", "NORMAL", "CRITICAL")


class NotificationsClient(RestClient):
    service = "support-notifications"

    def send(self, notification: dict[str, Any], *, correlation_id: str = "") -> str:
        """Send one notification (``category``/``labels``, ``content``, ``sender``, ``severity``, …);
        returns the id support-notifications assigned.

        Checked here first (same rules as EdgeX's DTO) so a bad call fails clearly, not as a 400 later.
        """
        missing = [k for k in ("content", "sender") if not notification.get(k)]
        if missing:
            raise ValueError(f"notification needs {', '.join(missing)}")
        if notification.get("severity") not in SEVERITIES:
            raise ValueError(f"notification severity must be one of {', '.join(SEVERITIES)}")
        if not notification.get("category") and not notification.get("labels"):
            raise ValueError("notification needs a category or labels")
        body = {"contentType": "text/plain", **notification}
        request = [{"apiVersion": "v3", "requestId": str(uuid.uuid4()), "notification": body}]
        # Retrying a POST after a timeout could notify twice; only certain-not-sent failures retry.
        response = self.request("POST", "/api/v3/notification", json=request, idempotent=False,
                                correlation_id=correlation_id)
        results = self.json_of(response) or []
        result = results[0] if isinstance(results, list) and results else {}
        status = int(result.get("statusCode", response.status_code))
        if status >= 400:
            raise CommandError(f"support-notifications refused the notification: "
                               f"{result.get('message', '')}", status)
        return str(result.get("id", ""))
