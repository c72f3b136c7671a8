"""One webhook per channel: the addresses deployed numbers already point at still answer, a
shared number routes by number and keyword, and every message text is in the catalogues."""

from __future__ import annotations

import pytest
from django.test import Client

from cpps.accounts.models import User
from cpps.audit.models import AuditEvent
from cpps.channels.models import ChannelRoute, Conversation, InboundDelivery
from cpps.channels.services import channel_route_add
from cpps.common.errors import InvalidInputError, PermissionRefusedError
from cpps.processes.models import Process
from tests.support.twilio import signed_post, sms

pytestmark = pytest.mark.django_db
PHONE = "+13125550501"


@pytest.mark.parametrize(
    "url",
    [
        "/hooks/sms/{survey}/",
        "/hooks/sms/processes/{round}/",
        "/j/chicago/panels/{panel}/register/sms/",
    ],
)
def test_every_sms_address_numbers_point_at_answers_a_signed_request(url, survey, chicago):
    ids = {
        "survey": survey.pk,
        "round": Process.objects.get(jurisdiction=chicago, kind="priority_round").pk,
        "panel": Process.objects.get(jurisdiction=chicago, kind="panel").pk,
    }
    reply = sms(url.format(**ids), "hi", phone=PHONE)
    assert "Reply 1 for English" in reply
    assert "Responda 2 para español" in reply
    assert Conversation.objects.count() == 1


def test_the_voice_address_answers_a_signed_call(survey):
    params = {"CallSid": "CA" + "5" * 32, "From": PHONE, "To": "+13125550100"}
    response = signed_post(Client(), f"/hooks/voice/{survey.pk}/", params)
    assert response.status_code == 200
    assert "<Gather" in response.content.decode()


def test_unsigned_requests_to_any_address_write_nothing(survey):
    for url in (f"/hooks/sms/{survey.pk}/", "/hooks/sms/", f"/hooks/voice/{survey.pk}/"):
        response = Client().post(url, {"MessageSid": "SM1", "From": PHONE, "Body": "1"})
        assert response.status_code == 403
    assert not InboundDelivery.objects.exists()
    assert not Conversation.objects.exists()


def test_a_shared_number_routes_by_keyword_then_by_conversation(survey, chicago, accounts):
    facilitator = accounts["facilitator"]
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    shared = "+13125550199"
    channel_route_add(
        user=facilitator, process=survey, number="(312) 555-0199", keyword_text="SAFE"
    )
    channel_route_add(user=facilitator, process=round_, number=shared, keyword_text="IDEAS")
    assert "Reply 1 for English" in sms("/hooks/sms/", "safe", phone=PHONE, to=shared)
    assert Conversation.objects.get().process == survey
    # Later messages need no keyword: the conversation is remembered.
    assert "(1/10)" in sms("/hooks/sms/", "1", phone=PHONE, to=shared)
    other = "+13125550502"
    assert "Reply 1 for English" in sms("/hooks/sms/", "ideas", phone=other, to=shared)
    assert Conversation.objects.get(process=round_).process == round_
    lost = sms("/hooks/sms/", "hello", phone="+13125550503", to=shared)
    assert "does not know what you are answering" in lost
    assert "no sabe a qué está respondiendo" in lost
    assert AuditEvent.objects.filter(action="channels.route_added").count() == 2


def test_routes_are_set_by_community_roles_and_checked(survey, accounts):
    with pytest.raises(PermissionRefusedError):
        channel_route_add(user=accounts["police_liaison"], process=survey, number="+13125550199")
    with pytest.raises(InvalidInputError, match="in full"):
        channel_route_add(user=accounts["facilitator"], process=survey, number="555")
    channel_route_add(user=accounts["facilitator"], process=survey, number="+13125550199")
    with pytest.raises(InvalidInputError, match="already lead"):
        channel_route_add(user=accounts["facilitator"], process=survey, number="3125550199")
    assert ChannelRoute.objects.count() == 1


def test_the_routes_page_works_without_javascript(survey, accounts):
    client = Client()
    client.force_login(accounts["council_member"])
    page = client.get(f"/j/chicago/processes/{survey.pk}/text-and-calls/")
    assert f"/hooks/sms/{survey.pk}/" in page.content.decode()
    added = client.post(
        f"/j/chicago/processes/{survey.pk}/text-and-calls/",
        {"number": "+1 312 555 0199", "keyword": "lights"},
    )
    assert added.status_code == 302
    route = ChannelRoute.objects.get()
    assert (route.number, route.keyword) == ("+13125550199", "LIGHTS")
    assert User.objects.filter(pk=accounts["council_member"].pk).exists()
