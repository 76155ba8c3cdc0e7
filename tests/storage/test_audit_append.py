"""Audit entries appended one per transaction (on PostgreSQL, hashed by the database) and
several per transaction (hashed here) both follow the hash rule exactly, whatever text the
entries hold: the rule is checked here from the stored entries alone."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from aiexports.services import audit
from aiexports.storage.database import open_engine, upgrade
from aiexports.storage.service_store import ServiceStore
from tests.audit_rule import walk_chain

AWKWARD = {
    "name": 'قاسم سليماني / Касем Сулеймани / 金正恩 / Zoë "Q" O\'Neil \\ tab\t',
    "emoji": "\U0001f6a2",
    "nested": {"b": [1, 2.5, None, True], "a": {"z": "", "é": "e"}},
    "number": 12345678901234,
}


def test_entries_follow_the_hash_rule_one_or_several_per_transaction(database_url: str) -> None:
    engine = open_engine(database_url)
    upgrade(engine)
    store = ServiceStore(engine)
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    actor = {"user": "u_1", "name": "Zoë", "organization": "o_1"}
    with store.transaction(now) as tx:  # one entry: the database hashes it on PostgreSQL
        tx.record(actor, "test.one", "thing", "t_1", None, AWKWARD)
    with store.transaction(now) as tx:  # two entries: hashed here, on either database
        tx.record(actor, "test.two", "thing", "t_1", AWKWARD, {"state": "b"})
        tx.record(actor, "test.three", "thing", "t_2", None, {"list": ["x", "ü"]})
    with store.transaction(now) as last:
        last.record(actor, "test.four", "thing", "t_1", {"state": "b"}, None)
    entries = list(audit.export(store))
    assert [e["action"] for e in entries][-4:] == [
        "test.one",
        "test.two",
        "test.three",
        "test.four",
    ]
    walk_chain(entries)
    # What the transaction says it chained is what was stored.
    assert last.chained == [entries[-1]]
    assert audit.verify(store).ok
    engine.dispose()


def test_writers_appending_at_once_queue_on_the_head(database_url: str) -> None:
    """Writers that wait for the head's lock append after the one they waited for (on
    PostgreSQL the append is one statement, whose snapshot predates that writer's)."""
    engine = open_engine(database_url)
    upgrade(engine)
    store = ServiceStore(engine)
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    actor = {"user": "u_1", "name": "n", "organization": "o_1"}
    start = threading.Barrier(6)

    def write(worker: int) -> None:
        start.wait()
        for number in range(15):
            with store.transaction(now) as tx:
                tx.record(actor, "test.race", "thing", f"t_{worker}_{number}", None, {"n": number})

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(write, range(6)))  # re-raises any writer's failure
    entries = list(audit.export(store))
    assert len(entries) == 90
    assert audit.verify(store).ok
    assert {e["object"]["id"] for e in entries} == {
        f"t_{w}_{n}" for w in range(6) for n in range(15)
    }
    engine.dispose()
