"""`among(column, name)`: rows whose id is in a list parameter, on SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.id_lists import among
from app.db.models import users
from tests.db.test_models import add_user

USERS_BY_ID = select(users.c.id).where(among(users.c.id, "ids")).order_by(users.c.id)


async def test_matches_exactly_the_listed_ids(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        ann, bob, cat = [await add_user(connection, name) for name in ("Ann", "Bob", "Cat")]
        found = {
            length: (await connection.execute(USERS_BY_ID, {"ids": ids})).scalars().all()
            for length, ids in enumerate([[], [bob], [cat, ann, cat], [ann, bob, cat, 0]])
        }
        await connection.rollback()
    assert found == {0: [], 1: [bob], 2: [ann, cat], 3: [ann, bob, cat]}


async def test_postgresql_runs_one_sql_text_for_every_list_length(engine: AsyncEngine) -> None:
    texts: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        texts.append(statement)

    async with engine.connect() as connection:
        event.listen(connection.sync_connection, "before_cursor_execute", record)
        for ids in ([1], [1, 2], list(range(100))):
            await connection.execute(USERS_BY_ID, {"ids": ids})
    expected = 1 if engine.dialect.name == "postgresql" else 3  # SQLite expands `IN (?, ...)`
    assert len(set(texts)) == expected
