"""The web sign-in of spec §7: Argon2id passwords, an HttpOnly SameSite=Lax session cookie,
CSRF tokens on every form, failures slowed down per user and per address, sign-out."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from aiexports.storage.tables import users
from tests.api.conftest import Service


def _password(service: Service, who: str) -> str:
    tokens = json.loads((service.runtime.settings.home / "demo-tokens.json").read_text())
    organization, user = who.split("/")
    return str(
        next(
            t["password"] for t in tokens if t["organization"] == organization and t["user"] == user
        )
    )


def _form(service: Service) -> str:
    page = service.client.get("/login")
    assert page.status_code == 200
    assert 'label for="username"' in page.text
    assert 'label for="password"' in page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _sign_in(service: Service, username: str, password: str) -> object:
    csrf = _form(service)
    return service.client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf},
        follow_redirects=False,
    )


def test_a_user_signs_in_and_out_with_the_seeded_password(service: Service) -> None:
    who = "demo-agency/officer-1"
    with service.store.reading() as tx:
        stored = tx.one(select(users.c.password_hash).where(users.c.name == "officer-1"))
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    signed = _sign_in(service, who, _password(service, who))
    assert signed.status_code == 303  # type: ignore[attr-defined]
    cookie = signed.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "aiexports_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax")
    home = service.client.get("/")
    assert "demo-agency/officer-1" in home.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
    forged = service.client.post("/logout", data={"csrf": "nope"}, follow_redirects=False)
    assert forged.status_code == 403
    out = service.client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    # Signed out, the start page is the public menu, and a work page asks to sign in.
    assert service.client.get("/", follow_redirects=False).headers["location"] == "/menu"
    queue = service.client.get("/queue", follow_redirects=False)
    assert queue.headers["location"] == "/login?next=/queue"


def test_a_form_without_its_csrf_token_is_refused(service: Service) -> None:
    who = "demo-agency/officer-1"
    _form(service)
    refused = service.client.post(
        "/login", data={"username": who, "password": _password(service, who), "csrf": "forged"}
    )
    assert refused.status_code == 403
    assert "aiexports_session" not in refused.headers.get("set-cookie", "")


def test_repeated_failures_are_slowed_down_and_say_nothing_of_the_user(service: Service) -> None:
    moment = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    service.runtime.clock = lambda: moment  # the wait cannot run out during the test
    unknown = _sign_in(service, "demo-agency/nobody", "x")
    wrong = _sign_in(service, "demo-agency/officer-2", "x")
    assert unknown.status_code == wrong.status_code == 401  # type: ignore[attr-defined]
    assert "wrong" in wrong.text  # type: ignore[attr-defined]
    for _ in range(4):  # five failures in a row: the next attempt must wait
        _sign_in(service, "demo-agency/officer-2", "x")
    slowed = _sign_in(service, "demo-agency/officer-2", _password(service, "demo-agency/officer-2"))
    assert slowed.status_code == 429  # type: ignore[attr-defined]
    assert int(slowed.headers["retry-after"]) >= 1  # type: ignore[attr-defined]
    moment += dt.timedelta(minutes=16)  # past the longest wait: the right password works
    later = _sign_in(service, "demo-agency/officer-2", _password(service, "demo-agency/officer-2"))
    assert later.status_code == 303  # type: ignore[attr-defined]


def test_parallel_guesses_are_counted_before_any_password_is_checked(service: Service) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from aiexports.services.sessions import TooManyAttemptsError, sign_in

    moment = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)

    def guess(_: int) -> str:
        try:
            sign_in(service.store, "demo-agency/officer-1", "wrong", "10.0.0.9", moment)
        except TooManyAttemptsError:
            return "slowed"
        return "checked"

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(guess, range(40)))
    assert answers.count("checked") == 5
    assert answers.count("slowed") == 35


def test_nobody_elsewhere_can_lock_a_user_out(service: Service) -> None:
    from aiexports.services.sessions import sign_in

    moment = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    who = "demo-agency/officer-1"
    for attacker in range(12):
        sign_in(service.store, who, "wrong", f"203.0.113.{attacker}", moment)
    session = sign_in(service.store, who, _password(service, who), "198.51.100.7", moment)
    assert session is not None


def test_an_office_behind_one_address_signs_in_all_day(service: Service) -> None:
    from aiexports.services.sessions import sign_in

    moment = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    who = "demo-agency/officer-2"
    for _ in range(40):
        assert sign_in(service.store, who, _password(service, who), "192.0.2.1", moment)
        moment += dt.timedelta(minutes=5)


def test_odd_form_values_get_the_page_never_a_500(service: Service) -> None:
    _form(service)
    for data in (
        {"username": "u", "password": "p", "csrf": "é"},
        {"username": "x" * 5000, "password": "p", "csrf": "x"},
    ):
        answer = service.client.post("/login", data=data)
        assert answer.status_code == 403
        assert "<form" in answer.text
