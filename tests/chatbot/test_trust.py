"""eval --squad: articles become notes, half indexed, three kinds of questions scored."""

from __future__ import annotations

import json

from chatbot import squad
from chatbot.cli import main
from chatbot.trust import score


def _squad_file(path):
    arts = []
    for i, title in enumerate(["Delta", "Alpha", "Charlie", "Bravo"]):
        ctx = f"{title} was founded in 19{i}5 by {title} Smith. It has {i + 3} museums."
        arts.append(
            {
                "title": title,
                "paragraphs": [
                    {
                        "context": ctx,
                        "qas": [
                            {
                                "id": f"{title}-1",
                                "question": f"When was {title} founded?",
                                "answers": [{"text": f"19{i}5", "answer_start": 0}],
                                "is_impossible": False,
                            },
                            {
                                "id": f"{title}-2",
                                "question": f"Who closed {title}'s museums?",
                                "answers": [],
                                "is_impossible": True,
                            },
                        ],
                    }
                ],
            }
        )
    path.write_text(json.dumps({"version": "v2.0", "data": arts}), "utf-8")
    return path


def test_every_other_article_by_title_is_indexed(tmp_path):
    arts = squad.load_articles(_squad_file(tmp_path / "s.json"))
    indexed, withheld = squad.split(arts)
    assert [a.title for a in indexed] == ["Alpha", "Charlie"]
    assert [a.title for a in withheld] == ["Bravo", "Delta"]
    assert indexed[0].text.startswith("# Alpha\n\nAlpha was founded")
    kinds = squad.questions_by_kind(indexed, withheld, None)
    assert {k: len(v) for k, v in kinds.items()} == {
        "answerable": 2,
        "off-notes": 4,
        "adversarial": 2,
    }


def test_a_quote_is_right_only_from_the_questions_article():
    q = squad.SquadQuestion("1", "When?", ("1915",), False, "0001-Alpha.md")
    cite = {"note": "/x/0001-Alpha.md", "quote": "It was founded in 1915."}
    assert squad.quote_right({"citations": [cite]}, q)
    assert not squad.quote_right({"citations": [cite | {"note": "/x/0002-Bravo.md"}]}, q)
    assert not squad.quote_right({"citations": [cite | {"quote": "It has 3 museums."}]}, q)
    assert not squad.quote_right({"citations": []}, q)


def test_figures_follow_their_definitions():
    q = squad.SquadQuestion("1", "When?", ("1915",), False, "a.md")
    right = {"confidence": "high", "citations": [{"note": "a.md", "quote": "in 1915"}]}
    wrong = {"confidence": "high", "citations": [{"note": "a.md", "quote": "no"}]}
    low = {"confidence": "low", "citations": [{"note": "a.md", "quote": "in 1915"}]}
    for r in (right, wrong, low):
        r["passages"] = [{"rank": 1, "note": "a.md", "text": "in 1915"}]
    off = {"confidence": "high", "citations": [], "passages": []}
    rep = score({"answerable": [(q, right), (q, wrong), (q, low)], "off-notes": [(q, off)]})
    f = rep.figures
    assert round(f["quote"], 3) == 0.667 and round(f["coverage"], 3) == 0.333
    assert f["precision"] == 0.5 and f["hit@1"] == 1.0 and f["abstain-off"] == 0.0


def test_cli_eval_squad_runs_end_to_end(tmp_path, monkeypatch, capsys, fake_embedder):
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    path = _squad_file(tmp_path / "s.json")
    code = main(["eval", "--squad", str(path), "--index-dir", str(tmp_path / "ix"), "--n", "5"])
    out = capsys.readouterr().out
    assert code == 0
    for name in ("quote", "coverage", "precision", "abstain-off", "abstain-adv", "hit@5"):
        assert name in out
    assert "answerable: 2 questions" in out and "off-notes: 4 questions" in out


def test_cli_eval_squad_refuses_a_non_squad_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", "utf-8")
    assert main(["eval", "--squad", str(bad)]) == 2
    assert "not a SQuAD-style JSON file" in capsys.readouterr().err


def test_asked_as_asks_only_its_questions_in_its_words(tmp_path):
    arts = squad.load_articles(_squad_file(tmp_path / "s.json"))
    indexed, withheld = squad.split(arts)
    other = tmp_path / "zh.jsonl"
    lines = [
        {"id": "Alpha-1", "question": "Alpha 是哪一年成立的？"},
        {"id": "Bravo-2", "question": "谁关了博物馆？"},
    ]
    other.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in lines) + "\n", "utf-8")
    kinds = squad.questions_by_kind(indexed, withheld, None, asked_as=squad.asked_as(other))
    assert {k: [q.question for q in v] for k, v in kinds.items()} == {
        "answerable": ["Alpha 是哪一年成立的？"],
        "off-notes": ["谁关了博物馆？"],
    }
    assert kinds["answerable"][0].answers == ("1915",)  # the original's answers, article, kind


def test_cli_eval_squad_asked_as_runs_and_refuses_a_bad_file(
    tmp_path, monkeypatch, capsys, fake_embedder
):
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    path = _squad_file(tmp_path / "s.json")
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "Charlie-1", "question": "Charlie 何时成立？"}\n', "utf-8")
    ix = ["--index-dir", str(tmp_path / "ix")]
    assert main(["eval", "--squad", str(path), *ix, "--asked-as", str(other)]) == 0
    assert "answerable: 1 questions" in capsys.readouterr().out
    other.write_text("not json\n", "utf-8")
    assert main(["eval", "--squad", str(path), *ix, "--asked-as", str(other)]) == 2
    assert "not JSON lines of id and question" in capsys.readouterr().err
