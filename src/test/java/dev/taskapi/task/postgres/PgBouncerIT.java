package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.task.NewTask;
import dev.taskapi.task.StoreUnavailableException;
import dev.taskapi.task.Task;
import dev.taskapi.task.TaskPage;
import dev.taskapi.task.TaskQuery;
import dev.taskapi.testing.PgBouncer;
import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service through PgBouncer in transaction pooling mode, where consecutive transactions of one client
 * connection run on whichever server connection is free: without {@code DB_TRANSACTION_POOLER} it cannot work there
 * (PgBouncer refuses its startup parameters; with those ignored, its cached named prepared statements meet each
 * other on shared server connections); with it, hundreds of concurrent creates and listings succeed, and replicas
 * migrate an empty database through PgBouncer once, leaving no lock behind.
 */
class PgBouncerIT {
    static final int EVENT_LOOPS = 4;
    static final int CREATES_PER_LOOP = 100;

    @TempDir
    Path models;

    final Vertx vertx = Vertx.vertx();
    final List<RunningService> services = new ArrayList<>();
    final List<PostgresTaskStore> stores = new ArrayList<>();
    final List<PgBouncer> ownBouncers = new ArrayList<>();
    final List<PostgresServer> ownServers = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        services.forEach(s -> s.stop().await());
        stores.forEach(s -> s.close().await());
        vertx.close().await();
        ownBouncers.forEach(PgBouncer::stop);
        ownServers.forEach(PostgresServer::destroy);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutTheVariablePgBouncerRefusesTheServicesStartupParametersAndReadinessSaysSo() {
        PgBouncer bouncer = PgBouncer.shared();
        RunningService service =
                start(bouncer.environment(PostgresServer.shared().createDatabase()));

        String reason = notReadyReason(service);
        assertTrue(reason.contains("unsupported startup parameter"), reason);
        System.out.println("[without DB_TRANSACTION_POOLER, readiness] " + reason);
        assertEquals(
                503,
                service.post("/tasks", new JsonObject().put("title", "t"))
                        .await()
                        .statusCode());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutTheVariableAndTheStartupParametersIgnoredCachedPreparedStatementsCollideOnTheSharedServerConnection() {
        PgBouncer bouncer = ownBouncer(
                PostgresServer.shared(),
                new PgBouncer.Settings(1, List.of("extra_float_digits", "statement_timeout", "client_min_messages")));
        PostgresTaskStore store =
                store(bouncer.environment(PostgresServer.shared().createDatabase()));

        List<Future<Optional<Task>>> gets = new ArrayList<>();
        onOneEventLoop(() -> {
                    for (int i = 0; i < 300; i++) {
                        gets.add(store.get(1 + i % 10));
                    }
                    return Future.succeededFuture();
                })
                .await();
        Future.join(gets).otherwiseEmpty().await();

        List<String> failures = gets.stream()
                .filter(Future::failed)
                .map(f -> messages(f.cause()))
                .toList();
        assertFalse(failures.isEmpty(), "every client connection names its first statement alike, and they share one");
        for (String failure : failures) {
            assertTrue(failure.contains("prepared statement"), failure);
        }
        System.out.println(
                "[without DB_TRANSACTION_POOLER] " + failures.size() + " of 300 reads failed, e.g. " + failures.get(0));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withTheVariableHundredsOfConcurrentCreatesReadsAndListingsSucceedAndCreatesAreStillBatched() {
        PgBouncer bouncer = PgBouncer.shared();
        PostgresServer server = PostgresServer.shared();
        String database = server.createDatabase();
        PostgresTaskStore store = store(bouncer.poolerEnvironment(database));

        List<Future<Void>> loops = new ArrayList<>();
        List<Task> created = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int loop = 0; loop < EVENT_LOOPS; loop++) {
            loops.add(createReadAndListOnOneEventLoop(store, loop, created, failures));
        }
        Future.join(loops).otherwiseEmpty().await();

        assertEquals(List.of(), failures.stream().map(PgBouncerIT::messages).toList(), "no request failed");
        assertEquals(EVENT_LOOPS * CREATES_PER_LOOP, created.size());
        Set<Long> ids = new HashSet<>();
        created.forEach(task -> ids.add(task.number()));
        assertEquals(created.size(), ids.size(), "every create got its own id");

        Set<Long> transactions = new HashSet<>();
        for (Row row : server.inDatabase(database, "SELECT xmin::text::bigint AS tx FROM tasks")) {
            transactions.add(row.getLong("tx"));
        }
        assertTrue(
                transactions.size() < created.size() / 4,
                transactions.size() + " transactions for " + created.size() + " creates: not batched");
        TaskPage all =
                store.list(new TaskQuery(null, null, 0, TaskQuery.MAX_LIMIT)).await();
        assertEquals(created.size(), all.total());
        assertEquals(ids, new HashSet<>(all.tasks().stream().map(Task::number).toList()));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void twoReplicasStartingAtOnceThroughPgBouncerMigrateAnEmptyDatabaseOnceAndHoldNoLockAfter() {
        PgBouncer bouncer = PgBouncer.shared();
        PostgresServer server = PostgresServer.shared();
        String database = server.createDatabase();
        Map<String, String> env = bouncer.poolerEnvironment(database);

        List<Future<RunningService>> starts = List.of(
                RunningService.start(TestConfig.of(models, env)), RunningService.start(TestConfig.of(models, env)));
        Future.join(starts).await();
        starts.forEach(s -> services.add(s.result()));

        List<Integer> versions = new ArrayList<>();
        for (Row row : server.inDatabase(database, "SELECT version FROM schema_version ORDER BY version")) {
            versions.add(row.getInteger("version"));
        }
        assertEquals(List.of(1), versions, "each version applied once");
        assertEquals(
                0L,
                server.inDatabase(database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                        .iterator()
                        .next()
                        .getLong(0),
                "the migration's lock ended with its transaction, not left on a server connection");
        Set<String> ids = new HashSet<>();
        for (RunningService replica : services) {
            HttpResponse<Buffer> ready = replica.get("/health/ready").await();
            assertEquals(200, ready.statusCode(), ready.bodyAsString());
            HttpResponse<Buffer> create =
                    replica.post("/tasks", new JsonObject().put("title", "t")).await();
            assertEquals(201, create.statusCode(), create.bodyAsString());
            ids.add(create.bodyAsJsonObject().getString("id"));
        }
        assertEquals(2, ids.size());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDatabaseThatStopsAnsweringBehindPgBouncerStillFailsRequestsWithinTheClientsBound() {
        PgBouncer.require();
        PostgresServer server = PostgresServer.startNew();
        ownServers.add(server);
        PgBouncer bouncer = ownBouncer(server, PgBouncer.Settings.DEFAULT);
        Map<String, String> env = bouncer.poolerEnvironment(server.createDatabase());
        env.put("DB_CONNECT_TIMEOUT_MS", "500");
        env.put("DB_QUERY_TIMEOUT_MS", "500");
        PostgresTaskStore store = store(env);
        Task task = onOneEventLoop(() -> store.create(new NewTask("before", null, 1)))
                .await();

        server.freeze(true);
        Throwable failure;
        long took;
        try {
            long started = System.nanoTime();
            failure = onOneEventLoop(() -> store.get(task.number()))
                    .transform(Future::succeededFuture)
                    .await()
                    .cause();
            took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        } finally {
            server.freeze(false);
        }

        assertTrue(failure instanceof StoreUnavailableException, String.valueOf(failure));
        assertTrue(took < 500 + 500 + 1000, "503 after " + took + " ms, without the server's statement_timeout");
        assertEquals(
                "before",
                onOneEventLoop(() -> store.get(task.number()))
                        .await()
                        .orElseThrow()
                        .title(),
                "answered again once the database is");
    }

    /** Creates, each followed by a read of what it created and, every tenth, a listing, all submitted at once. */
    private Future<Void> createReadAndListOnOneEventLoop(
            PostgresTaskStore store, int loop, List<Task> created, List<Throwable> failures) {
        return onOneEventLoop(() -> {
            List<Future<?>> requests = new ArrayList<>();
            for (int i = 0; i < CREATES_PER_LOOP; i++) {
                String title = "loop " + loop + " task " + i;
                requests.add(store.create(new NewTask(title, null, loop + 1))
                        .compose(task -> {
                            if (!task.title().equals(title)) {
                                return Future.failedFuture(new AssertionError(title + " created as " + task));
                            }
                            created.add(task);
                            return store.get(task.number());
                        })
                        .compose(read -> read.isPresent() && read.get().title().equals(title)
                                ? Future.succeededFuture()
                                : Future.failedFuture(new AssertionError(title + " read back as " + read)))
                        .onFailure(failures::add));
                if (i % 10 == 0) {
                    requests.add(store.list(new TaskQuery(null, loop + 1, 0, 50))
                            .compose(page -> page.tasks().stream().allMatch(t -> t.priority() == loop + 1)
                                    ? Future.succeededFuture()
                                    : Future.failedFuture(new AssertionError("priority " + (loop + 1) + ": " + page)))
                            .onFailure(failures::add));
                }
            }
            return Future.join(requests).mapEmpty();
        });
    }

    /** Runs {@code submit} on an event loop of the test's Vert.x, as a request handler would. */
    private <T> Future<T> onOneEventLoop(Supplier<Future<T>> submit) {
        Context context = vertx.getOrCreateContext();
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> submit.get().onComplete(done));
        return done.future();
    }

    private PostgresTaskStore store(Map<String, String> env) {
        PostgresTaskStore store =
                new PostgresTaskStore(vertx, AppConfig.from(env).database());
        stores.add(store);
        store.start().await();
        return store;
    }

    private RunningService start(Map<String, String> env) {
        RunningService service =
                RunningService.start(TestConfig.of(models, env)).await();
        services.add(service);
        return service;
    }

    private PgBouncer ownBouncer(PostgresServer server, PgBouncer.Settings settings) {
        PgBouncer bouncer = PgBouncer.start(server, settings);
        ownBouncers.add(bouncer);
        return bouncer;
    }

    /** Readiness is DOWN; the reason its tasks check gives. */
    private static String notReadyReason(RunningService service) {
        HttpResponse<Buffer> ready = service.get("/health/ready").await();
        assertEquals(503, ready.statusCode(), ready.bodyAsString());
        return ready.bodyAsJsonObject().getJsonArray("checks").stream()
                .map(JsonObject.class::cast)
                .filter(check -> "tasks".equals(check.getString("id")))
                .findFirst()
                .orElseThrow()
                .getJsonObject("data")
                .getString("reason");
    }

    /** The messages of a failure and its causes, in one line. */
    private static String messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null && messages.size() < 5; t = t.getCause() == t ? null : t.getCause()) {
            messages.add(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        return String.join(" <- ", messages);
    }
}
