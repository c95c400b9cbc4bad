# The original FastAPI Task API (fastapi_memory.py) with its dict replaced by PostgreSQL through asyncpg, written
# the way an asyncpg user writes it: `async def` endpoints, one connection pool per process opened at startup,
# statements prepared and cached by asyncpg. The same routes and JSON shapes as the original; ids are
# task_<n> with n from a sequence. One addition: GET /tasks takes an optional `limit` (the original always
# returns every task), so that a page of tasks can be compared with task-api's.
#
# Its table lives in its own schema, `fastapi`, so that it shares a database with task-api's PostgreSQL
# store (table `tasks` in the default schema) without mixing with it. The schema is created at startup if
# missing.
#
# Connection: DATABASE_URL (postgresql://user:password@host:port/database) and/or the standard PG*
# variables, which asyncpg reads itself. DB_POOL_SIZE: connections per process (default 8, as task-api's).
import os

import asyncpg
from fastapi import FastAPI, HTTPException, Query

from fastapi_memory import Task, TaskCreate  # the original's request and response models: the same JSON shapes

app = FastAPI(title="Task API", version="1.0.0")

POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "8"))
SCHEMA = """
CREATE SCHEMA IF NOT EXISTS fastapi;
CREATE SEQUENCE IF NOT EXISTS fastapi.task_ids;
CREATE TABLE IF NOT EXISTS fastapi.tasks (
  id          bigint      PRIMARY KEY DEFAULT nextval('fastapi.task_ids'),
  title       text        NOT NULL,
  description text,
  priority    integer     NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  completed   boolean     NOT NULL DEFAULT false
);
ALTER SEQUENCE fastapi.task_ids OWNED BY fastapi.tasks.id;
"""
COLUMNS = "'task_' || id AS id, title, description, priority, created_at, completed"

pool: asyncpg.Pool


@app.on_event("startup")
async def open_pool():
    global pool
    pool = await asyncpg.create_pool(os.environ.get("DATABASE_URL") or None, min_size=POOL_SIZE, max_size=POOL_SIZE)
    async with pool.acquire() as conn, conn.transaction():
        # One process at a time (uvicorn --workers N starts N at once): CREATE ... IF NOT EXISTS can race.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('fastapi.tasks'))")
        await conn.execute(SCHEMA)


@app.on_event("shutdown")
async def close_pool():
    await pool.close()


def task_number(task_id: str) -> int:
    """n of an id task_<n>; any other id names no task."""
    n = task_id.removeprefix("task_")
    if n != task_id and n.isascii() and n.isdigit() and len(n) <= 18:
        return int(n)
    raise HTTPException(status_code=404, detail="Task not found")


def found(row: asyncpg.Record | None) -> dict:
    if row is None:
        raise HTTPException(status_code=404, detail="Task not found")
    return dict(row)


@app.get("/health")
async def health_check():
    return {"status": "healthy", "service": "task-api"}


@app.post("/tasks", response_model=Task)
async def create_task(task: TaskCreate):
    row = await pool.fetchrow(
        f"INSERT INTO fastapi.tasks (title, description, priority) VALUES ($1, $2, $3) RETURNING {COLUMNS}",
        task.title, task.description, task.priority)
    return dict(row)


@app.get("/tasks")
async def list_tasks(limit: int | None = Query(default=None, ge=0)):
    if limit is None:
        rows = await pool.fetch(f"SELECT {COLUMNS} FROM fastapi.tasks ORDER BY id")
    else:
        rows = await pool.fetch(f"SELECT {COLUMNS} FROM fastapi.tasks ORDER BY id LIMIT $1", limit)
    return [dict(row) for row in rows]


@app.get("/tasks/{task_id}", response_model=Task)
async def get_task(task_id: str):
    return found(await pool.fetchrow(f"SELECT {COLUMNS} FROM fastapi.tasks WHERE id = $1", task_number(task_id)))


@app.patch("/tasks/{task_id}/complete")
async def complete_task(task_id: str):
    return found(await pool.fetchrow(
        f"UPDATE fastapi.tasks SET completed = true WHERE id = $1 RETURNING {COLUMNS}", task_number(task_id)))
