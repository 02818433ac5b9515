"""The command-line contract: output shapes, exit codes, messages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from chatbot import cli

from ..conftest import DEV_QUESTIONS, ROOT


@pytest.fixture
def run(monkeypatch, fake_embedder, notes_dir, tmp_path, capsys):
    """Call the CLI in-process with the fake embedder and a temporary index."""
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    monkeypatch.setenv("NOTECHAT_NOTES", str(notes_dir))
    monkeypatch.setenv("NOTECHAT_UPLOAD_DIR", str(tmp_path / "uploads"))
    ix = str(tmp_path / "ix")

    def _run(*argv, stdin: str | bytes = ""):
        if isinstance(stdin, bytes):  # raw bytes, as a pipe would give them
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), "utf-8"))
        else:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main([*argv, "--index-dir", ix])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_index_reports_chunks_and_seconds(run):
    code, out, err = run("index")
    assert code == 0
    assert "indexed 1 note(s)" in out and " chunks in " in out and " s " in out


def test_ask_json_has_the_documented_fields(run):
    code, out, _ = run("ask", "什么是PGC？", "--json")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) >= {"id", "question", "answer", "confidence", "citations", "passages"}
    assert obj["confidence"] in ("high", "low", "none")
    p = obj["passages"][0]
    assert set(p) >= {"rank", "text", "note", "section", "start", "end", "line", "score", "scores"}
    assert set(p["scores"]) == {"lexical", "dense", "fused"}
    assert [q["rank"] for q in obj["passages"]] == list(range(1, len(obj["passages"]) + 1))
    note = open(p["note"], encoding="utf-8").read()
    assert note[p["start"] : p["end"]] == p["text"]


def test_ask_readable_shows_answer_then_citations(run):
    code, out, _ = run("ask", "什么是PGC？")
    assert code == 0
    assert "[1]" in out and "aigc.md:" in out and "“" in out


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_exits_2_with_one_line(run, question):
    code, out, err = run("ask", question)
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "empty" in err


def test_too_long_question_is_refused(run):
    code, _, err = run("ask", "问" * 5000)
    assert code == 2 and "too long" in err


def test_jsonl_answers_in_order_and_reports_bad_lines(run):
    lines = "\n".join(
        [
            json.dumps({"id": "a", "question": "什么是PGC？"}, ensure_ascii=False),
            "{not json",
            json.dumps(
                {"id": "b", "question": "它是谁提出的？", "history": ["什么是UGC？"]},
                ensure_ascii=False,
            ),
            json.dumps({"id": "c", "question": "  "}),
        ]
    )
    code, out, err = run("ask", "--jsonl", stdin=lines + "\n")
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", None, "b", "c"]
    assert "answer" in rows[0] and "error" in rows[1] and "answer" in rows[2] and "error" in rows[3]
    assert "line 2" in err and "line 4" in err
    assert code == 2


def _strict(line: str) -> dict:
    """Parse as RFC 8259 JSON: no NaN/Infinity, no lone surrogates."""
    line.encode("utf-8")

    def refuse(token):
        raise AssertionError(f"not JSON: {token}")

    return json.loads(line, parse_constant=refuse)


def test_jsonl_answers_or_reports_every_line(run):
    lines = [
        '{"id": "a", "question": "什么是PGC？"}'.encode(),
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError in the JSON parser
        '{"id": "\\ud800", "question": "什么是UGC？"}'.encode(),  # a lone surrogate
        b"[1, 2]",
        b'"just a string"',
        '{"id": 1e999, "question": "什么是AIGC？"}'.encode(),
        '{"id": NaN, "question": "什么是PGC？"}'.encode(),
        b'{"id": -Infinity, "question": "What is PGC?"}',
        '{"id": {"x": 1}, "question": "什么是PGC？"}'.encode(),
        '{"id": "h1", "question": "它是什么？", "history": "什么是UGC？"}'.encode(),
        '{"id": "h2", "question": "它是什么？", "history": [1, {"a": NaN}]}'.encode(),
        b'{"id": "q", "question": NaN}',
        b'{"id": "u", "question": "\xff\xfe not UTF-8"}',
        '{"id": "z", "question": "最后一行也回答吗？"}'.encode(),
    ]
    code, out, err = run("ask", "--jsonl", stdin=b"\n".join(lines) + b"\n")
    rows = [_strict(x) for x in out.splitlines()]
    assert [r["id"] for r in rows] == [
        "a", None, "\ufffd", None, None, "1e999", "NaN", "-Infinity", None, "h1", "h2", "q",
        None, "z",
    ]  # fmt: skip
    bad = [i for i, r in enumerate(rows, 1) if "error" in r]
    assert bad == [2, 4, 5, 9, 10, 11, 12, 13]
    assert all("answer" in r for i, r in enumerate(rows, 1) if i not in bad)
    assert "nested too deeply" in rows[1]["error"] and "history" in rows[9]["error"]
    assert "not valid UTF-8" in rows[12]["error"]
    said = [ln for ln in err.splitlines() if "stdin line" in ln]
    assert [ln.split(":")[1].strip() for ln in said] == [f"stdin line {i}" for i in bad]
    assert code == 2


def test_escape_sequences_in_notes_do_not_reach_the_terminal(run, notes_dir):
    (notes_dir / "ansi.md").write_text(
        "# 终端\n\n清屏警告\x1b[2J\x1b[31m红色\x07响铃的笔记会清屏并响铃。\n", "utf-8"
    )
    code, out, _ = run("ask", "清屏警告响铃的笔记会清屏并响铃吗？")
    assert code == 0 and "终端" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out and "\\x07" in out  # shown, not obeyed
    code, out, _ = run("ask", "清屏警告响铃的笔记会清屏并响铃吗？", "--json")
    assert any("\x1b[2J" in p["text"] for p in json.loads(out)["passages"])  # kept verbatim


def test_links_out_of_the_notes_are_skipped_unless_allowed(run, notes_dir, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "shared.md").write_text("# 共享\n\n共享文件夹里的笔记。\n", "utf-8")
    os.symlink(elsewhere, notes_dir / "shared")
    code, out, err = run("index")
    assert code == 0 and "indexed 1 note(s)" in out and "1 link(s) lead outside" in err
    code, out, err = run("index", "--follow-links")
    assert code == 0 and "indexed 2 note(s)" in out and "outside" not in err
    monkeypatch.setenv("NOTECHAT_FOLLOW_LINKS", "1")
    code, out, _ = run("index")
    assert code == 0 and "indexed 2 note(s)" in out


def test_index_reports_a_name_that_is_not_utf8_and_indexes_the_rest(run, notes_dir):
    with open(os.path.join(os.fsencode(notes_dir), "笔记.md".encode("gbk")), "wb") as fh:
        fh.write("# 笔记\n\n内容。\n".encode())
    code, out, err = run("index")
    assert code == 2 and "indexed 1 note(s)" in out
    said = [ln for ln in err.splitlines() if "UTF-8" in ln]
    assert len(said) == 1 and "not valid UTF-8" in said[0] and "name as GBK: 笔记.md" in said[0]


def test_missing_note_path_is_a_clear_error(run, tmp_path):
    code, out, err = run("index", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in err


def test_eval_prints_metrics_per_kind(run):
    code, out, _ = run("eval", str(DEV_QUESTIONS))
    assert code == 0
    for word in ("hit@1", "hit@5", "MRR@10", "lexical", "paraphrase", "crosslingual", "answerable"):
        assert word in out


def test_help_names_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "chatbot", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    for cmd in ("index", "ask", "eval", "serve"):
        assert cmd in out


@pytest.mark.slow
def test_real_model_end_to_end_through_jsonl(tmp_path):
    """The default model, a fresh index and `ask --jsonl` in a subprocess."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", NOTECHAT_UPLOAD_DIR=str(tmp_path / "up"))
    ix = str(tmp_path / "ix")
    subprocess.run(
        [sys.executable, "-m", "chatbot", "index", "--index-dir", ix],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    qs = [
        {"id": "1", "question": "百度的数字人平台叫什么名字？"},
        {"id": "2", "question": "What is the name of Baidu's digital human platform?"},
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "chatbot", "ask", "--jsonl", "--index-dir", ix],
        input="\n".join(json.dumps(q, ensure_ascii=False) for q in qs),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2"]
    for r in rows:
        assert any("曦灵" in p["text"] for p in r["passages"][:5])
        assert r["citations"] and "[1]" in r["answer"]
