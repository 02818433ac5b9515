"""The page in a real Chromium with the real model: ask, cite, reveal, stay safe and offline.

Needs Debian's `chromium` and `fonts-noto-cjk` (`make system-deps`); Playwright's
own browser download is not used. Gradio keeps a stream open, so every wait is
for an element or a text, never for "networkidle".
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chatbot import ui

from ..conftest import ROOT
from .test_ui_api import running

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOT = ROOT / "tests" / "artifacts" / "ui.png"
XSS = "<img src=x onerror=alert(1)>"
WAIT = 60_000  # ms; an answer with the real model takes a few seconds on a busy machine


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(
            "chromium is not installed (make system-deps installs chromium and fonts-noto-cjk)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def ask(page, question: str, turn: int) -> None:
    box = page.locator("#nc-input textarea")
    box.fill(question)
    box.press("Enter")
    # The answer is done when its sources are in the panel.
    page.wait_for_selector(f"#nc-turn-{turn}", timeout=WAIT)


def test_chat_in_the_browser(browser, real_engine):
    with running(ui.build_app(real_engine)) as url:
        origin = url.rstrip("/")
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page = context.new_page()
        requests, dialogs = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)

        # The page follows the browser's language.
        page.wait_for_function(
            "document.querySelector('#nc-lang input:checked')?.value === 'zh'", timeout=WAIT
        )
        assert page.locator("#nc-send").inner_text().strip() == "发送"

        ask(page, "什么是PGC？", 1)
        chat = page.locator("#nc-chat")
        assert "[1]" in chat.locator(".nc-answer").last.inner_text()
        first = page.locator("#nc-src-1-1")
        assert "PGC" in first.locator("blockquote mark").first.inner_text()

        ask(page, "How long does Magic3D take to generate a 3D model?", 2)
        assert "[1]" in chat.locator(".nc-answer").last.inner_text()
        assert page.locator("#nc-src-2-1 blockquote mark").count() == 1
        assert page.locator("#nc-turn-1").get_attribute("open") is None  # older answer folded

        # A marker of the first answer unfolds, highlights and scrolls to its source.
        chat.locator('a.nc-cite[href="#nc-src-1-1"]').click()
        page.wait_for_selector("#nc-src-1-1.nc-active", timeout=WAIT)
        assert first.is_visible() and page.locator(".nc-source.nc-active").count() == 1
        assert first.evaluate(
            """el => { const r = el.getBoundingClientRect(),
                         p = document.getElementById('nc-sources-panel').getBoundingClientRect();
                       return r.bottom > Math.max(0, p.top)
                           && r.top < Math.min(innerHeight, p.bottom); }"""
        )
        # "Show in note" reveals the note around it, scrolled to the highlighted quote.
        first.locator("details.nc-context > summary").click()
        here = first.locator("mark.nc-here")
        here.wait_for(state="visible", timeout=WAIT)
        assert here.evaluate(
            """m => { const box = m.closest('.nc-note').getBoundingClientRect(),
                       r = m.getBoundingClientRect();
                     return r.top >= box.top - 1 && r.top < box.bottom; }"""
        )

        # The copy button copies text (with the sources), not markup.
        chat.locator(".message-buttons-left button").first.click()  # the first answer's
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "[1]" in copied and "<" not in copied and "aigc-reading-note.md:" in copied

        # HTML in a question is text, never an element.
        ask(page, XSS, 3)
        assert chat.get_by_text(XSS, exact=True).count() >= 1
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("#nc-chat img, #nc-sources-panel img").count() == 0

        # The conversation and its sources survive a reload (kept in the browser).
        page.reload()
        page.wait_for_selector("#nc-turn-3", timeout=WAIT)
        assert page.locator("#nc-chat [data-testid='user']").count() == 3
        assert page.locator("#nc-src-1-1 blockquote mark").count() == 1

        # The language switch relabels the page.
        page.locator("#nc-lang label", has_text="English").click()
        page.wait_for_function(
            "document.querySelector('#nc-send')?.innerText.trim() === 'Send'", timeout=WAIT
        )
        assert "Sources" in page.locator("#nc-sources-panel").inner_text()

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.locator("#nc-turn-2 > summary").click()
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        context.close()

    assert dialogs == []
    hosts = {urlparse(u).hostname for u in requests if not u.startswith(("data:", "blob:"))}
    assert hosts <= {"127.0.0.1", "localhost"}, f"requests off this machine: {hosts}"
    assert Path(SCREENSHOT).stat().st_size > 10_000
