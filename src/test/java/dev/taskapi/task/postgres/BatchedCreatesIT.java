package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.http.ProblemHandler;
import dev.taskapi.task.InvalidTaskException;
import dev.taskapi.task.NewTask;
import dev.taskapi.task.Task;
import dev.taskapi.task.TaskPage;
import dev.taskapi.task.TaskQuery;
import dev.taskapi.testing.PostgresServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Creates on the PostgreSQL store go to the database in batches (one INSERT, one transaction each), driven here
 * on the store itself, from several event loops, so that nothing in front of it (the validator) interferes.
 * A batch is told apart by its transaction: the rows' {@code xmin}.
 */
class BatchedCreatesIT {
    static final int EVENT_LOOPS = 4;
    static final int CREATES_PER_LOOP = 125;

    final Vertx vertx = Vertx.vertx();
    PostgresServer server;
    String database;
    PostgresTaskStore store;

    @BeforeEach
    void startStore() {
        server = PostgresServer.shared();
        database = server.createDatabase();
        store = new PostgresTaskStore(vertx, database(Map.of()));
        store.start().await();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close().await();
        }
        vertx.close().await();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentCreatesFromSeveralEventLoopsAreBatchedAndEachGetsItsOwnTaskInOrder() {
        List<Created> created = Collections.synchronizedList(new ArrayList<>());
        List<Future<Void>> loops = new ArrayList<>();
        for (int loop = 0; loop < EVENT_LOOPS; loop++) {
            loops.add(createOnOneEventLoop(loop, created));
        }
        Future.all(loops).await();
        assertEquals(EVENT_LOOPS * CREATES_PER_LOOP, created.size());

        Map<Long, Long> batchOf = batchOfEachTask();
        assertEquals(created.size(), batchOf.size(), "every acknowledged create is stored, and nothing else");
        assertTrue(
                new HashSet<>(batchOf.values()).size() < created.size() / 4,
                new HashSet<>(batchOf.values()).size() + " transactions for " + created.size()
                        + " creates: not batched");
        for (Created c : created) {
            assertEquals(c.title(), c.task().title(), "each request gets the row made from it");
            assertEquals(c.loop() + 1, c.task().priority());
            assertTrue(
                    batchOf.containsKey(c.task().number()),
                    "acknowledged " + c.task().id() + " is stored");
        }
        for (int loop = 0; loop < EVENT_LOOPS; loop++) {
            List<Created> mine = new ArrayList<>();
            for (Created c : created) {
                if (c.loop() == loop) {
                    mine.add(c);
                }
            }
            for (int i = 1; i < mine.size(); i++) {
                Created before = mine.get(i - 1);
                Created after = mine.get(i);
                if (batchOf.get(before.task().number())
                        .equals(batchOf.get(after.task().number()))) {
                    assertTrue(
                            before.sequence() < after.sequence()
                                    && before.task().number() < after.task().number(),
                            "within a batch, ids grow in the order of the requests, and so do acknowledgements: "
                                    + before + " " + after);
                }
            }
        }

        TaskPage listing =
                store.list(new TaskQuery(null, null, 0, TaskQuery.MAX_LIMIT)).await();
        List<Long> listed = listing.tasks().stream().map(Task::number).toList();
        List<Long> sorted = new ArrayList<>(listed);
        Collections.sort(sorted);
        assertEquals(sorted, listed, "the listing is in creation (id) order");
        assertEquals(new HashSet<>(created.stream().map(c -> c.task().number()).toList()), new HashSet<>(listed));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBatchWithValuesTheDatabaseRefusesStoresTheOthersAndFailsOnlyThoseWith422() {
        store.close().await();
        store = new PostgresTaskStore(vertx, database(Map.of("DB_CREATE_BATCHES", "1")));
        store.start().await();
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tasks.add(new NewTask("task " + i, null, 1));
        }
        tasks.set(4, new NewTask("x".repeat(201), null, 1));
        tasks.set(9, new NewTask("bad priority", "fine", 9));

        Context context = vertx.getOrCreateContext();
        Promise<List<Future<Task>>> submitted = Promise.promise();
        context.runOnContext(v -> {
            List<Future<Task>> creates = new ArrayList<>();
            tasks.forEach(task -> creates.add(store.create(task)));
            submitted.complete(creates);
        });
        List<Future<Task>> creates = submitted.future().await();
        Future.join(creates).otherwiseEmpty().await();

        for (int i = 0; i < tasks.size(); i++) {
            Future<Task> create = creates.get(i);
            if (i == 4 || i == 9) {
                InvalidTaskException refused =
                        assertInstanceOf(InvalidTaskException.class, create.cause(), "create " + i);
                assertEquals(422, ProblemHandler.domainProblem(refused).getInteger("status"));
                assertEquals(
                        i == 4 ? "title" : "priority",
                        refused.violations().get(0).field(),
                        refused.getMessage());
            } else {
                assertTrue(create.succeeded(), "create " + i + ": " + create.cause());
                assertEquals(tasks.get(i).title(), create.result().title());
            }
        }
        List<Long> ids = creates.stream()
                .filter(Future::succeeded)
                .map(f -> f.result().number())
                .toList();
        List<Long> sorted = new ArrayList<>(ids);
        Collections.sort(sorted);
        assertEquals(sorted, ids, "the stored tasks still have ids in the order of the requests");
        Map<Long, Long> batchOf = batchOfEachTask();
        assertEquals(new HashSet<>(ids), batchOf.keySet(), "the ten good tasks are stored, the two refused are not");
        assertTrue(
                new HashSet<>(batchOf.values()).size() > 2,
                "the refused batch was written again in parts: " + new HashSet<>(batchOf.values()).size()
                        + " transactions");
    }

    record Created(int loop, int sequence, String title, Task task) {}

    /** Creates CREATES_PER_LOOP tasks on one event loop, all submitted at once; each acknowledged one, in order. */
    private Future<Void> createOnOneEventLoop(int loop, List<Created> created) {
        Context context = vertx.getOrCreateContext();
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            List<Future<Task>> creates = new ArrayList<>();
            for (int i = 0; i < CREATES_PER_LOOP; i++) {
                int sequence = i;
                String title = "loop " + loop + " task " + i;
                creates.add(store.create(new NewTask(title, null, loop + 1)).onSuccess(task -> {
                    if (Vertx.currentContext() != context) {
                        done.tryFail("acknowledged on another context than the request's");
                    }
                    created.add(new Created(loop, sequence, title, task));
                }));
            }
            Future.all(creates).onComplete(all -> {
                if (all.failed()) {
                    done.tryFail(all.cause());
                } else {
                    done.tryComplete();
                }
            });
        });
        return done.future();
    }

    /** Each stored task's id and the transaction that inserted it. */
    private Map<Long, Long> batchOfEachTask() {
        Map<Long, Long> batchOf = new HashMap<>();
        for (Row row : server.inDatabase(database, "SELECT id, xmin::text::bigint AS tx FROM tasks")) {
            batchOf.put(row.getLong("id"), row.getLong("tx"));
        }
        return batchOf;
    }

    private AppConfig.Database database(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(server.environment(database));
        env.putAll(overrides);
        return AppConfig.from(env).database();
    }
}
