package dev.taskapi.task;

/**
 * A validated partial update: a null field is left unchanged. {@code description} may be set to null on
 * purpose, so whether it was given is carried separately.
 */
public record TaskPatch(String title, boolean descriptionSet, String description, Integer priority, Boolean completed) {
    public static final TaskPatch COMPLETE = new TaskPatch(null, false, null, null, true);
}
