"""Serving the chat: `start` launches an app with notechat's limits, `serve` runs it.

`serve` checks who may connect (loopback, or a password elsewhere) before
anything heavy loads, opens the index, and serves on 127.0.0.1 by default.
Every launch goes through `start`: labels in both languages (gr.I18n), a
theme of system fonts (Gradio's default one fetches Google Fonts), our CSS,
the security headers and the login slowdown (chatbot/guard.py), no share
link, no SSR (it would start a Node server), the upload size cap.
Leaves out: TLS (put a reverse proxy in front to expose it beyond a LAN).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

from starlette.middleware import Middleware

from index.background import BackgroundEmbedder

from .config import Settings
from .engine import Engine
from .exposure import ServeRefused, check_serving
from .gradio_env import gr
from .guard import LoginBackoff, SecurityHeaders
from .live import engine_watcher
from .ui import I18N, build_app
from .uploads import MAX_UPLOAD_BYTES

log = logging.getLogger(__name__)

EXIT_USAGE = 2
CSS = Path(__file__).resolve().parent / "static" / "notechat.css"
FONTS = [
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Noto Sans CJK SC",
    "PingFang SC",
    "Microsoft YaHei",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
]
MONO_FONTS = [
    "ui-monospace",
    "SFMono-Regular",
    "Menlo",
    "Consolas",
    "Noto Sans Mono CJK SC",
    "DejaVu Sans Mono",
    "monospace",
]


def start(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int | None = None,
    auth: tuple[str, str] | None = None,
    prevent_thread_lock: bool = True,
) -> str:
    """Launch `demo` with the app's limits; returns its local URL."""
    _, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=auth,
        prevent_thread_lock=prevent_thread_lock,
        quiet=True,
        inbrowser=False,
        show_error=False,
        max_file_size=MAX_UPLOAD_BYTES,
        footer_links=["api", "settings"],
        ssr_mode=False,
        mcp_server=False,
        i18n=I18N,
        theme=gr.themes.Default(font=FONTS, font_mono=MONO_FONTS),
        css=CSS.read_text("utf-8"),
        app_kwargs={"middleware": [Middleware(SecurityHeaders), Middleware(LoginBackoff)]},
    )
    return url


def _fail(message: str) -> int:
    print(f"notechat: {message}", file=sys.stderr)
    return EXIT_USAGE


def _warm_up(engine: Engine) -> None:
    try:
        engine.ask("What is this note about?")
        engine.searcher.dated.read()  # which passages hold which day (~90 µs a passage once)
        from index.synonyms import groups

        groups()  # the thesaurus a Chinese question reads (0.2 s once)
    except Exception:  # only a warm-up: a real question will report the problem
        log.debug("warm-up question failed", exc_info=True)


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | None = None,
    watch: bool = True,
    embedder: BackgroundEmbedder | None = None,
) -> int:
    """Serve the chat UI until Ctrl-C; 2 for a refused host, bad --auth, a busy port or no model.

    With `watch`, the indexed folders are watched and a changed note re-indexed (index.watching).
    With `embedder` (the model loading in the background) the page is served at once and the
    first answer waits for the model.
    """
    t0 = time.perf_counter()
    try:
        creds = check_serving(host, port, auth)
    except ServeRefused as exc:
        return _fail(str(exc))
    say = lambda m: print(f"notechat: {m}", file=sys.stderr)  # noqa: E731
    engine = Engine(settings, embedder=embedder, say=say).open()
    demo = build_app(engine)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    if creds:
        print(
            f"notechat: WARNING: serving on {url}, exposed to the network (password login, no TLS)",
            file=sys.stderr,
        )
    try:
        start(demo, host, port, creds)
    except OSError as exc:
        return _fail(f"cannot listen on {host}:{port} ({exc}); choose another with --port")
    # A first answer loads whatever the embedder defers: do it now, in the
    # background, so the user's first question is quick.
    threading.Thread(target=_warm_up, args=(engine,), daemon=True).start()
    watcher = engine_watcher(engine, say) if watch else None
    notes = engine.notes()
    watching = f"; watching {len(watcher.folders)} folder(s)" if watcher else ""
    print(
        f"notechat: ready at {url} in {time.perf_counter() - t0:.1f} s — {len(notes)} note(s), "
        f"{sum(n.get('chunks', 0) for n in notes)} chunks{watching} (Ctrl-C to stop)",
        flush=True,
    )
    try:
        if embedder is not None:
            embedder.wait()  # a model that cannot load ends the server with its message
    except Exception as exc:
        demo.close()
        return _fail(str(exc))
    try:
        if watcher:
            watcher.start()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if watcher:
            watcher.stop()
        demo.close()
    return 0


if __name__ == "__main__":
    from .config import settings_from

    raise SystemExit(serve(settings_from()))
