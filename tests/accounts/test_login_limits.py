"""The sign-in limit counts an account however its name is typed."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "variant",
    [
        " demo-facilitator",
        "\tdemo-facilitator",
        "\N{FULLWIDTH LATIN SMALL LETTER D}emo-facilitator",
        "demo-facilitator ",
    ],
)
def test_spellings_of_one_user_name_share_one_limit(settings, accounts, variant):
    settings.LOGIN_RATE = "3/m"
    for n in range(3):
        response = Client(REMOTE_ADDR=f"203.0.113.{n}").post(
            "/accounts/login/", {"username": "demo-facilitator", "password": "wrong"}
        )
        assert response.status_code == 200
    blocked = Client(REMOTE_ADDR="203.0.113.99").post(
        "/accounts/login/", {"username": variant, "password": "cpps-demo-facilitator"}
    )
    assert blocked.status_code == 429
