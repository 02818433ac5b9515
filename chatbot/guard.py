"""HTTP guards around the Gradio app: security headers, and a slowdown after wrong passwords.

Two ASGI middlewares, added when the server starts (chatbot/server.py):

- `SecurityHeaders` puts a Content-Security-Policy, X-Frame-Options,
  X-Content-Type-Options and Referrer-Policy on every response. The policy
  lets the page load only from its own origin: no remote script, style,
  font, image or connection, no framing. Gradio's page needs inline scripts
  and styles and evaluates the `js=` of events, hence 'unsafe-inline' and
  'unsafe-eval' (its template has no nonces to offer instead).
- `LoginBackoff` counts failed logins per client address. After
  `FREE_TRIES` failures each further failure doubles the wait (1 s, 2 s, …,
  at most `MAX_WAIT`) before that client may try again; a try during the
  wait, or while the same address has a try in flight, is answered 429 at
  once, with Retry-After. Nothing sleeps: the server's threads stay free for
  everyone else. A success clears the count.
Leaves out: clients behind one proxy share an address, so they share a wait.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self' blob:",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

FREE_TRIES = 3  # typos are free
FIRST_WAIT = 1.0  # seconds, after the first failure beyond the free ones
MAX_WAIT = 60.0
MAX_CLIENTS = 10_000  # addresses remembered; the oldest are forgotten first
LOGIN_PATHS = ("/login", "/login/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in (headers or HEADERS).items()]
        self._names = {k for k, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in self._names
                ]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, with_headers)


def wait_after(failures: int) -> float:
    """Seconds a client waits after its `failures`-th failed login.

    >>> [wait_after(n) for n in (1, 3, 4, 5, 6, 20)]
    [0.0, 0.0, 1.0, 2.0, 4.0, 60.0]
    """
    if failures <= FREE_TRIES:
        return 0.0
    return min(MAX_WAIT, FIRST_WAIT * 2 ** (failures - FREE_TRIES - 1))


class LoginBackoff:
    def __init__(self, app: ASGIApp, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.clock = clock
        # address → (failures, may try again at)
        self.clients: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self.trying: set[str] = set()  # one attempt at a time per address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("path") in LOGIN_PATHS
        ):
            return await self.app(scope, receive, send)
        who = (scope.get("client") or ("?", 0))[0]
        ready_at = self.clients.get(who, (0, 0.0))[1]
        now = self.clock()
        if who in self.trying or now < ready_at:  # parallel tries would dodge the count
            return await _too_many(send, ready_at - now)

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message.get("status", 0))
                if status == 200:
                    self.clients.pop(who, None)
                elif 400 <= status < 500:
                    self._failed(who)
            await send(message)

        self.trying.add(who)
        try:
            await self.app(scope, receive, watch)
        finally:
            self.trying.discard(who)

    def _failed(self, who: str) -> None:
        failures = self.clients.get(who, (0, 0.0))[0] + 1
        self.clients[who] = (failures, self.clock() + wait_after(failures))
        self.clients.move_to_end(who)
        while len(self.clients) > MAX_CLIENTS:
            self.clients.popitem(last=False)


async def _too_many(send: Send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    body = (
        f'{{"detail":"Too many failed logins from this address; try again in {seconds} s."}}'
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(seconds).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
