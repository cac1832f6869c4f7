"""Store-and-forward: persistence, retry, restart, MaxRetryCount, and the HTTPExport path."""
import http.server
import threading
from types import SimpleNamespace

import pytest

from app_service.edgex.dtos import Event, Reading
from app_service.errors import ConfigError
from app_service.metrics import Metrics
from app_service.pipeline import Context, Parameters, build_pipelines, registered_functions
from app_service.pipeline.runtime import PipelineRuntime
from app_service.store_forward import StoreAndForward, StoreSettings

FAST = StoreSettings(enabled=True, retry_interval_s=0.05, max_retry_count=0)


class Flaky:
    """A deliver handler that fails until told otherwise, recording what it delivered."""

    def __init__(self):
        self.up = False
        self.delivered = []

    def __call__(self, payload):
        if not self.up:
            raise ConnectionError("endpoint down")
        self.delivered.append(payload["n"])


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "sf" / "store.db")


def test_items_survive_a_restart_and_are_delivered_once(db):
    metrics = Metrics()
    store = StoreAndForward(db, FAST, metrics)
    for n in range(5):
        store.add("export", {"n": n}, f"cid-{n}")
    assert store.count() == 5 and metrics.value("StoreForwardQueueSize") == 5
    store.close()

    metrics = Metrics()
    again = StoreAndForward(db, FAST, metrics)
    assert metrics.value("StoreForwardQueueSize") == 5
    handler = Flaky()
    again.register("export", handler)
    assert again.retry_now() == 0 and again.count() == 5
    assert again.items()[0]["retry_count"] == 1
    handler.up = True
    assert again.retry_now() == 5
    assert again.retry_now() == 0
    assert handler.delivered == [0, 1, 2, 3, 4]
    assert again.count() == 0 and metrics.value("StoreForwardQueueSize") == 0
    again.close()


def test_background_loop_retries_until_delivered(db):
    store = StoreAndForward(db, FAST)
    handler = Flaky()
    store.register("export", handler)
    store.add("export", {"n": 1})
    store.start()
    try:
        threading.Event().wait(0.2)
        assert handler.delivered == [] and store.count() == 1
        handler.up = True
        deadline = threading.Event()
        for _ in range(100):
            if store.count() == 0:
                break
            deadline.wait(0.02)
        assert handler.delivered == [1] and store.count() == 0
    finally:
        store.close()


def test_max_retry_count_discards_with_a_counted_error(db, caplog):
    metrics = Metrics()
    store = StoreAndForward(db, StoreSettings(True, 1.0, 2), metrics)
    store.register("export", Flaky())
    store.add("export", {"n": 1})
    store.retry_now()
    assert store.count() == 1
    store.retry_now()
    assert store.count() == 0 and metrics.value("StoreForwardItemsDiscarded") == 1
    assert "discarded after 2 failed retries" in caplog.text
    store.close()


def test_same_item_id_is_stored_once_and_handler_sees_ids(db):
    store = StoreAndForward(db, FAST)
    seen = []
    store.register("cmd", lambda p: seen.append((p["_store_id"], p["_correlation_id"])))
    assert store.add("cmd", {"n": 1}, "c", item_id="put-1") == "put-1"
    store.add("cmd", {"n": 1}, "c", item_id="put-1")
    assert store.count() == 1
    store.retry_now()
    assert seen == [("put-1", "c")]
    store.close()


def test_items_without_a_handler_are_kept(db):
    store = StoreAndForward(db, FAST)
    store.add("unknown", {"n": 1})
    assert store.retry_now() == 0 and store.count() == 1
    store.close()


@pytest.mark.parametrize("section,key", [
    ({"RetryInterval": "500ms"}, "Writable.StoreAndForward.RetryInterval"),
    ({"MaxRetryCount": -1}, "Writable.StoreAndForward.MaxRetryCount"),
    ({"Enabled": "sometimes"}, "Writable.StoreAndForward.Enabled"),
])
def test_settings_validation(section, key):
    with pytest.raises(ConfigError) as err:
        StoreSettings.from_config({"Writable": {"StoreAndForward": section}})
    assert err.value.key == key


def test_settings_defaults_match_edgex():
    assert StoreSettings.from_config({}) == StoreSettings(False, 300.0, 10)


# --- HTTPExport + runtime: a failed export persists and is resumed at the failing function -----
class Endpoint(http.server.BaseHTTPRequestHandler):
    status = 503
    bodies: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append((self.headers["X-Correlation-ID"], body))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b'{"ok":true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    Endpoint.status, Endpoint.bodies = 503, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def event(device="Pump-1"):
    return Event("e-1", device, "Pump", "Flow", 1, [Reading(
        origin=1, device_name=device, resource_name="Flow", profile_name="Pump",
        value_type="Float64", value="1.0e+00")])


