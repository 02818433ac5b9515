"""The UI server: `/ask` through gradio_client, the chat function, `serve`'s refusals."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from chatbot import chat, exposure, server, ui
from chatbot.config import Settings
from chatbot.engine import Engine

from ..conftest import SEED_NOTE, FakeEmbedder


def make_engine(root: Path) -> Engine:
    notes = root / "notes"
    notes.mkdir(parents=True)
    shutil.copy(SEED_NOTE, notes / "aigc.md")
    settings = Settings(index_dir=root / "index", notes=(str(notes),), upload_dir=root / "uploads")
    return Engine(settings, embedder=FakeEmbedder(), say=lambda m: None).open()


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    return make_engine(tmp_path_factory.mktemp("ui-api"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(demo: gr.Blocks, auth: tuple[str, str] | None = None) -> Iterator[str]:
    """`demo` served as `serve` serves it, on a free loopback port."""
    url = server.start(demo, "127.0.0.1", free_port(), auth)
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def url(engine) -> Iterator[str]:
    with running(ui.build_app(engine)) as u:
        yield u


@pytest.fixture(scope="module")
def client(url) -> Client:
    return Client(url, verbose=False)


def check_verbatim(result: dict, notes: dict[str, str]) -> None:
    for c in result["citations"]:
        assert notes[c["note"]][c["start"] : c["end"]] == c["quote"]
    for p in result["passages"]:
        assert notes[p["note"]][p["start"] : p["end"]] == p["text"]


def test_ask_returns_the_cli_json(client, engine):
    r = client.predict("什么是PGC？", [], api_name="/ask")
    assert set(r) >= {"id", "question", "answer", "lead", "kind", "confidence", "citations"}
    assert r["question"] == "什么是PGC？" and r["confidence"] in ("high", "low", "none")
    assert set(r["passages"][0]["scores"]) == {"lexical", "dense", "fused"}
    check_verbatim(r, engine.searcher.loaded.notes)


def test_history_as_list_or_json(client):
    a = client.predict("它是什么？", ["什么是PGC？"], api_name="/ask")
    b = client.predict("它是什么？", '["什么是PGC？"]', api_name="/ask")
    assert a["answer"] == b["answer"]
    with pytest.raises(Exception, match="history"):
        client.predict("它是什么？", "{not json", api_name="/ask")


def test_empty_question_is_a_message_not_a_crash(client):
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", [], api_name="/ask")
    assert client.predict("What is UGC?", [], api_name="/ask")["question"] == "What is UGC?"


def test_only_ask_and_upload_are_public(client):
    assert set(client.view_api(return_format="dict", print_info=False)["named_endpoints"]) == {
        "/ask",
        "/add_notes",
    }


def test_page_loads_no_web_fonts(url):
    page = urllib.request.urlopen(url, timeout=60).read().decode()
    theme = urllib.request.urlopen(url + "theme.css", timeout=60).read().decode()
    assert "fonts.googleapis" not in page + theme and "system-ui" in theme


def test_overload_says_busy(tmp_path):
    engine = make_engine(tmp_path)
    ask, started, release = engine.ask, threading.Event(), threading.Event()

    def held(*args, **kw):  # the one worker is busy until the test lets it go
        started.set()
        release.wait()
        return ask(*args, **kw)

    engine.ask = held
    try:
        with running(ui.build_app(engine, concurrency=1, queue_size=1)) as u:
            c = Client(u, verbose=False)
            # The first question is running before the others come: were all four to arrive
            # before the worker took one, the slot would hold one and three be refused.
            jobs = [c.submit("什么是PGC？", [], api_name="/ask")]
            assert started.wait(120), "the first question never started"  # only a hang
            jobs += [c.submit("什么是PGC？", [], api_name="/ask") for _ in range(3)]
            while sum(j.done() for j in jobs) < 2:  # one runs, one waits: two are refused
                time.sleep(0.01)
            release.set()
            outcomes = []
            for job in jobs:
                try:
                    outcomes.append(job.result()["question"])
                except Exception as exc:
                    outcomes.append(str(exc))
    finally:
        release.set()
    refused = [o for o in outcomes if "full" in o.lower()]
    assert len(refused) == 2 and outcomes.count("什么是PGC？") == 2, outcomes


@pytest.mark.slow
def test_real_answer_cites_verbatim(real_engine):
    with running(ui.build_app(real_engine)) as u:
        r = Client(u, verbose=False).predict("什么是PGC？", [], api_name="/ask")
    # How sure the engine is belongs to its own tests; here: a quote, cited, verbatim.
    assert "[1]" in r["answer"] and r["confidence"] in ("high", "low")
    assert r["citations"] and "PGC" in r["citations"][0]["quote"]
    check_verbatim(r, real_engine.searcher.loaded.notes)


# --- the functions behind the page ---------------------------------------------


def test_every_asked_question_is_answered_in_order_with_its_history(engine):
    asked = [{"id": "a", "q": "什么是PGC？"}, {"id": "b", "q": "它和UGC有什么不同？"}]
    seen = []
    ask = engine.ask

    def spy(question, history=(), *a, **kw):
        seen.append((question, list(history)))
        return ask(question, history, *a, **kw)

    engine.ask = spy
    try:
        answers = chat.answer_pending(engine, asked, {})
        assert seen == [("什么是PGC？", []), ("它和UGC有什么不同？", ["什么是PGC？"])]
        again = chat.answer_pending(engine, asked + [{"id": "c", "q": "What is UGC?"}], answers)
    finally:
        engine.ask = ask
    assert seen[-1] == ("What is UGC?", ["什么是PGC？", "它和UGC有什么不同？"]) and len(seen) == 3
    assert list(again) == ["a", "b", "c"] and again["a"] == answers["a"]
    assert again["c"]["language"] == "en" and again["c"]["question"] == "What is UGC?"
    # Answers of questions no longer asked (the chat was cleared) are dropped.
    assert list(chat.answer_pending(engine, [{"id": "c", "q": "What is UGC?"}], again)) == ["c"]


def test_a_question_the_engine_refuses_is_answered_with_why(engine):
    answers = chat.answer_pending(engine, [{"id": "a", "q": "\x00\x01"}], {})
    assert answers["a"]["kind"] == "refused" and "empty" in answers["a"]["lead"]


def test_page_draws_chat_and_sources_from_storage(engine):
    asked = [{"id": "a", "q": "什么是PGC？"}, {"id": "b", "q": "UGC?"}]
    answers = chat.answer_pending(engine, asked[:1], {})
    msgs, sources = chat.page(asked, answers, False)
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 2 and msgs[3]["content"] == "…"
    assert 'id="nc-turn-1"' in sources and "nc-turn-2" not in sources


def test_a_run_with_nothing_new_redraws_nothing(engine):
    asked = [{"id": "a", "q": "什么是PGC？"}]
    answers, msgs, sources = chat.answer_and_draw(engine, asked, {}, False)
    assert list(answers) == ["a"] and len(msgs) == 2 and "nc-turn-1" in sources
    # Nothing pending: the reader's opened cards stay as they are.
    assert chat.answer_and_draw(engine, asked, answers, False) == (gr.skip(),) * 3


def test_export_is_made_when_asked(engine, tmp_path):
    assert chat.write_export([], {}, tmp_path) is None and not list(tmp_path.iterdir())
    asked = [{"id": "a", "q": "什么是PGC？"}]
    path = Path(chat.write_export(asked, chat.answer_pending(engine, asked, {}), tmp_path))
    assert path.read_text("utf-8").startswith("# notechat\n\n## 1. 什么是PGC？")


def test_deeply_nested_history_gets_a_clear_error(client):
    with pytest.raises(Exception, match="nested too deeply"):
        client.predict("什么是PGC？", "[" * 40_000 + "]" * 40_000, api_name="/ask")
    with pytest.raises(Exception, match="too long"):
        client.predict("什么是PGC？", '["' + "x" * 200_000 + '"]', api_name="/ask")


# --- serve's refusals (before anything is loaded) ---------------------------------


def test_serve_refuses_exposed_host_without_auth(capsys):
    assert server.serve(Settings(), host="0.0.0.0", port=free_port()) == 2
    assert "--auth" in capsys.readouterr().err


def test_serve_refuses_bad_auth(capsys):
    assert server.serve(Settings(), host="0.0.0.0", port=free_port(), auth="nopassword") == 2
    assert "USER:PASS" in capsys.readouterr().err


def test_serve_reports_busy_port(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        code = server.serve(Settings(), port=s.getsockname()[1])
    err = capsys.readouterr().err
    assert code == 2 and "already in use" in err and len(err.strip().splitlines()) == 1


def test_auth_and_loopback(tmp_path):
    f = tmp_path / "auth"
    f.write_text("\nalice:s3:cret\n")
    assert exposure.parse_auth(str(f)) == ("alice", "s3:cret")
    assert exposure.parse_auth("bob:pw") == ("bob", "pw")
    for bad in ("bob", "bob:", ":pw"):
        with pytest.raises(ValueError):
            exposure.parse_auth(bad)
    assert all(exposure.is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.0.2"))
    assert not any(exposure.is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "example.org"))
