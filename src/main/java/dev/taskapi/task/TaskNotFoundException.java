package dev.taskapi.task;

import dev.taskapi.http.ProblemException;

/** No task has this id. The detail is the original FastAPI app's, which its clients match on. */
public final class TaskNotFoundException extends ProblemException {
  public TaskNotFoundException() {
    super(404, "Task not found");
  }
}
