"""Mock interview: topic-spanning selection, one follow-up on missed points, summary without an LLM."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from quiz.errors import FeedbackUnavailable
from quiz.sessions import session_from_dict
from quiz.sessions.mock import MockInterview, Phase, pick_questions

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def zh_questions(make_question):
    return [
        make_question("os1", "进程和线程有什么区别？", ["进程是资源分配的基本单位，线程是调度单位", "线程共享进程的地址空间"],
                      topics=("操作系统",)),
        make_question("net1", "TCP 为什么需要三次握手？", ["确认双方的收发能力", "同步初始序列号"], topics=("网络",)),
    ]


def test_pick_questions_spans_topics(make_question) -> None:
    bank = [make_question(f"os{i}", f"os {i}", topics=("os",)) for i in range(6)]
    bank += [make_question("net", "net", topics=("network",)), make_question("db", "db", topics=("db",))]
    bank += [make_question("hr", "hr", topics=("hr",), with_reference=False)]
    for seed in range(10):
        picked = pick_questions(bank, 3, random.Random(seed))
        assert {q.topics[0] for q in picked} == {"os", "network", "db"}
    assert len(pick_questions(bank, 20, random.Random(0))) == 8  # all gradable ones, none twice
    assert pick_questions(bank, 3, random.Random(4)) == pick_questions(bank, 3, random.Random(4))


def test_follow_up_flow_in_chinese(zh_questions, grade) -> None:
    interview = MockInterview.start(zh_questions, n=2, rng=random.Random(1), user="u", now=T0, session_id="m1")
    first = interview.current_question
    assert interview.transcript == (("interviewer", first.text),)
    covered, missed = [k.text for k in first.references[0].rubric.key_points]

    step = interview.answer(f"我知道：{covered}", grade=grade, now=at(60))
    assert step.attempt.score == 50.0 and step.attempt.session_id == "m1"
    assert step.interview.phase is Phase.FOLLOW_UP
    assert step.followup is not None and step.followup.startswith("你提到了「") and step.followup.endswith("」吗？")
    assert "能再具体说说「" in step.followup
    assert missed[:4] in step.followup

    step2 = step.interview.answer(f"补充：{missed}", grade=grade, now=at(120))
    assert step2.attempt.answer == f"我知道：{covered}\n\n补充：{missed}"  # regraded on both answers
    assert step2.attempt.score == 100.0 and step2.improvement == 50.0
    assert step2.attempt.started_at == at(60)
    turn = step2.interview.turns[0]
    assert (turn.score, turn.followup_score, turn.final_score) == (50.0, 100.0, 100.0)
    second = step2.interview.current_question
    assert second is not None and second.id != first.id and step2.interview.phase is Phase.ASK

    # A strong answer gets no follow-up and ends the interview.
    points = [k.text for k in second.references[0].rubric.key_points]
    end = step2.interview.answer("；".join(points), grade=grade, now=at(200))
    assert end.followup is None and end.interview.is_finished
    roles = [role for role, _ in end.interview.transcript]
    assert roles == ["interviewer", "candidate", "interviewer", "candidate", "interviewer", "candidate", "interviewer"]
    summary = end.interview.summary()
    assert summary.overall == 100.0 and summary.verdict == "hire"
    assert summary.assessment.startswith("综合得分 100/100（2 题）：建议录用。")
    assert end.interview.transcript[-1] == ("interviewer", summary.assessment)
    with pytest.raises(ValueError, match="finished"):
        end.interview.answer("more", grade=grade, now=at(300))


def test_english_template_and_summary(make_question, grade) -> None:
    questions = [
        make_question("a", "Explain database indexes.", ["speeds up lookups", "costs extra writes and space"],
                      topics=("db",)),
        make_question("b", "What is a page fault?", ["the page is not in memory", "the OS loads it from disk"],
                      topics=("os",)),
        make_question("c", "What does TCP guarantee?", ["ordered delivery", "retransmission of lost segments"],
                      topics=("network",)),
    ]
    interview = MockInterview.start(questions, n=3, rng=random.Random(0), user="u", now=T0)
    order = [q.id for q in interview.questions]
    answers = {"a": "speeds up lookups and costs extra writes and space", "b": "the page is not in memory",
               "c": "no idea"}
    followups = {"b": "sorry", "c": "still no idea"}
    seen_followups = {}
    for qid in order:
        step = interview.answer(answers[qid], grade=grade, now=at(10))
        if step.followup:
            seen_followups[qid] = step.followup
            step = step.interview.answer(followups[qid], grade=grade, now=at(20))
        interview = step.interview
    assert set(seen_followups) == {"b", "c"}
    assert seen_followups["b"] == 'You mentioned "the page is not in memory". Could you say more about "the OS loads it from disk"?'
    assert seen_followups["c"] == 'Thanks. Could you say more about "ordered delivery"?'
    summary = interview.summary()
    assert [round(t.final_score or 0) for t in summary.turns] == [{"a": 100, "b": 50, "c": 0}[q] for q in order]
    assert summary.overall == pytest.approx(50.0) and summary.verdict == "lean no"
    assert summary.strongest_topics == ("db", "os") and summary.weakest_topics == ("network",)
    assert summary.assessment == "Overall 50/100 over 3 questions: lean no. Strongest: db, os. Needs work: network."


def test_phrase_hook_and_fallback(zh_questions, grade) -> None:
    interview = MockInterview.start(zh_questions, n=1, rng=random.Random(2), user="u", now=T0)
    calls = []

    def llm_phrase(question, answer, missed):
        calls.append((question.id, answer, missed))
        return "  请展开讲讲你没提到的部分。 "

    step = interview.answer("不知道", grade=grade, now=at(5), phrase_followup=llm_phrase)
    assert step.followup == "请展开讲讲你没提到的部分。"
    assert calls == [(interview.questions[0].id, "不知道", [k.text for k in interview.questions[0].references[0].rubric.key_points])]

    def broken(question, answer, missed):
        raise FeedbackUnavailable("endpoint down")

    fallback = interview.answer("不知道", grade=grade, now=at(5), phrase_followup=broken)
    assert fallback.followup is not None and fallback.followup.startswith("好的。能再具体说说「")


def test_resume_mid_follow_up_and_finish_early(zh_questions, grade) -> None:
    interview = MockInterview.start(zh_questions, n=2, rng=random.Random(3), user="u", now=T0)
    step = interview.answer("不知道", grade=grade, now=at(5))
    saved = json.loads(json.dumps(step.interview.to_dict(), ensure_ascii=False))
    restored = session_from_dict("mock", saved)
    assert restored == step.interview and restored.phase is Phase.FOLLOW_UP
    done = restored.finish(at(9))
    assert done.is_finished and len(done.summary().turns) == 1
    summary = done.summary()
    assert summary.overall == 0.0 and summary.verdict == "no"
    assert "不建议录用" in summary.assessment
    assert done.finish(at(10)) == done


def test_no_gradable_questions(make_question) -> None:
    with pytest.raises(ValueError, match="reference"):
        MockInterview.start([make_question("x", "x", with_reference=False)], n=2, rng=random.Random(0),
                            user="u", now=T0)
