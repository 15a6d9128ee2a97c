"""Schema versions: a database at an older version is migrated without losing data."""

from __future__ import annotations

import json
from pathlib import Path
from datetime import UTC, datetime

import sqlalchemy as sa

from quiz.models import SessionKind
from quiz.store import AttemptStore, SessionStatus
from quiz.store.schema import METADATA, MIGRATIONS, SCHEMA_VERSION, apply_migrations, current_version

T0 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def _columns(engine: sa.Engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in sorted(inspector.get_table_names())}


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert SCHEMA_VERSION == MIGRATIONS[-1].version


def _engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    return engine


def test_version_1_database_is_migrated_without_data_loss(store_url: str) -> None:
    engine = _engine(store_url)
    with engine.begin() as conn:
        assert apply_migrations(conn, target=1) == [1]
        assert current_version(conn) == 1
        conn.execute(sa.text("INSERT INTO users (name, created_at) VALUES ('alice', :t)"),
                     {"t": "2024-05-01T09:30:00.000000+00:00"})
        conn.execute(
            sa.text(
                "INSERT INTO attempts (id, user_name, question_id, answer, grade_json, score, band, started_at,"
                " submitted_at, session_kind, session_id, time_limit_s, late, llm_feedback, llm_score)"
                " VALUES ('a1', 'alice', 'q1', '旧的答案', NULL, NULL, NULL, :t, :t, 'practice', NULL, NULL,"
                " :late, NULL, NULL)"
            ),
            {"t": "2024-05-01T09:30:00.000000+00:00", "late": False},
        )
        conn.execute(
            sa.text("INSERT INTO sessions VALUES ('s1', 'alice', 'timed', 'active', :state, :t, :t)"),
            {"state": json.dumps({"index": 2}), "t": "2024-05-01T09:30:00.000000+00:00"},
        )
    assert "review_cards" not in _columns(engine)
    engine.dispose()

    store = AttemptStore(store_url)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        (old,) = store.attempts(user="alice")
        assert (old.id, old.answer, old.submitted_at) == ("a1", "旧的答案", T0)
        session = store.load_session("s1")
        assert session is not None and session.state == {"index": 2} and session.status is SessionStatus.ACTIVE
        assert session.kind is SessionKind.TIMED
        assert store.users() == ["alice"] and store.profile("alice") == {}
        store.save_profile("alice", {"language": "zh"})
        store.save_review_card("alice", "q1", "{}", T0)
        assert store.profile("alice") == {"language": "zh"} and len(store.review_cards("alice")) == 1
    finally:
        store.close()

    migrated = sa.create_engine(store_url)
    expected = {name: {c.name for c in table.columns} for name, table in METADATA.tables.items()}
    assert _columns(migrated) == dict(sorted(expected.items()))
    migrated.dispose()


def test_opening_twice_applies_nothing_more(store_url: str) -> None:
    AttemptStore(store_url).close()
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        assert apply_migrations(conn) == []
        assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar() == 1
    engine.dispose()
