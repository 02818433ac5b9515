"""Security headers on every response, and the slowdown after wrong passwords (chatbot/guard.py)."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from chatbot import guard, ui

from .test_ui_api import make_engine, running

EXPECTED = {
    "content-security-policy": guard.CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return make_engine(tmp_path_factory.mktemp("guard"))


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def check_headers(headers: dict) -> None:
    low = {k.lower(): v for k, v in headers.items()}
    for name, value in EXPECTED.items():
        assert low.get(name) == value, f"{name}: {low.get(name)!r}"


def test_every_kind_of_response_carries_the_headers(engine):
    with running(ui.build_app(engine)) as url:
        api = url + "gradio_api/"
        post = json.dumps({"data": ["什么是PGC？", [], None, None]}).encode()  # + folder, tag
        status, headers, body = fetch(api + "call/ask", post, {"content-type": "application/json"})
        assert status == 200
        event = json.loads(body)["event_id"]
        responses = {
            "page": fetch(url),
            "config": fetch(url + "config"),
            "theme": fetch(url + "theme.css"),
            "api call": (status, headers, body),
            "event stream": fetch(api + f"call/ask/{event}"),
            "not found": fetch(url + "no/such/file"),
            "bad request": fetch(api + "call/ask", b"{", {"content-type": "application/json"}),
        }
    assert responses["not found"][0] == 404 and responses["bad request"][0] >= 400
    assert b"event: complete" in responses["event stream"][2]
    for name, (_, headers, _) in responses.items():
        try:
            check_headers(headers)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None


def test_csp_allows_only_this_origin():
    policy = dict(d.split(" ", 1) for d in guard.CSP.split("; "))
    assert policy["default-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert policy["img-src"] == "'self' data: blob:"  # no remote images, even in notes
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "http" not in guard.CSP and "*" not in guard.CSP


# --- the slowdown after wrong passwords -------------------------------------------


class FakeApp:
    """An ASGI app answering a login: 200 for the right password, 400 otherwise."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        body = (await receive())["body"]
        ok = b"password=right" in body
        await send({"type": "http.response.start", "status": 200 if ok else 400, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def login(mw, password: str, client: str = "10.0.0.1") -> tuple[int, dict]:
    sent = []

    async def receive():
        return {"type": "http.request", "body": f"username=a&password={password}".encode()}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/login", "client": (client, 1)}
    asyncio.run(mw(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start.get("headers", [])}


def test_wrong_passwords_make_that_client_wait_longer_and_longer():
    now = [1000.0]
    app = FakeApp()
    mw = guard.LoginBackoff(app, clock=lambda: now[0])
    assert [login(mw, "bad")[0] for _ in range(guard.FREE_TRIES)] == [400] * guard.FREE_TRIES
    waits = []
    for _ in range(4):
        assert login(mw, "bad")[0] == 400  # this failure starts a wait…
        status, headers = login(mw, "right")
        assert status == 429  # …during which even the right password is not tried
        waits.append(int(headers["retry-after"]))
        now[0] += waits[-1]
    assert waits == [1, 2, 4, 8]
    assert app.calls == guard.FREE_TRIES + 4  # a refused try never reached the app
    assert login(mw, "bad", client="10.0.0.2")[0] == 400  # other clients are not slowed
    assert login(mw, "right")[0] == 200
    assert "10.0.0.1" not in mw.clients  # a success clears the count


def test_the_wait_is_capped_and_other_paths_pass():
    assert guard.wait_after(100) == guard.MAX_WAIT
    app = FakeApp()
    mw = guard.LoginBackoff(app, clock=lambda: 0.0)
    mw.clients["10.0.0.1"] = (99, 10**9)
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "POST", "path": "/gradio_api/queue/join"}
    asyncio.run(mw({**scope, "client": ("10.0.0.1", 1)}, receive, send))
    assert app.calls == 1 and sent[0]["status"] == 400


@pytest.mark.slow
def test_the_served_login_slows_down(engine, monkeypatch):
    monkeypatch.setattr(guard, "FREE_TRIES", 1)
    monkeypatch.setattr(guard, "FIRST_WAIT", 3600.0)  # no machine is that slow between tries

    def attempt(url: str, password: str) -> int:
        form = urllib.parse.urlencode({"username": "alice", "password": password}).encode()
        return fetch(url + "login", form)[0]

    with running(ui.build_app(engine), auth=("alice", "s3cret")) as url:
        assert attempt(url, "wrong") == 400
        assert attempt(url, "wrong") == 400  # the second failure starts an hour's wait
        assert attempt(url, "s3cret") == 429
        status, headers, _ = fetch(url + "config")
        check_headers(headers)
