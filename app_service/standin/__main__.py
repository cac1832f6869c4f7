"""Run the EdgeX stand-in on its own: ``python -m app_service.standin --broker localhost:1883``.

Useful to point another EdgeX client (or this service started separately) at a fake stack.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import threading

from .standin import SERVICES, StandIn

DEFAULT_PORTS = {"core-command": 59882, "core-metadata": 59881, "core-data": 59880,
                 "support-notifications": 59860, "registry": 59890}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app_service.standin", description=__doc__)
    parser.add_argument("--profiles", default="profiles", help="profiles folder (with devices.yaml)")
    parser.add_argument("--devices", default=None, help="devices file (default: PROFILES/devices.yaml)")
    parser.add_argument("--state", default=None, help="state.json with initial values")
    parser.add_argument("--broker", default="localhost:1883", help="MQTT broker host:port ('' = no bus)")
    parser.add_argument("--base-topic", default="edgex")
    parser.add_argument("--edgex-major", type=int, choices=(3, 4), default=4)
    parser.add_argument("--interval-scale", type=float, default=1.0,
                        help="multiply every autoEvent interval (0.1 = ten times faster)")
    parser.add_argument("--random-ports", action="store_true", help="free ports instead of EdgeX's")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="level=%(levelname)s msg=%(message)s")
    host, _, port = args.broker.rpartition(":")
    state = json.load(open(args.state, encoding="utf-8")) if args.state else None
    standin = StandIn(args.profiles, args.devices, state=state,
                      broker=(host or "localhost", int(port)) if args.broker else None,
                      base_topic=args.base_topic, edgex_major=args.edgex_major,
                      event_interval_scale=args.interval_scale,
                      ports=None if args.random_ports else DEFAULT_PORTS)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with standin:
        for name in SERVICES:
            logging.info("%s listening on %s", name, standin.urls[name])
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
