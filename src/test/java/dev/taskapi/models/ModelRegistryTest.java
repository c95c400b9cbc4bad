package dev.taskapi.models;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.health.ReadinessChecks;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.healthchecks.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry on a Vert.x instance of its own, without HTTP: its first scan, its polling, its readiness check. */
class ModelRegistryTest {
    static final Duration POLL = Duration.ofMillis(50);

    @TempDir
    Path dir;

    final FaultyFileSystem fs = new FaultyFileSystem();
    final Logger log = Logger.getLogger(ModelRegistry.class.getName());
    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    Vertx vertx;
    ModelRegistry registry;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        registry = new ModelRegistry(vertx, new ModelScanner(fs.view(dir), false), POLL);
        log.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        log.removeHandler(capture);
        registry.stop().await();
        vertx.close().await();
    }

    ModelSnapshot eventually(Predicate<ModelSnapshot> condition) throws InterruptedException {
        return eventually(registry, condition);
    }

    /** Waits on the test thread, poll after poll of the registry and up to 10 s in all, for it to reach a state. */
    static ModelSnapshot eventually(ModelRegistry registry, Predicate<ModelSnapshot> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        ModelSnapshot current = registry.snapshot();
        while (!condition.test(current)) {
            current = nextPoll(registry, deadline - System.nanoTime());
        }
        return current;
    }

    /** The snapshot after the registry's next poll; fails the test if none finishes within {@code nanos}. */
    static ModelSnapshot nextPoll(ModelRegistry registry, long nanos) throws InterruptedException {
        try {
            return registry.nextPoll().toCompletionStage().toCompletableFuture().get(Math.max(0, nanos), NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no poll finished in time; still " + registry.snapshot(), e);
        } catch (ExecutionException e) {
            throw new AssertionError("waiting for a poll failed", e.getCause());
        }
    }

    Status readiness() {
        Promise<Status> status = Promise.promise();
        ReadinessChecks.models(registry).handle(status);
        return status.future().await();
    }

    @Test
    void anEmptyListingAfterAFailedFirstListingMakesItReady() throws Exception {
        fs.deny(dir);

        ModelSnapshot first = registry.start().await();
        assertFalse(first.ready());
        assertTrue(
                first.problems().get(0).startsWith("cannot list MODELS_DIR " + dir),
                first.problems().toString());

        fs.allow(dir);
        ModelSnapshot later = eventually(ModelSnapshot::ready);
        assertEquals(List.of(), later.models());
        assertTrue(readiness().isOk());
    }

    @Test
    void aFailedFirstScanIsLoggedAndReportedUntilALaterScanSucceeds() throws Exception {
        Files.writeString(dir.resolve("model.bin"), "weights");
        IllegalStateException failure = new IllegalStateException("the volume went away");
        fs.breakWith(dir.resolve("model.bin"), failure);

        assertSame(
                failure,
                assertThrows(IllegalStateException.class, () -> registry.start().await()));
        assertTrue(
                logged.stream().anyMatch(r -> r.getLevel() == Level.SEVERE && r.getThrown() == failure),
                "logged: " + logged.stream().map(LogRecord::getMessage).toList());
        Status down = readiness();
        assertFalse(down.isOk());
        assertTrue(
                down.getData().getString("reason").contains("the volume went away"),
                down.getData().encode());

        fs.repair(dir.resolve("model.bin"));
        eventually(ModelSnapshot::ready);
    }

    @Test
    void readinessListsSkippedEntriesWhileUp() throws Exception {
        Files.writeString(dir.resolve("model.bin"), "weights");
        Files.createDirectory(dir.resolve("private"));
        Files.createDirectory(dir.resolve("lost+found"));
        fs.deny(dir.resolve("private"));
        fs.deny(dir.resolve("lost+found"));

        registry.start().await();
        Status up = readiness();

        assertTrue(up.isOk(), up.getData().encode());
        assertEquals(
                new JsonArray().add("private: cannot be read"), up.getData().getJsonArray("skipped"));
    }

    @Test
    void aDirectoryThatStaysUnlistableIsLoggedOnceNotAtEveryPoll() throws Exception {
        fs.deny(dir);

        registry.start().await();
        for (int poll = 0; poll < 5; poll++) {
            nextPoll(registry, Duration.ofSeconds(10).toNanos()); // each lists the directory again, and fails to
        }

        assertEquals(
                1,
                logged.stream().filter(r -> r.getLevel() == Level.WARNING).count(),
                "logged: " + logged.stream().map(LogRecord::getMessage).toList());
    }
}
