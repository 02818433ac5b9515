import pytest

from chatbot.answer_type import offers
from chatbot.en_names import names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It was built in 1889 by Gustave Eiffel.", {"gustave", "eiffel"}),
        ("- We move the release to **19 November**.", set()),  # a bullet starts a sentence
        ("1. Tom writes the rollback plan by Monday.", set()),  # so does a number; Monday is a date
        ("> **Note** that Priya signs.", {"priya"}),
        ("He met Tesla in Paris. Tesla left.", {"tesla", "paris"}),  # by position, not by word
        ("The report is due in May.", set()),
        ("Not the January 18 incident (SEV-3), nor GPT-4 on A100s.", set()),  # codes
        ("Ask Mendes-Smith or O'Brien, not the API.", {"mendes-smith", "o'brien", "api"}),
        ("Spent 1,640 EUR (hotel 780 EUR), not 2,000 USD.", set()),  # currencies name no one
    ],
)
def test_names_leave_out_sentence_starts_and_dates(text, expected):
    assert names(text) == expected


def test_a_date_does_not_answer_who():
    assert not offers("Who reviews the migration?", "- We move the release to 19 November.")
    assert offers("Who reviews the migration?", "Marco owns the migration and Wen Li reviews it.")


def test_a_code_does_not_answer_who():
    question = "Who was incident commander for the January 18 incident?"
    assert not offers(question, "This is not related to the January 18 incident (SEV-3).")
