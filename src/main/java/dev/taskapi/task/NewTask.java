package dev.taskapi.task;

/** A validated request to create a task. */
public record NewTask(String title, String description, int priority) {
    public static final int DEFAULT_PRIORITY = 1;
}
