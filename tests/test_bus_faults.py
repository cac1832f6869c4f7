"""Fault tests on a real mosquitto: broker killed and restarted mid-stream, QoS 1 with a persistent
session loses nothing, and a restart with a non-empty store delivers everything once."""
import http.server
import json
import os
import threading
import time
import uuid
from types import SimpleNamespace

from app_service.bus import BusSettings, MessageBus, wait_for
from app_service.edgex.dtos import Event, Reading, add_event_request
from app_service.edgex.envelope import encode_envelope
from app_service.metrics import Metrics
from app_service.pipeline import build_pipelines
from app_service.pipeline.runtime import PipelineRuntime
from app_service.store_forward import StoreAndForward, StoreSettings
from app_service.trigger import MessageBusTrigger, TriggerSettings
from broker import Broker


def persistent_broker():
    """mosquitto with persistence, so sessions and queued QoS 1 messages survive a restart."""
    broker = Broker()
    lines = [f"listener {broker.port} 127.0.0.1", "allow_anonymous true",
             "max_queued_messages 100000", "persistence true",
             f"persistence_location {broker._dir}/", "autosave_interval 1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lines.insert(0, "user root")  # keep write access to the private temp dir
    with open(broker._conf, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return broker.start()


def numbered_event(n):
    return Event(f"00000000-0000-0000-0000-{n:012d}", "Pump-1", "Pump", "Flow", n, [Reading(
        origin=n, device_name="Pump-1", resource_name="Flow", profile_name="Pump",
        value_type="Int32", value=str(n))])


class Counter:
    """A pipeline function that records every event id it sees (the service's output)."""

    def __init__(self):
        self.seen = []
        self.lock = threading.Lock()

    def __call__(self, ctx, event):
        with self.lock:
            self.seen.append(int(event.readings[0].value))
        return True, event

    def distinct(self):
        with self.lock:
            return set(self.seen)


def service(broker, counter, metrics, **bus_kw):
    from app_service.pipeline.runner import Pipeline
    bus = MessageBus(BusSettings(host=broker.host, port=broker.port, reconnect_min_s=0.1,
                                 reconnect_max_s=0.5, **bus_kw), metrics)
    trigger = MessageBusTrigger(bus, PipelineRuntime([Pipeline("count", ("#",), [counter])],
                                                     metrics), TriggerSettings(), metrics)
    trigger.start()
    bus.start()
    assert bus.wait_connected(5)
    return bus, trigger


def publisher(broker, **kw):
    bus = MessageBus(BusSettings(host=broker.host, port=broker.port, reconnect_min_s=0.1,
                                 reconnect_max_s=0.5, **kw))
    bus.start()
    assert bus.wait_connected(5)
    return bus


def test_broker_restart_mid_stream_reconnects_resubscribes_and_resumes(fresh_broker):
    metrics, counter = Metrics(), Counter()
    bus, trigger = service(fresh_broker, counter, metrics)
    pub = publisher(fresh_broker)
    try:
        wait_for(lambda: False, 0.2)
        for n in range(50):
            pub.publish("edgex/events/device/a/b/c/d", event_bytes(n))
        assert wait_for(lambda: len(counter.distinct()) == 50, 5)
        fresh_broker.restart(down_seconds=0.5)
        assert wait_for(lambda: bus.connected and pub.connected, 10)
        wait_for(lambda: False, 0.3)
        for n in range(50, 100):
            pub.publish("edgex/events/device/a/b/c/d", event_bytes(n))
        # QoS 0 after a clean reconnect: everything published after it arrives
        assert wait_for(lambda: counter.distinct() >= set(range(50, 100)), 10)
        assert metrics.value("MessageBusReconnects") >= 1
    finally:
        pub.stop()
        trigger.stop()
        bus.stop()


def event_bytes(n, major=4):
    return encode_envelope(add_event_request(numbered_event(n)), edgex_major=major,
                           correlation_id=str(uuid.uuid4()))


def test_qos1_persistent_session_loses_nothing_across_a_broker_restart():
    broker = persistent_broker()
    metrics, counter = Metrics(), Counter()
    session = dict(qos=1, clean_session=False)
    bus, trigger = service(broker, counter, metrics,
                           client_id=f"svc-{uuid.uuid4().hex[:6]}", **session)
    pub = publisher(broker, client_id=f"pub-{uuid.uuid4().hex[:6]}", **session)
    total = 400
    try:
        wait_for(lambda: False, 0.3)
        for n in range(total):
            pub.publish("edgex/events/device/a/b/c/d", event_bytes(n, major=3 if n % 2 else 4))
            if n == total // 2:
                broker.stop()  # killed mid-stream: the publisher queues, the service waits
                assert wait_for(lambda: not bus.connected, 5)
            if n == total * 3 // 4:
                time.sleep(0.3)
                broker.start()
        assert wait_for(lambda: counter.distinct() == set(range(total)), 30), \
            f"missing {sorted(set(range(total)) - counter.distinct())[:20]}"
        assert metrics.value("InvalidMessagesReceived") == 0
        assert metrics.value("MessagesDropped") == 0
    finally:
        pub.stop()
        trigger.stop()
        bus.stop()
        broker.close()


class Endpoint(http.server.BaseHTTPRequestHandler):
    up = False
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if not type(self).up:
            self.send_response(503)
        else:
            type(self).received.append(json.loads(body)["readings"][0]["value"])
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_export_endpoint_down_then_service_restart_delivers_every_event_once(fresh_broker,
                                                                             tmp_path):
    Endpoint.up, Endpoint.received = False, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/ingest"
    cfg = {"ExecutionOrder": "Transform, HTTPExport",
           "Functions": {"Transform": {"Parameters": {"Type": "json"}},
                         "HTTPExport": {"Parameters": {"Url": url, "PersistOnError": "true"}}}}
    db = str(tmp_path / "store.db")
    settings = StoreSettings(enabled=True, retry_interval_s=0.1, max_retry_count=0)

    def start_service():
        metrics = Metrics()
        app = SimpleNamespace(metrics=metrics, config={"Service": {"RequestTimeout": "2s"}})
        store = StoreAndForward(db, settings, metrics)
        runtime = PipelineRuntime(build_pipelines(cfg, app), metrics, store=store,
                                  store_enabled=True)
        bus = MessageBus(BusSettings(host=fresh_broker.host, port=fresh_broker.port), metrics)
        trigger = MessageBusTrigger(bus, runtime, TriggerSettings(), metrics)
        trigger.start()
        bus.start()
        assert bus.wait_connected(5)
        return metrics, store, bus, trigger

    metrics, store, bus, trigger = start_service()
    pub = publisher(fresh_broker)
    try:
        wait_for(lambda: False, 0.2)
        for n in range(30):
            pub.publish("edgex/events/device/a/b/c/d", event_bytes(n))
        assert wait_for(lambda: store.count() == 30, 10)
        assert metrics.value("PipelineProcessingErrors-default-pipeline") == 30
        trigger.stop()
        bus.stop()
        store.close()  # the process goes down with 30 items stored

        Endpoint.up = True
        metrics, store, bus, trigger = start_service()
        assert store.count() == 30
        store.start()
        assert wait_for(lambda: store.count() == 0, 10)
        time.sleep(0.3)  # a few more retry passes: nothing may be sent twice
        assert sorted(map(int, Endpoint.received)) == list(range(30))
        assert metrics.value("StoreForwardQueueSize") == 0
    finally:
        pub.stop()
        trigger.stop()
        bus.stop()
        store.close()
        server.shutdown()
        server.server_close()


def test_request_response_works_again_after_a_broker_restart(fresh_broker):
    from app_service.edgex.envelope import decode_envelope
    server = publisher(fresh_broker)
    client = publisher(fresh_broker)

    def answer(topic, raw):
        env = decode_envelope(raw, topic)
        server.publish(server.full_topic(f"response/core-command/{env.request_id}"),
                       encode_envelope({"statusCode": 200}, request_id=env.request_id))
    server.subscribe(server.full_topic("core/command/request/#"), answer)
    try:
        wait_for(lambda: False, 0.2)
        topic = client.full_topic("core/command/request/D/C/get")
        assert client.request(topic, response_service="core-command", timeout=5).error_code == 0
        fresh_broker.restart(down_seconds=0.3)
        assert wait_for(lambda: client.connected and server.connected, 10)
        wait_for(lambda: False, 0.3)
        assert client.request(topic, response_service="core-command", timeout=5).error_code == 0
    finally:
        client.stop()
        server.stop()
