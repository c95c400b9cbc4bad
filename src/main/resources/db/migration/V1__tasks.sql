-- Tasks, in creation order by id. Ids come from an identity sequence: unique across every replica and
-- never handed out twice, even after a delete, a rollback or a restart.
CREATE TABLE tasks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title       text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description text                 CHECK (char_length(description) <= 2000),
  priority    integer     NOT NULL CHECK (priority BETWEEN 1 AND 5),
  completed   boolean     NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One index per filtered listing (completed, priority, both), each ending in id so that a page comes out
-- of the index already in creation order; the unfiltered listing walks the primary key.
CREATE INDEX tasks_completed_id ON tasks (completed, id);
CREATE INDEX tasks_priority_id ON tasks (priority, id);
CREATE INDEX tasks_completed_priority_id ON tasks (completed, priority, id);
