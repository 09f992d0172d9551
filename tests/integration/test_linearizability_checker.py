"""The linearizability checker (linearizability.py) on hand-made histories: histories a correct
register produces are accepted, stale reads, lost writes and unread writes are caught, ambiguous
(failed) writes may take effect or not, and a violation is shown by a short sub-history. No server:
these run in milliseconds."""

from __future__ import annotations

import random

import pytest

from linearizability import (DELETE, GET, LIST, PUT, Operation, check, final_values, is_linearizable, per_key,
                              shortest_violation)


def put(client, key, value, start, end):
    return Operation(client, PUT, key, start, end, value)


def get(client, key, value, start, end):
    return Operation(client, GET, key, start, end, value)


def delete(client, key, start, end):
    return Operation(client, DELETE, key, start, end)


def listing(client, prefix, keys, start, end):
    return Operation(client, LIST, None, start, end, prefix=prefix, listed=frozenset(keys))


def ok(history, keys=("k",)):
    return check(history, keys).ok


def test_sequential_reads_see_the_last_write():
    assert ok([put(1, "k", "a", 0, 1), get(2, "k", "a", 2, 3), put(1, "k", "b", 4, 5), get(2, "k", "b", 6, 7)])
    assert ok([get(1, "k", None, 0, 1), put(1, "k", "a", 2, 3), delete(2, "k", 4, 5), get(1, "k", None, 6, 7)])


def test_a_stale_read_after_a_completed_overwrite_is_a_violation():
    verdict = check([put(1, "k", "a", 0, 1), put(2, "k", "b", 2, 3), get(3, "k", "a", 4, 5)], ["k"])
    assert not verdict.ok
    assert "GET k -> 'a'" in verdict.report() and "key 'k' is not linearizable" in verdict.report()


def test_a_read_of_absence_after_a_completed_write_is_a_violation():
    assert not ok([put(1, "k", "a", 0, 1), get(2, "k", None, 2, 3)])
    assert not ok([put(1, "k", "a", 0, 1), delete(1, "k", 2, 3), get(2, "k", "a", 4, 5)])


def test_a_read_of_a_value_nobody_wrote_is_a_violation():
    assert not ok([put(1, "k", "a", 0, 1), get(2, "k", "z", 2, 3)])


def test_concurrent_operations_may_take_effect_in_either_order():
    # The write overlaps both reads: absent then a is fine...
    assert ok([put(1, "k", "a", 0, 10), get(2, "k", None, 1, 2), get(3, "k", "a", 3, 4)])
    # ...but once a read returned the new value, a later read cannot return the old one.
    assert not ok([put(1, "k", "a", 0, 10), get(2, "k", "a", 1, 2), get(3, "k", None, 3, 4)])
    # Two overlapping writes: a later read may see either, two later reads the same one.
    assert ok([put(1, "k", "a", 0, 5), put(2, "k", "b", 1, 6), get(3, "k", "a", 7, 8)])
    assert ok([put(1, "k", "a", 0, 5), put(2, "k", "b", 1, 6), get(3, "k", "b", 7, 8)])
    assert not ok([put(1, "k", "a", 0, 5), put(2, "k", "b", 1, 6), get(3, "k", "b", 7, 8), get(3, "k", "a", 9, 10)])


def test_a_failed_write_may_take_effect_later_or_never():
    failed = put(1, "k", "a", 0, None)
    assert ok([failed, get(2, "k", None, 1, 2)])
    assert ok([failed, get(2, "k", None, 1, 2), get(2, "k", "a", 100, 101)])  # after the client gave up
    assert ok([put(2, "k", "b", 0, 1), failed, get(3, "k", "b", 5, 6)])
    # Once it was seen, it cannot be unseen without another write.
    assert not ok([failed, get(2, "k", "a", 1, 2), get(2, "k", None, 3, 4)])
    assert not ok([put(1, "k", "a", 0, None), get(2, "k", "b", 1, 2)])


def test_a_failed_read_says_nothing():
    assert ok([put(1, "k", "a", 0, 1), get(2, "k", None, 2, None), get(2, "k", "a", 3, 4)])


def test_listings_are_reads_of_each_keys_presence():
    keys = ["p/a", "p/b", "q"]
    assert check([put(1, "p/a", "1", 0, 1), listing(2, "p/", ["p/a"], 2, 3)], keys).ok
    # A completed write not listed afterwards, or a completed delete still listed: violations.
    late = check([put(1, "p/a", "1", 0, 1), listing(2, "p/", [], 2, 3)], keys)
    assert list(late.violations) == ["p/a"]
    assert "LIST 'p/' -> p/a not listed" in late.report()
    assert not check([put(1, "p/b", "1", 0, 1), delete(1, "p/b", 2, 3), listing(2, "p/", ["p/b"], 4, 5)], keys).ok
    # A key outside the prefix is not read by the listing.
    assert check([put(1, "q", "1", 0, 1), listing(2, "p/", [], 2, 3)], keys).ok
    split = per_key([listing(2, "p/", ["p/a"], 2, 3)], keys)
    assert [op.value for op in split["p/a"]] == [True] and [op.value for op in split["p/b"]] == [False] and split["q"] == []


