package dev.taskapi.task;

import io.vertx.core.Future;
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
 *
 * <p>Bounded twice: by a number of tasks and by the heap they hold ({@link Task#estimatedBytes}). A create,
 * or a patch that grows a task, that would pass either bound fails with {@link StoreFullException} and changes
 * nothing, so ordinary input can fill the store but never the heap: what was acknowledged stays readable.
 */
public final class InMemoryTaskStore implements TaskStore {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final ConcurrentSkipListMap<Long, Task> tasks = new ConcurrentSkipListMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final int maxTasks;
    private final long maxBytes;
    private final Clock clock;

    public InMemoryTaskStore(int maxTasks, long maxBytes) {
        this(maxTasks, maxBytes, Clock.systemUTC());
    }

    public InMemoryTaskStore(int maxTasks, long maxBytes, Clock clock) {
        this.maxTasks = maxTasks;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * A create refused for the memory budget has used its id: ids are unique and never reused, not gapless (a
     * database sequence behaves the same way). Rendering the task once, with its id, is what the budget needs.
     */
    @Override
    public Future<Task> create(NewTask task) {
        if (count.incrementAndGet() > maxTasks) {
            count.decrementAndGet();
            return Future.failedFuture(new StoreFullException(
                    "the task store is full (" + maxTasks + " tasks, MAX_TASKS); delete tasks to make room"));
        }
        String createdAt =
                OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS).format(TIMESTAMP);
        Task created =
                new Task(lastId.incrementAndGet(), task.title(), task.description(), task.priority(), createdAt, false);
        if (!reserve(created.estimatedBytes())) {
            count.decrementAndGet();
            return Future.failedFuture(outOfMemoryBudget());
        }
        tasks.put(created.number(), created);
        return Future.succeededFuture(created);
    }

    @Override
    public Future<Optional<Task>> get(long number) {
        return Future.succeededFuture(Optional.ofNullable(tasks.get(number)));
    }

    @Override
    public Future<TaskPage> list(TaskQuery query) {
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
        return Future.succeededFuture(new TaskPage(page, matched));
    }

    @Override
    public Future<Optional<Task>> update(long number, TaskPatch patch) {
        try {
            return Future.succeededFuture(Optional.ofNullable(tasks.computeIfPresent(number, (n, task) -> {
                Task changed = task.with(patch);
                long growth = changed.estimatedBytes() - task.estimatedBytes();
                if (growth > 0 && !reserve(growth)) {
                    throw outOfMemoryBudget();
                }
                if (growth < 0) {
                    bytes.addAndGet(growth);
                }
                return changed;
            })));
        } catch (StoreFullException e) {
            return Future.failedFuture(e);
        }
    }

    @Override
    public Future<Boolean> delete(long number) {
        Task removed = tasks.remove(number);
        if (removed == null) {
            return Future.succeededFuture(false);
        }
        count.decrementAndGet();
        bytes.addAndGet(-removed.estimatedBytes());
        return Future.succeededFuture(true);
    }

    @Override
    public Future<Void> checkReadiness() {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }

    private boolean reserve(long n) {
        long after = bytes.addAndGet(n);
        if (after <= maxBytes) {
            return true;
        }
        bytes.addAndGet(-n);
        return false;
    }

    private StoreFullException outOfMemoryBudget() {
        return new StoreFullException(
                "the in-memory task store has used its memory budget (" + maxBytes / (1024 * 1024)
                        + " MiB, MEMORY_STORE_HEAP_PERCENT of the heap); delete tasks to make room, or deploy with STORE=postgres");
    }
}
