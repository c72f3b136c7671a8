from cpps.common.memo import BriefMemo


def test_a_value_is_reused_while_fresh_and_usable_and_reloaded_otherwise():
    loads = []

    def load():
        loads.append(len(loads))
        return len(loads)

    memo = BriefMemo(seconds=60)
    assert memo.get("k", load) == 1
    assert memo.get("k", load) == 1
    assert memo.get("k", load, usable=False) == 2
    assert memo.get("other", load) == 3
    expired = BriefMemo(seconds=0)
    assert expired.get("k", load) == 4
    assert expired.get("k", load) == 5
