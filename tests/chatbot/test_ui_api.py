"""The UI server: `/ask` through gradio_client, the chat function, `serve`'s refusals."""

from __future__ import annotations

import shutil
import socket
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from chatbot import exposure, render, ui
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
def running(demo: gr.Blocks) -> Iterator[str]:
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
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
    assert set(r) >= {"id", "question", "answer", "confidence", "citations", "passages"}
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
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    theme = urllib.request.urlopen(url + "theme.css", timeout=10).read().decode()
    assert "fonts.googleapis" not in page + theme and "system-ui" in theme


def test_overload_says_busy(tmp_path):
    engine = make_engine(tmp_path)
    ask = engine.ask

    def slow(*args, **kw):
        time.sleep(1.5)
        return ask(*args, **kw)

    engine.ask = slow
    with running(ui.build_app(engine, concurrency=1, queue_size=1)) as u:
        c = Client(u, verbose=False)
        jobs = [c.submit("什么是PGC？", [], api_name="/ask") for _ in range(4)]
        errors = []
        for job in jobs:
            try:
                job.result()
            except Exception as exc:
                errors.append(str(exc))
    assert errors and all("full" in e.lower() for e in errors)
    assert len(errors) < len(jobs)


@pytest.mark.slow
def test_real_answer_cites_verbatim(real_engine):
    with running(ui.build_app(real_engine)) as u:
        r = Client(u, verbose=False).predict("什么是PGC？", [], api_name="/ask")
    assert "[1]" in r["answer"] and r["confidence"] == "high"
    assert r["citations"] and "PGC" in r["citations"][0]["quote"]
    check_verbatim(r, real_engine.searcher.loaded.notes)


# --- the chat function behind the page ------------------------------------------


def test_respond_streams_then_stores_the_turn(engine, tmp_path):
    steps = list(ui.respond(engine, " 什么是PGC？ ", [], "zh", False, tmp_path))
    chat, _, _, box, _ = steps[0]
    assert box == "" and chat[0] == {"role": "user", "content": render.user_html("什么是PGC？")}
    texts = [s[0][-1]["content"] for s in steps[1:-1]]
    assert len(texts) > 3 and all(len(a) <= len(b) for a, b in zip(texts, texts[1:], strict=False))
    chat, sources, turns, _, export = steps[-1]
    assert [t["question"] for t in turns] == ["什么是PGC？"]
    assert chat == render.chat_messages(turns, "zh") and "来源" in sources
    assert Path(export).read_text("utf-8").startswith("# notechat 对话")


def test_respond_warns_on_empty_question(engine, tmp_path):
    with pytest.warns(UserWarning, match="请输入问题"):
        steps = list(ui.respond(engine, " \n ", [], "zh", False, tmp_path))
    assert steps == [(gr.skip(),) * 5]  # nothing on the page changes


# --- serve's refusals (before anything is loaded) ---------------------------------


def test_serve_refuses_exposed_host_without_auth(capsys):
    assert ui.serve(Settings(), host="0.0.0.0", port=free_port()) == 2
    assert "--auth" in capsys.readouterr().err


def test_serve_refuses_bad_auth(capsys):
    assert ui.serve(Settings(), host="0.0.0.0", port=free_port(), auth="nopassword") == 2
    assert "USER:PASS" in capsys.readouterr().err


def test_serve_reports_busy_port(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        code = ui.serve(Settings(), port=s.getsockname()[1])
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
