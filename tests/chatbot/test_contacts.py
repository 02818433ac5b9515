"""A question for a phone number, email address or link is not `high` on a quote that writes
none (chatbot.contacts)."""

from __future__ import annotations

import pytest

from chatbot import calibration
from chatbot.contacts import asked, holds, lacks_contact


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("What is Sam's phone number?", {"phone"}),
        ("What's the mobile number of the landlord?", {"phone"}),
        ("房东的电话号码是多少？", {"phone"}),
        ("房東的手機號是多少？", {"phone"}),  # Traditional
        ("What is the support email address?", {"email"}),
        ("陈晓的邮箱是什么？", {"email"}),
        ("Where is the link to the design doc?", {"link"}),
        ("报名网址是什么？", {"link"}),
        ("How do I get the contact details of the vendor?", {"phone", "email", "link"}),
        # about a phone, a mail, a line: not asking for one
        ("Which phone did I buy?", set()),
        ("Who answers the phone line?", set()),
        ("What did Arab oil producers link to Japan?", set()),  # a verb
        ("What did the email say?", set()),
        ("GPT-4用了多长时间完成网站图片识别？", set()),
        ("Did they build a website of their own?", set()),
        ("What is the website of the conference?", {"link"}),
        ("报名链接是什么？", {"link"}),
    ],
)
def test_asked(question, kinds):
    assert asked(question) == kinds


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Call +1 415 555 0134 on weekdays.", "phone", True),
        ("客服电话 400-820-1234。", "phone", True),
        ("The phone line is for SEV-1 only, 24/7.", "phone", False),
        ("Paged 3 times on 2024-02-27.", "phone", False),  # a date's digits are fewer than 7
        ("Write to ops@example.org.", "email", True),
        ("Write to the ops list.", "email", False),
        ("See https://wiki.example.org/ledger or [[ledger-design]].", "link", True),
        ("See the design doc.", "link", False),
    ],
)
def test_holds(text, kind, expected):
    assert holds(text, kind) is expected


def test_lacks_contact():
    q = "What is the phone number for the provider's escalation line?"
    assert lacks_contact(q, "Provider escalation: the phone line is for SEV-1 only.")
    assert not lacks_contact(q, "Provider escalation line: +44 20 7946 0958.")
    assert not lacks_contact("Who is on call?", "Priya is on call.")


@pytest.mark.slow
def test_the_engine_gives_no_high_to_a_phone_line_without_a_number(work_vault_engine):
    """Judged likely enough for `high`, the quote still writes no number: `low`."""
    a = work_vault_engine.ask("What is the provider escalation phone number?")
    assert a.citations and "phone line" in a.citations[0].quote
    cal = calibration.load(work_vault_engine.searcher.embedder.model_id)
    assert a.features["probability"] >= cal.high["en"]  # the judge alone would say `high`
    assert a.confidence == "low"
