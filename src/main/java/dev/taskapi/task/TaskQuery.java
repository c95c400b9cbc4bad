package dev.taskapi.task;

/** Filters and a page of the task list; null filters match everything. */
public record TaskQuery(Boolean completed, Integer priority, int offset, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public boolean matches(Task task) {
        return (completed == null || task.completed() == completed)
                && (priority == null || task.priority() == priority);
    }
}
