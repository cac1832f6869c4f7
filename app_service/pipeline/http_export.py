"""HTTPExport: POST/PUT the data to an endpoint; failures can persist to store-and-forward.

Metrics as AFS: ``HttpExportSize-<url>`` (histogram of bytes sent) and ``HttpExportErrors-<url>``.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import requests

from ..edgex.secrets import insecure_secret
from ..errors import AppServiceError
from ..metrics import Metrics
from ..settings import get_duration
from .builtins import param_bool
from .context import Context, PipelineFn, to_bytes
from .registry import Parameters, register_function

log = logging.getLogger(__name__)


class ExportError(AppServiceError):
    """The export endpoint could not be reached or answered with an error status."""


def http_export(url: str, *, method: str = "post", mime_type: str = "application/json",
                persist_on_error: bool = False, continue_on_send_error: bool = False,
                return_input_data: bool = False, headers: dict[str, str] | None = None,
                timeout_s: float = 5.0, metrics: Metrics | None = None,
                session: requests.Session | None = None) -> PipelineFn:
    session = session or requests.Session()
    metrics = metrics or Metrics()
    base_headers = {"Content-Type": mime_type, **(headers or {})}

    def run(ctx: Context, data: Any) -> tuple[bool, Any]:
        body = to_bytes(data)
        target = ctx.apply_values(url)
        request_headers = {**base_headers, "X-Correlation-ID": ctx.correlation_id}
        try:
            response = session.request(method.upper(), target, data=body,
                                       headers=request_headers, timeout=timeout_s)
            failure = None if response.status_code < 300 else (
                f"{method.upper()} {target} answered {response.status_code}")
        except requests.RequestException as exc:
            response, failure = None, f"{method.upper()} {target} failed: {exc}"
        if failure is not None:
            metrics.counter(f"HttpExportErrors-{url}", {"url": url}).inc()
            if persist_on_error:
                ctx.set_retry_data(body)
            if continue_on_send_error:
                log.warning("%s (continuing)", failure,
                            extra={"correlation_id": ctx.correlation_id})
                return True, data
            raise ExportError(failure)
        metrics.histogram(f"HttpExportSize-{url}", {"url": url}).update(len(body))
        return True, (data if return_input_data else response.content)

    return run


@register_function("HTTPExport")
def _http_export(params: Parameters, app: Any) -> PipelineFn:
    url = (params.get("Url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"Url={url!r} must be an http:// or https:// URL")
    method = (params.get("Method") or "post").strip().lower()
    if method not in ("post", "put"):
        raise ValueError(f"Method={method!r} must be post or put")
    headers: dict[str, str] = {}
    raw_headers = (params.get("HttpRequestHeaders") or "").strip()
    if raw_headers:
        parsed = json.loads(raw_headers)
        if not isinstance(parsed, dict):
            raise ValueError("HttpRequestHeaders must be a JSON object")
        headers.update({str(k): str(v) for k, v in parsed.items()})
    secret_keys = [params.get(k) or "" for k in ("HeaderName", "SecretName", "SecretValueKey")]
    if any(secret_keys) and not all(secret_keys):
        raise ValueError("HeaderName, SecretName and SecretValueKey go together (all or none)")
    config = getattr(app, "config", None) or {}
    if all(secret_keys):
        header, secret_name, value_key = secret_keys
        value = insecure_secret(config, secret_name).get(value_key)
        if value is None:
            raise ValueError(f"secret {secret_name!r} has no key {value_key!r}")
        headers[header] = value
    service = config.get("Service", {}) if isinstance(config, dict) else {}
    timeout_s = get_duration(service, "RequestTimeout", "Service", default="5s") or 5.0
    return http_export(url, method=method,
                       mime_type=(params.get("MimeType") or "application/json").strip(),
                       persist_on_error=param_bool(params, "PersistOnError"),
                       continue_on_send_error=param_bool(params, "ContinueOnSendError"),
                       return_input_data=param_bool(params, "ReturnInputData"),
                       headers=headers, timeout_s=timeout_s,
                       metrics=getattr(app, "metrics", None))
