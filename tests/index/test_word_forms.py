"""English chunks are searched by their words' stems, Chinese chunks by their words as written."""

from __future__ import annotations

from index import IndexSettings, Searcher, build_index, load_index
from index.lexical import LexicalIndex, index_terms, tokenize


def _lexical_rank(tmp_path, fake_embedder, notes: dict[str, str], query: str) -> list[str]:
    folder = tmp_path / "notes"
    folder.mkdir(parents=True)
    for name, text in notes.items():
        (folder / name).write_text(text, "utf-8")
    settings = IndexSettings(fake_embedder.model_id, fake_embedder.dim)
    build_index([folder], tmp_path / "ix", fake_embedder, settings)
    searcher = Searcher(load_index(tmp_path / "ix"), fake_embedder)
    scores = searcher.lexical.scores(searcher.lexical.query_terms(query))
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return [searcher.chunks[i].note.rsplit("/", 1)[-1] for i in order if scores[i] > 0]


TRIP = {
    "trip.md": "# Trip\n\nFlights: LH716 lands in Osaka at 17:05.\n",
    "other.md": "# Other\n\nThe garden needs water in summer.\n",
}
MODELS = {
    "model.md": "# 模型\n\n视觉大模型以视觉Transformer为基础。\n",
    "diffusion.md": "# 扩散\n\nStable Diffusion可以根据文字生成图像。\n",
}


def test_an_inflected_question_finds_its_english_note(tmp_path, fake_embedder):
    assert _lexical_rank(tmp_path, fake_embedder, TRIP, "When does the flight land?") == ["trip.md"]


def test_a_name_in_chinese_text_meets_its_own_form_not_its_stems_kin(tmp_path, fake_embedder):
    found = _lexical_rank(tmp_path, fake_embedder, MODELS, "What is Stable Diffusion?")
    assert found == ["diffusion.md"]
    assert _lexical_rank(tmp_path / "b", fake_embedder, MODELS, "transformation in education") == []


def test_idf_and_known_share_read_both_forms_as_stems():
    docs = [
        index_terms("Stable Diffusion生成图像", False),
        index_terms("It represents flights", True),
    ]
    lex = LexicalIndex(docs, [False, True])
    terms = tokenize("stable diffusion flights represents")
    assert lex.known_share(terms) == 1.0  # "repres", not stemmed again to "repr"
    assert lex.idf(terms)["diffus"] == lex.idf(terms)["repres"]  # each in one chunk of two
