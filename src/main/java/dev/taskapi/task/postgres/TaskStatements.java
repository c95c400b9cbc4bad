package dev.taskapi.task.postgres;

import dev.taskapi.task.NewTask;
import dev.taskapi.task.TaskPatch;
import dev.taskapi.task.TaskQuery;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of the task store, one statement per operation (a batch of creates is one operation); every one is
 * prepared once per connection and cached, or, through a transaction pooler ({@code DB_TRANSACTION_POOLER}), parsed
 * again with each execution.
 */
final class TaskStatements {
    static final String COLUMNS = "id, title, description, priority, created_at, completed";

    /**
     * Creates one batch of tasks: three arrays, one element per task. PostgreSQL evaluates the identity default
     * (nextval) row by row above the scan of the arrays, which WITH ORDINALITY reads in array order (the planner
     * keeps that order instead of sorting), so ids follow the order of the batch. RETURNING's row order is not
     * documented, so the caller sorts the rows by id before matching them to the batch.
     */
    static final String INSERT_BATCH = "INSERT INTO tasks (title, description, priority)"
            + " SELECT title, description, priority"
            + " FROM unnest($1::text[], $2::text[], $3::int[]) WITH ORDINALITY AS batch (title, description, priority, n)"
            + " ORDER BY n RETURNING " + COLUMNS;

    static final String SELECT_ONE = "SELECT " + COLUMNS + " FROM tasks WHERE id = $1";

    /** The whole patch in one statement: a null argument keeps the column; $3 says whether to set description. */
    static final String UPDATE = "UPDATE tasks SET"
            + " title = COALESCE($2, title),"
            + " description = CASE WHEN $3 THEN $4 ELSE description END,"
            + " priority = COALESCE($5, priority),"
            + " completed = COALESCE($6, completed)"
            + " WHERE id = $1 RETURNING " + COLUMNS;

    static final String DELETE = "DELETE FROM tasks WHERE id = $1";

    static final String PING = "SELECT 1";

    private TaskStatements() {}

    static Tuple insertBatchArgs(List<NewTask> tasks) {
        String[] titles = new String[tasks.size()];
        String[] descriptions = new String[tasks.size()];
        Integer[] priorities = new Integer[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
            titles[i] = tasks.get(i).title();
            descriptions[i] = tasks.get(i).description();
            priorities[i] = tasks.get(i).priority();
        }
        return Tuple.of(titles, descriptions, priorities);
    }

    static Tuple updateArgs(long number, TaskPatch patch) {
        return Tuple.of(
                number,
                patch.title(),
                patch.descriptionSet(),
                patch.description(),
                patch.priority(),
                patch.completed());
    }

    /**
     * A listing's page and its total, with only the filters that are set in the WHERE clause, so that each
     * combination is its own prepared statement and the planner picks the index that matches it.
     */
    record Listing(String page, Tuple pageArgs, String count, Tuple countArgs) {
        static Listing of(TaskQuery query) {
            List<String> conditions = new ArrayList<>(2);
            List<Object> filters = new ArrayList<>(4);
            if (query.completed() != null) {
                filters.add(query.completed());
                conditions.add("completed = $" + filters.size());
            }
            if (query.priority() != null) {
                filters.add(query.priority());
                conditions.add("priority = $" + filters.size());
            }
            String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
            Tuple countArgs = Tuple.from(filters);
            Tuple pageArgs = Tuple.from(filters).addLong((long) query.limit()).addLong((long) query.offset());
            String page = "SELECT " + COLUMNS + " FROM tasks" + where + " ORDER BY id LIMIT $" + (filters.size() + 1)
                    + " OFFSET $" + (filters.size() + 2);
            return new Listing(page, pageArgs, "SELECT count(*) FROM tasks" + where, countArgs);
        }
    }
}
