package dev.taskapi.task;

public final class TaskNotFoundException extends RuntimeException {
  public TaskNotFoundException(String id) {
    super("no task with id '" + id + "'");
  }
}
