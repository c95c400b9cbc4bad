package dev.taskapi.task;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where tasks live. Every operation returns a {@link Future}, so that a networked store fits; callers stay on
 * their event loop and never block. Implementations are safe to call from every event loop at once. A failed
 * future carries a {@link TaskException} for what a client should be told ({@link StoreFullException},
 * {@link StoreUnavailableException}, {@link InvalidTaskException}).
 */
public interface TaskStore {

    /**
     * Prepares the store (a database store brings its schema up to date, retrying in the background while the
     * database is unreachable). Fails only when the store can never serve, for example a schema newer than
     * this build.
     */
    default Future<Void> start() {
        return Future.succeededFuture();
    }

    /** Creates a task with a fresh id, never used before. */
    Future<Task> create(NewTask task);

    Future<Optional<Task>> get(long number);

    /** Tasks matching the query's filters, in creation order, one page of them, and how many matched in all. */
    Future<TaskPage> list(TaskQuery query);

    /** Applies the patch atomically; empty if there is no such task. */
    Future<Optional<Task>> update(long number, TaskPatch patch);

    /** True if the task existed. */
    Future<Boolean> delete(long number);

    /**
     * Whether the store can serve now: succeeds if so, else fails with a {@link StoreUnavailableException} whose
     * message is the reason, for readiness and the operators reading it. Never blocks.
     */
    Future<Void> checkReadiness();

    Future<Void> close();
}
