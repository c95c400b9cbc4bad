package dev.taskapi.task;

/** No task has this id (or the id is not one this service hands out). */
public final class TaskNotFoundException extends TaskException {
    private final String id;

    public TaskNotFoundException(String id) {
        super("no task has the id '" + TaskValidator.abbreviate(id) + "'", null);
        this.id = id;
    }

    /** The id as the caller gave it. */
    public String id() {
        return id;
    }
}
