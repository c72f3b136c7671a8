import pytest

from tests.listening.conftest import survey  # noqa: F401 - the open survey, reused here
from tests.support.twilio import TOKEN


@pytest.fixture(autouse=True)
def twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
