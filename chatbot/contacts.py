"""A question for a phone number, an email address or a link, and a quote that holds none.

Notes talk about a phone line, a mailing list or a website far more often than
they write one down: "the phone line is for SEV-1 only" shares every word with
"What is the phone number for the provider's escalation line?", and answers
nothing. Such values have a form anyone can check (digits, an @, a scheme or a
domain), so a quote without one is not `high` for a question that asks for one
(chatbot.engine). Left out: postal addresses, which have no such form.
"""

from __future__ import annotations

import re

from index.hans import simplified

_ASKS = {
    "phone": re.compile(
        r"\b(?:tele)?phone (?:number|no)\b|\b(?:mobile|cell|fax) (?:number|no)\b"
        r"|\bnumber (?:to|should I|do I|can I) (?:call|dial|ring)\b"
        r"|电话号码|电话是多少|电话多少|手机号|联系电话|座机|传真号",
        re.I,
    ),
    "email": re.compile(r"\be-?mail address(?:es)?\b|邮箱|邮件地址|电邮地址", re.I),
    # "网站图片", "a website of its own" ask for no address: the address or link itself is asked
    "link": re.compile(
        r"\b(?:url|web ?site address|web address)\b|\b(?:the|a) links? (?:to|for)\b"
        r"|\b(?:what|where)(?:'s| is| are) the (?:web ?site|link)s?\b"
        r"|网址|网站地址|网页地址|链接(?:是|在|地址)|(?:网站|网页)是(?:什么|多少|哪个)",
        re.I,
    ),
}
_CONTACT = re.compile(r"\bcontact (?:details|info(?:rmation)?)\b|联系方式", re.I)  # any of them
_VALUES = {
    "phone": re.compile(r"\+?\(?\d[\d \-().]{5,}\d"),
    "email": re.compile(r"[\w.+\-]+@[\w\-]+\.[\w.\-]+"),
    "link": re.compile(
        r"https?://\S+|\bwww\.\S+|\[\[[^\]]+\]\]|\b[\w\-]+\.(?:com|org|net|io|dev|app|ai|co|cn|de|uk)\b",
        re.I,
    ),
}
_DIGITS_IN_A_NUMBER = 7
_DATE = re.compile(r"\b(?:19|20)\d\d[-/.]\d\d?[-/.]\d\d?\b")  # "2024-02-27" is no phone number


def asked(question: str) -> frozenset[str]:
    """The kinds of contact value the question asks for.

    >>> sorted(asked("What is the phone number for the escalation line?"))
    ['phone']
    >>> sorted(asked("陈晓的联系方式是什么？"))
    ['email', 'link', 'phone']
    >>> sorted(asked("Who answers the phone line?"))
    []
    """
    question = simplified(question)
    if _CONTACT.search(question):
        return frozenset(_ASKS)
    return frozenset(kind for kind, rule in _ASKS.items() if rule.search(question))


def holds(text: str, kind: str) -> bool:
    """Does `text` write a value of `kind` (a phone number has seven digits or more and
    is not a date)?

    >>> holds("call +49 (0)30 1234-567 any time", "phone"), holds("SEV-1 only, 24/7", "phone")
    (True, False)
    >>> holds("see [[vendor-contacts]]", "link"), holds("mail ops@example.org", "email")
    (True, True)
    """
    if kind == "phone":
        text = _DATE.sub(" ", text)
    for m in _VALUES[kind].finditer(text):
        if kind != "phone" or sum(c.isdigit() for c in m.group(0)) >= _DIGITS_IN_A_NUMBER:
            return True
    return False


def lacks_contact(question: str, quote: str) -> bool:
    """Does the question ask for a phone number, email address or link that `quote` does
    not write?

    >>> lacks_contact("What is the phone number for the escalation line?",
    ...               "Provider escalation: the phone line is for SEV-1 only.")
    True
    >>> lacks_contact("短信服务商的电话是多少？", "短信服务商客服电话 400-820-1234。")
    False
    >>> lacks_contact("Who is on call?", "Priya is on call.")
    False
    """
    kinds = asked(question)
    return bool(kinds) and not any(holds(quote, kind) for kind in kinds)
