package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database is a dependency the service outlives: while it is down, task requests fail fast with 503 and
 * readiness is DOWN with the reason (liveness is not affected); when it is back, the service is ready again
 * by itself, and nothing it acknowledged is lost.
 */
class DatabaseOutageIT {
    static final int CONNECT_TIMEOUT_MS = 1000;
    static final int QUERY_TIMEOUT_MS = 1000;
    /** A failure must come within the configured bounds; the rest is slack for a loaded test machine. */
    static final long FAST_MS = CONNECT_TIMEOUT_MS + QUERY_TIMEOUT_MS + 1000;

    @TempDir
    Path models;

    PostgresServer database;
    RunningService service;

    @BeforeEach
    void startDatabase() {
        database = PostgresServer.startNew();
    }

    @AfterEach
    void stopEverything() {
        if (service != null) {
            service.stop().await();
        }
        if (database != null) {
            database.destroy();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void databaseStoppedAndRestartedUnderTheRunningService() {
        service = RunningService.start(TestConfig.of(models, environment())).await();
        List<String> acknowledged = new ArrayList<>();
        acknowledged.add(createdId(
                service.post("/tasks", new JsonObject().put("title", "before")).await()));
        assertEquals(200, service.get("/health/ready").await().statusCode());

        database.stop();
        for (int i = 0; i < 5; i++) {
            JsonObject task = new JsonObject().put("title", "during " + i);
            assertUnavailableFast(() -> service.post("/tasks", task));
            assertUnavailableFast(() -> service.get("/tasks/" + acknowledged.get(0)));
            assertUnavailableFast(() -> service.get("/tasks"));
            assertUnavailableFast(() -> service.patch("/tasks/" + acknowledged.get(0), task));
        }
        assertDownWithReason();
        assertEquals(200, service.get("/health/live").await().statusCode(), "liveness does not depend on the database");

        database.start();
        awaitReady();
        acknowledged.add(createdId(
                service.post("/tasks", new JsonObject().put("title", "after")).await()));
        for (String id : acknowledged) {
            assertEquals(200, service.get("/tasks/" + id).await().statusCode(), id + " was acknowledged");
        }
        assertEquals("2", service.get("/tasks").await().getHeader("X-Total-Count"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDatabaseThatStopsAnsweringCannotHoldRequestsLongerThanTheBounds() {
        service = RunningService.start(TestConfig.of(models, environment())).await();
        String before = createdId(
                service.post("/tasks", new JsonObject().put("title", "before")).await());

        database.freeze(true);
        try {
            assertUnavailableFast(() -> service.post("/tasks", new JsonObject().put("title", "while frozen")));
            assertUnavailableFast(() -> service.get("/tasks/" + before));
            assertUnavailableFast(() -> service.get("/tasks"));
            assertDownWithReason();
            assertEquals(200, service.get("/health/live").await().statusCode());
        } finally {
            database.freeze(false);
        }
        awaitReady();
        assertEquals(200, service.get("/tasks/" + before).await().statusCode());
        createdId(service.post("/tasks", new JsonObject().put("title", "after")).await());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void batchedCreatesInFlightWhenTheDatabaseStopsFailFastAndNothingAcknowledgedIsLost() {
        createsUnderLoadThroughAnOutage(database::stop, database::start);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void batchedCreatesInFlightWhenTheDatabaseFreezesFailWithinTheBoundsAndNothingAcknowledgedIsLost() {
        createsUnderLoadThroughAnOutage(() -> database.freeze(true), () -> database.freeze(false));
    }

    /**
     * 64 clients create tasks one after the other, so that batches are always in flight; after the first
     * acknowledgements the database goes away under them. Every answer is a 201 or, within the bounds, a 503;
     * once the database is back, every acknowledged task is there.
     */
    private void createsUnderLoadThroughAnOutage(Runnable outage, Runnable recovery) {
        service = RunningService.start(TestConfig.of(models, environment())).await();
        ClosedLoop load = new ClosedLoop(64);
        load.acknowledged(200).await();
        outage.run();
        try {
            load.stopAfter(128).await();
        } finally {
            recovery.run();
        }
        assertEquals(List.of(), load.unexpected, "every create answered 201, or 503 within the bounds");
        assertTrue(load.unavailable.get() > 0, "creates failed during the outage");
        awaitReady();
        Set<String> stored = new HashSet<>();
        for (int offset = 0; ; offset += 1000) {
            JsonArray page =
                    service.get("/tasks?limit=1000&offset=" + offset).await().bodyAsJsonArray();
            for (int i = 0; i < page.size(); i++) {
                JsonObject task = page.getJsonObject(i);
                stored.add(task.getString("id") + " " + task.getString("title"));
            }
            if (page.size() < 1000) {
                break;
            }
        }
        Set<String> missing = new HashSet<>(load.created);
        missing.removeAll(stored);
        assertEquals(Set.of(), missing, "acknowledged, so stored (of " + load.created.size() + " acknowledged)");
    }

    /** Clients that each send a create as soon as their previous one is answered. */
    private final class ClosedLoop {
        final List<String> created = Collections.synchronizedList(new ArrayList<>());
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger unavailable = new AtomicInteger();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger running;
        final Promise<Void> finished = Promise.promise();
        volatile Promise<Void> acknowledged;
        volatile int acknowledgedWanted = Integer.MAX_VALUE;
        volatile int limit = Integer.MAX_VALUE;

        ClosedLoop(int clients) {
            running = new AtomicInteger(clients);
            for (int i = 0; i < clients; i++) {
                next();
            }
        }

        synchronized Future<Void> acknowledged(int count) {
            acknowledged = Promise.promise();
            acknowledgedWanted = count;
            return acknowledged.future();
        }

        /** Each client stops once {@code more} more creates have been sent in all; done when all are answered. */
        Future<Void> stopAfter(int more) {
            limit = sent.get() + more;
            return finished.future();
        }

        private void next() {
            int n = sent.getAndIncrement();
            if (n >= limit) {
                if (running.decrementAndGet() == 0) {
                    finished.complete();
                }
                return;
            }
            String title = "load " + n;
            long started = System.nanoTime();
            service.post("/tasks", new JsonObject().put("title", title)).onComplete(done -> {
                long took = millisSince(started);
                if (done.succeeded() && done.result().statusCode() == 201) {
                    created.add(done.result().bodyAsJsonObject().getString("id") + " " + title);
                    if (created.size() >= acknowledgedWanted) {
                        acknowledged.tryComplete();
                    }
                } else if (done.succeeded() && done.result().statusCode() == 503 && took < FAST_MS) {
                    unavailable.incrementAndGet();
                } else {
                    unexpected.add(
                            done.succeeded()
                                    ? done.result().statusCode() + " after " + took + " ms: "
                                            + done.result().bodyAsString()
                                    : done.cause().toString());
                }
                next();
            });
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void serviceStartsWhileTheDatabaseIsDownAndBecomesReadyWhenItComesUp() {
        database.stop();
        long started = System.nanoTime();
        service = RunningService.start(TestConfig.of(models, environment())).await();
        assertTrue(millisSince(started) < FAST_MS + 2000, "started in " + millisSince(started) + " ms");
        assertEquals(200, service.get("/health/live").await().statusCode());
        assertDownWithReason();
        assertUnavailableFast(() -> service.post("/tasks", new JsonObject().put("title", "too early")));

        database.start();
        awaitReady();
        HttpResponse<Buffer> created =
                service.post("/tasks", new JsonObject().put("title", "on time")).await();
        assertEquals(201, created.statusCode(), created.bodyAsString());
    }

    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(database.environment("postgres"));
        env.put("DB_CONNECT_TIMEOUT_MS", Integer.toString(CONNECT_TIMEOUT_MS));
        env.put("DB_QUERY_TIMEOUT_MS", Integer.toString(QUERY_TIMEOUT_MS));
        return env;
    }

    private void assertUnavailableFast(Supplier<Future<HttpResponse<Buffer>>> request) {
        long started = System.nanoTime();
        HttpResponse<Buffer> r = request.get().await();
        long took = millisSince(started);
        assertEquals(503, r.statusCode(), r.bodyAsString());
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        String detail = r.bodyAsJsonObject().getString("detail");
        assertTrue(detail.contains("task database") && detail.contains("retry later"), detail);
        assertFalse(
                detail.contains(Integer.toString(database.port())), "the database's address stays private: " + detail);
        assertTrue(took < FAST_MS, "503 after " + took + " ms");
    }

    private void assertDownWithReason() {
        String reason = service.notReadyReason("tasks");
        assertTrue(reason.contains("task database"), reason);
    }

    private void awaitReady() {
        service.awaitReady(Duration.ofSeconds(30));
    }

    private static String createdId(HttpResponse<Buffer> r) {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject().getString("id");
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
