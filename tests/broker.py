"""A real mosquitto broker on a free loopback port, for tests and benchmarks."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_mosquitto() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.path.exists(p)),
        None)


class Broker:
    """Start/stop/restart a mosquitto process bound to 127.0.0.1:<port>."""

    def __init__(self, port: int | None = None, persistence: bool = False):
        binary = find_mosquitto()
        if binary is None:
            raise RuntimeError("mosquitto is not installed (apt-get install -y mosquitto)")
        self.binary = binary
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self._dir = tempfile.mkdtemp(prefix="mosquitto-")
        self._conf = os.path.join(self._dir, "mosquitto.conf")
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true",
                 "max_queued_messages 100000", "log_dest stderr", "log_type error"]
        if persistence:
            lines += ["persistence true", f"persistence_location {self._dir}/"]
        with open(self._conf, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        self._proc: subprocess.Popen | None = None

    def start(self) -> "Broker":
        self._proc = subprocess.Popen([self.binary, "-c", self._conf],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                error = self._proc.stderr.read().decode(errors="replace")
                raise RuntimeError("mosquitto exited: " + error)
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not listen on port {self.port}")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def wait_until(condition, timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


class Listener:
    """A plain paho subscriber on the test broker, collecting (topic, JSON-decoded payload)."""

    def __init__(self, port: int, topic: str):
        import json
        import threading

        import paho.mqtt.client as mqtt

        self.messages: list = []
        self.cond = threading.Condition()

        def on_message(client, userdata, message):
            with self.cond:
                self.messages.append((message.topic, json.loads(message.payload)))
                self.cond.notify_all()

        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"listener-{free_port()}")
        self.client.on_message = on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(topic)
        self.client.loop_start()
        time.sleep(0.2)

    def has(self, predicate, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: any(predicate(t, m) for t, m in self.messages),
                                      timeout)

    def wait_for(self, predicate, timeout: float = 10):
        """The first (topic, message) matching ``predicate``; fails the test after ``timeout``."""
        assert self.has(predicate, timeout), self.messages[-5:]
        return next((t, m) for t, m in self.messages if predicate(t, m))

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
