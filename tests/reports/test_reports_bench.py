"""The benchmark runs end to end on a small synthetic history and prints its table."""

from __future__ import annotations

from quiz.reports import bench, mastery


def test_bench_prints_a_table(capsys):
    assert bench.main(["--attempts", "300", "--questions", "40"]) == 0
    out = capsys.readouterr().out
    for step in ("rebuild_cards (FSRS)", "export xlsx (bytes)", "export html (bytes)", "total (without generate)"):
        assert step in out


def test_synthetic_history_is_seeded():
    first = bench.synthetic_history(200, 30, seed=3)
    assert first == bench.synthetic_history(200, 30, seed=3)
    questions, attempts = first
    assert len(attempts) == 200 and len(mastery.weak_topics(attempts, questions)) > 0
