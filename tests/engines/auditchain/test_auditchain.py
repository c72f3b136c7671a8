import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpps.engines.auditchain import (
    GENESIS_HASH,
    batch_digest,
    canonical_json,
    event_hash,
    link_event,
    verify_chain,
)
from cpps.engines.auditchain._chain import NonCanonicalValueError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def build_chain(bodies):
    events, head = [], None
    for body in bodies:
        head = link_event(head=head, body=body)
        events.append(head)
    return events


def test_canonical_json_sorts_keys_and_drops_spaces():
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), {1: "x"}, {"a": [float("-inf")]}])
def test_canonical_json_refuses_values_without_one_form(bad):
    with pytest.raises(NonCanonicalValueError):
        canonical_json(bad)


def test_event_hash_is_sha256_of_the_canonical_envelope():
    body = {"action": "process.created", "payload": {"n": 3}}
    envelope = {"prev_hash": GENESIS_HASH, "sequence": 1, "body": body}
    expected = hashlib.sha256(
        json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert event_hash(prev_hash=GENESIS_HASH, sequence=1, body=body) == expected


def test_an_untouched_chain_verifies_with_its_head():
    events = build_chain([{"n": n} for n in range(5)])
    result = verify_chain(events, head=(5, events[-1].hash))
    assert result.intact
    assert result.events_checked == 5


def test_altered_body_is_caught_at_that_event():
    events = build_chain([{"n": n} for n in range(5)])
    events[2] = replace(events[2], body={"n": 99})
    result = verify_chain(events, head=(5, events[-1].hash))
    assert result.first_break.sequence == 3
    assert "altered" in result.first_break.reason


def test_removed_middle_event_is_caught():
    events = build_chain([{"n": n} for n in range(5)])
    del events[1]
    result = verify_chain(events, head=(5, events[-1].hash))
    assert result.first_break.sequence == 2
    assert "missing" in result.first_break.reason


def test_removed_newest_events_are_caught_by_the_head():
    events = build_chain([{"n": n} for n in range(5)])
    head = (5, events[-1].hash)
    result = verify_chain(events[:3], head=head)
    assert not result.intact
    assert result.first_break.reason == "events 4 to 5 are missing"


def test_a_rebuilt_suffix_does_not_match_the_recorded_head():
    events = build_chain([{"n": n} for n in range(3)])
    head = (3, events[-1].hash)
    forged = [*events[:2], link_event(head=events[1], body={"n": "forged"})]
    assert not verify_chain(forged, head=head).intact


@given(
    bodies=st.lists(
        st.dictionaries(st.text(max_size=5), json_values, max_size=3), min_size=1, max_size=6
    ),
    data=st.data(),
)
def test_any_changed_body_breaks_the_chain(bodies, data):
    events = build_chain(bodies)
    index = data.draw(st.integers(0, len(events) - 1))
    new_body = data.draw(st.dictionaries(st.text(max_size=5), json_values, max_size=3))
    if canonical_json(new_body) == canonical_json(events[index].body):
        return
    events[index] = replace(events[index], body=new_body)
    assert (
        verify_chain(events, head=(len(events), events[-1].hash)).first_break.sequence == index + 1
    )


def test_batch_digest_is_sha256_over_length_prefixed_canonical_records():
    records = [{"b": 1, "a": "x"}, {"answers": [["q1", 3]]}]
    expected = hashlib.sha256()
    for record in records:
        encoded = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        expected.update(len(encoded).to_bytes(8, "big") + encoded)
    assert batch_digest(records) == expected.hexdigest()


@given(
    st.lists(
        st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=4),
        min_size=1,
        max_size=6,
    ),
    st.data(),
)
def test_batch_digest_changes_when_any_record_is_altered_dropped_or_moved(records, data):
    original = batch_digest(records)
    index = data.draw(st.integers(0, len(records) - 1))
    altered = [dict(record) for record in records]
    altered[index]["__tampered__"] = 1
    assert batch_digest(altered) != original
    assert batch_digest(records[:index] + records[index + 1 :]) != original
    if len(records) > 1 and records[0] != records[-1]:
        assert batch_digest(records[::-1]) != original or records == records[::-1]
