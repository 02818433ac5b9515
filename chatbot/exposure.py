"""Who may reach the server: loopback by default, a password anywhere else.

Checked before the UI (and gradio, slow to import) loads, so a refusal is
immediate. Like Jupyter and Gradio, notechat binds to 127.0.0.1; another
host is refused unless `--auth USER:PASS` (or a file holding it) is given.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path


class ServeRefused(ValueError):
    """The server will not start; the message says why and what to do."""


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything, treat it as exposed


def parse_auth(value: str) -> tuple[str, str]:
    """USER:PASS, or the path of a file whose first line is USER:PASS."""
    text = value
    if os.path.isfile(value):
        lines = [ln.strip() for ln in Path(value).read_text("utf-8").splitlines() if ln.strip()]
        text = lines[0] if lines else ""
    user, sep, password = text.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError("--auth must be USER:PASS, or a file holding USER:PASS")
    return user.strip(), password


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on host:port (as the server would bind it)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        return False  # let the server report the bad host
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def check_serving(host: str, port: int, auth: str | None) -> tuple[str, str] | None:
    """The credentials to require, or ServeRefused (exposed without auth, busy port)."""
    try:
        creds = parse_auth(auth) if auth else None
    except (ValueError, OSError) as exc:
        raise ServeRefused(str(exc)) from None
    if not is_loopback(host) and creds is None:
        raise ServeRefused(
            f"refusing to serve on {host}: it is reachable from other machines; "
            "give --auth USER:PASS (or a file holding it), or use --host 127.0.0.1"
        )
    if port_in_use(host, port):
        raise ServeRefused(f"port {port} on {host} is already in use; choose another with --port")
    return creds
