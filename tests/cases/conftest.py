import pytest

from tests.cases.webhook_receiver import start_receiver


@pytest.fixture
def webhook_receiver():
    """A real local HTTP receiver (tests/cases/webhook_receiver.py), shut down after the test."""
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