def export_runtime(url, store, metrics):
    app = SimpleNamespace(metrics=metrics, config={"Service": {"RequestTimeout": "2s"}})
    cfg = {"ExecutionOrder": "Transform, HTTPExport",
           "Functions": {"Transform": {"Parameters": {"Type": "json"}},
                         "HTTPExport": {"Parameters": {"Url": url + "/in/{devicename}",
                                                       "PersistOnError": "true"}}}}
    return PipelineRuntime(build_pipelines(cfg, app), metrics, store=store, store_enabled=True)


def test_failed_export_is_stored_and_resumed_after_restart(endpoint, db):
    metrics = Metrics()
    store = StoreAndForward(db, FAST, metrics)
    runtime = export_runtime(endpoint, store, metrics)
    base = Context(correlation_id="cid-42")
    base.values.update(devicename="Pump-1")
    outcome, = runtime.execute(base, event())
    assert outcome.result.error is not None and outcome.result.position == 1
    assert store.count() == 1
    assert metrics.value(f"HttpExportErrors-{endpoint}/in/{{devicename}}") == 1
    assert metrics.value("PipelineProcessingErrors-default-pipeline") == 1
    store.close()

    # restart: a fresh store and runtime built from the same configuration
    metrics = Metrics()
    store = StoreAndForward(db, FAST, metrics)
    export_runtime(endpoint, store, metrics)
    Endpoint.status = 200
    assert store.retry_now() == 1 and store.count() == 0
    store.retry_now()
    cids = [cid for cid, _ in Endpoint.bodies]
    assert cids == ["cid-42", "cid-42"]  # the failed try, then exactly one delivery
    assert Endpoint.bodies[-1][1] == Endpoint.bodies[0][1]
    assert metrics.value(f"HttpExportSize-{endpoint}/in/{{devicename}}") == 1
    store.close()


def test_changed_pipeline_drops_stored_item(endpoint, db, caplog):
    metrics = Metrics()
    store = StoreAndForward(db, FAST, metrics)
    export_runtime(endpoint, store, metrics).execute(
        Context(correlation_id="c", values={"devicename": "Pump-1"}), event())
    store.close()
    store = StoreAndForward(db, FAST, Metrics())
    export_runtime(endpoint + "/v2", store, Metrics())
    Endpoint.status = 200
    store.retry_now()
    assert store.count() == 0 and len(Endpoint.bodies) == 1
    assert "changed or is gone" in caplog.text
    store.close()


def test_export_continue_on_send_error_and_return_input(endpoint):
    Endpoint.status = 500
    factory = registered_functions()["HTTPExport"]
    app = SimpleNamespace(metrics=Metrics(), config={})
    fn = factory(Parameters({"Url": endpoint, "ContinueOnSendError": "true"}), app)
    assert fn(Context("c"), b"x") == (True, b"x")
    Endpoint.status = 200
    fn = factory(Parameters({"Url": endpoint, "ReturnInputData": "false"}), app)
    assert fn(Context("c"), b"x") == (True, b'{"ok":true}')


def test_export_secret_header_and_request_headers(endpoint):
    seen = []

    class Recorder(Endpoint):
        def do_POST(self):
            seen.append(dict(self.headers))
            super().do_POST()
    Endpoint.status = 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    app = SimpleNamespace(metrics=Metrics(), config={"Writable": {"InsecureSecrets": {
        "cloud": {"SecretName": "cloud", "SecretData": {"token": "Bearer abc"}}}}})
    factory = registered_functions()["HTTPExport"]
    try:
        fn = factory(Parameters({"Url": f"http://127.0.0.1:{server.server_address[1]}",
                                 "HeaderName": "Authorization", "SecretName": "cloud",
                                 "SecretValueKey": "token", "MimeType": "text/plain",
                                 "HttpRequestHeaders": '{"X-Site": "plant-1"}'}), app)
        fn(Context("cid-5"), "hello")
    finally:
        server.shutdown()
        server.server_close()
    headers = seen[0]
    assert headers["Authorization"] == "Bearer abc" and headers["X-Site"] == "plant-1"
    assert headers["Content-Type"] == "text/plain" and headers["X-Correlation-ID"] == "cid-5"
    for partial in ({"HeaderName": "A"}, {"SecretName": "cloud", "SecretValueKey": "x",
                                          "HeaderName": "A"}):
        with pytest.raises(ValueError):
            factory(Parameters({"Url": "http://x", **partial}), app)