def test_an_operation_on_an_unknown_key_is_refused():
    with pytest.raises(ValueError):
        check([put(1, "other", "a", 0, 1)], ["k"])


def test_the_violation_shown_is_short():
    # A long, correct history of one writer and one reader, then one stale read.
    history, t = [], 0.0
    for n in range(60):
        history.append(put(1, "k", f"v{n}", t, t + 1))
        history.append(get(2, "k", f"v{n}", t + 2, t + 3))
        t += 4
    history.append(get(3, "k", "v10", t, t + 1))
    verdict = check(history, ["k"])
    assert not verdict.ok
    shown = verdict.violations["k"]
    # Nothing was in flight when the stale read began: what came before is summed up as the one
    # value it can have left, and the read alone shows the violation.
    assert shown.ops == [history[-1]] and shown.start_values == {"v59"} and shown.earlier == 120
    assert "after 120 earlier operations" in verdict.report() and "held one of: 'v59'" in verdict.report()


def test_the_shortest_prefix_stops_at_the_first_violation():
    history = [put(1, "k", "a", 0, 1), get(2, "k", None, 2, 3)]
    history += [put(1, "k", f"later-{n}", 10 + n, 10.5 + n) for n in range(30)]
    shown = shortest_violation(history)
    assert (shown.ops, shown.start_values, shown.earlier) == ([history[1]], {"a"}, 1)


def test_overlapping_operations_are_kept_together():
    # The writes overlap the reads: no instant with nothing in flight separates them.
    history = [put(1, "k", "a", 0, 10), put(2, "k", "b", 0, 10), get(3, "k", "a", 1, 2), get(3, "k", "b", 3, 4),
               get(4, "k", "a", 5, 6)]
    shown = shortest_violation(history)
    assert shown.earlier == 0 and shown.start_values == {None}
    assert [op.kind for op in shown.ops] == [PUT, PUT, GET, GET, GET]


def test_the_values_a_history_may_leave():
    assert final_values([put(1, "k", "a", 0, 5), put(2, "k", "b", 1, 6)]) == {"a", "b"}
    assert final_values([put(1, "k", "a", 0, 5), put(2, "k", "b", 1, 6), get(3, "k", "b", 7, 8)]) == {"b"}
    assert final_values([put(1, "k", "a", 0, 1), delete(2, "k", 2, 3)]) == {None}
    assert final_values([put(1, "k", "a", 0, 2), delete(2, "k", 1, 3)]) == {"a", None}
    assert final_values([put(1, "k", "a", 0, 1), get(2, "k", "z", 2, 3)]) == set()


def test_many_concurrent_writes_are_searched_with_memoisation():
    """Twelve overlapping writes and a read of a value none of them wrote: the search must try
    every order of the writes before it gives up; memoised, it visits each subset once."""
    history = [put(n, "k", f"w{n}", 0, 100) for n in range(12)] + [get(99, "k", "never", 101, 102)]
    assert not is_linearizable(history)
    assert is_linearizable(history[:-1] + [get(99, "k", "w7", 101, 102)])


def test_histories_of_a_real_register_are_accepted():
    """Seeded random histories made by a correct register: each operation takes effect at a random
    instant inside its interval, on one shared register per key; some writes 'fail' (the client
    sees an error) but took effect, or failed and did not."""
    for seed in range(40):
        rng = random.Random(seed)
        keys = ["x", "y"]
        effects = []  # (instant, client, kind, key, value, start, end)
        for client in range(4):
            t = rng.random()
            for n in range(12):
                start = t
                end = start + rng.uniform(0.01, 2.0)
                effects.append((rng.uniform(start, end), client, rng.choice([PUT, PUT, GET, GET, DELETE, LIST]),
                                rng.choice(keys), f"c{client}-{n}", start, end))
                t = end + rng.uniform(0, 0.5)
        state = {key: None for key in keys}
        history = []
        for instant, client, kind, key, value, start, end in sorted(effects):
            if kind == PUT:
                failed, took_effect = rng.random() < 0.1, rng.random() < 0.5
                if not failed or took_effect:
                    state[key] = value
                history.append(put(client, key, value, start, None if failed else end))
            elif kind == DELETE:
                state[key] = None
                history.append(delete(client, key, start, end))
            elif kind == GET:
                history.append(get(client, key, state[key], start, end))
            else:
                history.append(listing(client, "", [k for k in keys if state[k] is not None], start, end))
        verdict = check(history, keys)
        assert verdict.ok, f"seed {seed}:\n{verdict.report()}"
