import hmac
from hashlib import sha256

import pytest

from cpps.engines.privacy import keyed_digest, new_process_salt, pseudonym
from cpps.engines.privacy._pseudonyms import EmptyIdentityError


def test_pseudonym_is_a_keyed_hmac_of_salt_channel_and_identity():
    expected = hmac.new(b"k", b"salt\x1flink\x1fabc", sha256).hexdigest()
    assert pseudonym(key="k", process_salt="salt", channel="link", identity="abc") == expected


def test_same_identity_gets_unlinkable_pseudonyms_in_two_processes():
    first = pseudonym(
        key="k", process_salt=new_process_salt(), channel="sms", identity="+13125550100"
    )
    second = pseudonym(
        key="k", process_salt=new_process_salt(), channel="sms", identity="+13125550100"
    )
    assert first != second


def test_pseudonym_depends_on_the_key_kept_outside_the_database():
    args = {"process_salt": "s", "channel": "sms", "identity": "+13125550100"}
    assert pseudonym(key="a", **args) != pseudonym(key="b", **args)


def test_digest_separates_purposes():
    assert keyed_digest(key="k", purpose="phone", value="1") != keyed_digest(
        key="k", purpose="address", value="1"
    )


@pytest.mark.parametrize(("key", "identity"), [("", "x"), ("k", "")])
def test_empty_key_or_identity_is_refused(key, identity):
    with pytest.raises(EmptyIdentityError):
        pseudonym(key=key, process_salt="s", channel="web", identity=identity)
