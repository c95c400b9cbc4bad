package dev.taskapi.task;

import java.util.Optional;

/** Where tasks live. Implementations are safe to call from every event loop at once. */
public interface TaskStore {

  /** Creates a task with a fresh id, or throws {@link StoreFullException}. */
  Task create(NewTask task);

  Optional<Task> get(long number);

  TaskPage list(TaskQuery query);

  Optional<Task> update(long number, TaskPatch patch);

  boolean delete(long number);

  int size();

  /** The store holds as many tasks as it was configured to hold. */
  final class StoreFullException extends RuntimeException {
    public StoreFullException(int capacity) {
      super("the task store is full (" + capacity + " tasks, MAX_TASKS); delete tasks to make room");
    }
  }
}
