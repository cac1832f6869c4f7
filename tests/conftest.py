import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, ROOT)

from broker import Broker  # noqa: E402

SHARED = os.environ.get("EDGEX_SHARED_DIR", os.path.join(os.path.dirname(ROOT), "shared"))


@pytest.fixture(scope="session")
def broker():
    """One real mosquitto for the whole session (tests use unique topics/client ids)."""
    b = Broker().start()
    yield b
    b.close()


@pytest.fixture
def fresh_broker():
    """A mosquitto of the test's own, for tests that stop or restart it."""
    b = Broker().start()
    yield b
    b.close()


@pytest.fixture(scope="session")
def shared_dir():
    return SHARED
