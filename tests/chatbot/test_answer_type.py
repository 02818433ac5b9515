"""Which kind of value a question asks for, and whether a sentence offers a new one."""

from __future__ import annotations

import pytest

from chatbot.answer_type import asked_type, offers


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("谷歌什么时候发布了MusicLM？", "date"),
        ("Magic3D生成一个模型要多久？", "duration"),
        ("百度打造了多少位数字人？", "number"),
        ("谁提出了这个理论？", "person"),
        ("该公司总部在哪里？", "place"),
        ("When was the tower built?", "date"),
        ("How long did the siege last?", "duration"),
        ("How many museums are there?", "number"),
        ("Who founded the city?", "person"),
        ("Where did the Normans settle?", "place"),
        ("What is UGC?", "definition"),
        ("什么是PGC？", "definition"),
        ("MaaS是什么意思？", "definition"),
        ("「一轴」指的是什么？", "definition"),
        ("什麼是區塊鏈？", "definition"),
        ("What does isobaric mean?", "definition"),
        ("百度的数字人平台叫什么名字？", None),
        ("AIGC的核心是什么？", None),
        ("What is the name of Baidu's platform?", None),
        ("What was the naval base called?", None),
        ("What was invented by Savery?", None),
        ("什么是冷湖市设立的年份？", "date"),  # the other kinds first
        # Traditional characters meet the same cues
        ("蘋果公司什麼時候成立？", "date"),
        ("他在哪裡出生？", "place"),
        ("這部電影是誰導演的？", "person"),
        ("臺北有幾個區？", "number"),
        ("它支持哪些语言的音轨？", "language"),
        ("What language did the Huguenots speak?", "language"),
        ("它支持几种语言？", "number"),
        ("这款软件是哪家公司开发的？", "organisation"),
        ("他毕业于哪所大学？", "organisation"),
        ("這部劇由哪家電視台播出？", "organisation"),
        ("Which company did she work for?", "organisation"),
        ("短信服务商是哪家？", "organisation"),  # 哪家 alone: which firm
        ("我们用的是哪个服务商？", "organisation"),
        ("Which provider sends our text messages?", "organisation"),
        ("七股鹽山的門票多少錢？", "money"),
        ("搬新公寓交了多少押金？", "money"),
        ("How much did the dentist cost?", "money"),
        ("How much is the rent in the new flat?", "money"),
        ("How much data did we lose?", "number"),  # "how much" of something else
        ("这本书花了多少时间读完？", "duration"),
        ("这学期交了多少份作业？", "number"),  # a count, not a sum
        ("有几家公司参与？", "number"),
        # a place or a firm known by its name
        ("Which hotel are we staying at in Kyoto?", "place"),
        ("What restaurant did we book for Friday?", "place"),
        ("我们订的是哪家酒店？", "organisation"),  # 哪家: which firm
        ("京都住的是哪个酒店？", "place"),
        ("Which airline did we fly with?", "organisation"),
    ],
)
def test_asked_type(question, kind):
    assert asked_type(question) == kind


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        (
            "谷歌什么时候发布了MusicLM？",
            "2023年1月27日，谷歌发布AI内容生成领域的新模型MusicLM",
            True,
        ),
        ("谷歌什么时候发布了MusicLM？", "MusicLM可以根据文本生成音乐", False),
        ("百度打造了多少位数字人？", "百度已经打造了几十位AI虚拟数字人", True),
        ("谁创办了腾讯？", "腾讯由马化腾创办于深圳", True),
        ("When was the tower built?", "It was completed in 1889.", True),
        ("When was the tower built in 1889?", "It was completed in 1889.", False),
        # the times notes keep: weekdays, clock times, quarters; May and March as months only
        ("When is the on-call handover?", "Handover every Monday at 10:00 Berlin time.", True),
        ("When is the on-call handover?", "Read last week's handover notes first.", False),
        ("When does the batch start?", "It starts at 6 pm, or on Feb 12 in Q3.", True),
        ("When does the batch start?", "You may start it, if the march is over.", False),
        ("When does the batch start?", "It started in May.", True),
        ("Who designed the tower?", "The tower was designed by Gustave Eiffel.", True),
        ("Who designed the tower?", "The tower is tall.", False),
        ("How many museums are there?", "There are 12 museums in the city.", True),
        ("他在哪裡出生？", "他生於臺灣臺北市。", True),
        ("他在哪裡出生？", "他喜歡音樂。", False),
        ("它支持哪些语言的音轨？", "它可以根据音轨自动生成3D角色动画。", False),
        ("它支持哪些语言的音轨？", "它支持英语和普通话的音轨。", True),
        ("What language did they speak?", "They spoke French at home.", True),
        # an organisation: a proper name, or a word ending as institutions do
        ("这款软件是哪家公司开发的？", "它由腾讯开发。", True),
        ("这款软件是哪家公司开发的？", "它由OpenAI开发。", True),
        ("他毕业于哪所大学？", "他毕业于天津师范大学中文系。", True),
        ("喵影工厂是哪家公司开发的？", "剪映和喵影工厂是两个例子", False),
        ("Which company did she work for?", "She worked for British Gas plc.", True),
        ("Which company did she work for?", "she worked there for years.", False),
        # money: an amount with its currency, or a bare number; not a count of something else
        ("門票多少錢？", "原本想去七股，但騎過去要快一個小時，最後取消", False),
        ("門票多少錢？", "高鐵單程 NT$1,080（原價 NT$1,350）", True),
        ("押金交了多少？", "| 押金 | 3,200 | 退租时退还 |", True),
        ("房租多少钱？", "截至 3 月底，第 12 章", False),
        ("How much did the dentist cost?", "Paid 85 dollars.", True),
        ("How much is the rent?", "Rent is 1,180 a month.", True),
        ("How much did it cost?", "3 customers waited 185ms on 2024-04-04 at 10:00.", False),
        ("How much did it cost?", "It was built in 1889.", False),
        # a definition: the term said to be something, or named
        ("什么是MaaS？", "MaaS（Model as a Service，模型即服务）的产业结构", True),
        ("什么是标准杆？", "标准杆，是一个高尔夫球运动术语", True),
        ("什么是PGC？", "这种内容生产方式被称为PGC", True),
        ("什么是UGC？", "UGC：用户成为内容创作主体", True),
        ("什么是GPT-4？", "除了普通图像，GPT-4还能够处理论文截图", False),
        ("什么是DeepMind？", "2022年，DeepMind推出剧本创作系统Dramatron。", False),
        ("What is Dramatron?", "Dramatron is a script-writing system.", True),
        ("What is Dramatron?", "Dramatron, a system by DeepMind, writes scripts.", True),
        ("What is a trust?", "This is known as a trust.", True),
        ("What is MaaS?", "MaaS有望成为现实", False),
        ("What is 剪映?", "剪映和喵影工厂是两个例子", False),
        ("What is 曦灵?", "百度推出的数字人平台—曦灵，能够打造数字人。", True),
    ],
)
def test_offers_a_new_value_of_the_asked_kind(question, sentence, expected):
    assert offers(question, sentence) is expected
