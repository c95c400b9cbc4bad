package dev.taskapi.task;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tasks in memory, ordered by id (which is creation order). Ids come from one counter, so they are unique
 * and never reused, whatever the concurrency and whatever was deleted.
 */
public final class InMemoryTaskStore implements TaskStore {
  private final ConcurrentSkipListMap<Long, Task> tasks = new ConcurrentSkipListMap<>();
  private final AtomicLong lastId = new AtomicLong();
  private final AtomicInteger count = new AtomicInteger();
  private final int capacity;
  private final Clock clock;

  public InMemoryTaskStore(int capacity) {
    this(capacity, Clock.systemUTC());
  }

  public InMemoryTaskStore(int capacity, Clock clock) {
    this.capacity = capacity;
    this.clock = clock;
  }

  @Override
  public Task create(NewTask task) {
    if (count.incrementAndGet() > capacity) {
      count.decrementAndGet();
      throw new StoreFullException(capacity);
    }
    String createdAt = OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS)
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    Task created = new Task(lastId.incrementAndGet(), task.title(), task.description(), task.priority(), createdAt, false);
    tasks.put(created.number(), created);
    return created;
  }

  @Override
  public Optional<Task> get(long number) {
    return Optional.ofNullable(tasks.get(number));
  }

  @Override
  public TaskPage list(TaskQuery query) {
    List<Task> page = new ArrayList<>(Math.min(query.limit(), 64));
    int matched = 0;
    for (Task task : tasks.values()) {
      if (query.matches(task)) {
        if (matched >= query.offset() && page.size() < query.limit()) {
          page.add(task);
        }
        matched++;
      }
    }
    return new TaskPage(page, matched);
  }

  @Override
  public Optional<Task> update(long number, TaskPatch patch) {
    return Optional.ofNullable(tasks.computeIfPresent(number, (n, task) -> task.with(patch)));
  }

  @Override
  public boolean delete(long number) {
    if (tasks.remove(number) == null) {
      return false;
    }
    count.decrementAndGet();
    return true;
  }

  @Override
  public int size() {
    return tasks.size();
  }
}
