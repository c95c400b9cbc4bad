package dev.taskapi.models;

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

  @TempDir Path dir;
  final FaultyFileSystem fs = new FaultyFileSystem();
  final Logger log = Logger.getLogger(ModelRegistry.class.getName());
  final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  final Handler capture = new Handler() {
    @Override public void publish(LogRecord record) { logged.add(record); }
    @Override public void flush() {}
    @Override public void close() {}
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
    return eventually(registry, POLL, condition);
  }

  /** Waits on the test thread, up to 10 s, for a registry polling every {@code poll} to reach a state. */
  static ModelSnapshot eventually(ModelRegistry registry, Duration poll, Predicate<ModelSnapshot> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.test(registry.snapshot())) {
      assertTrue(System.nanoTime() < deadline, "still " + registry.snapshot());
      Thread.sleep(poll.toMillis() / 2);
    }
    return registry.snapshot();
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
    assertTrue(first.problems().get(0).startsWith("cannot list MODELS_DIR " + dir), first.problems().toString());

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

    assertSame(failure, assertThrows(IllegalStateException.class, () -> registry.start().await()));
    assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.SEVERE && r.getThrown() == failure),
        "logged: " + logged.stream().map(LogRecord::getMessage).toList());
    Status down = readiness();
    assertFalse(down.isOk());
    assertTrue(down.getData().getString("reason").contains("the volume went away"), down.getData().encode());

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
    assertEquals(new JsonArray().add("private: cannot be read"), up.getData().getJsonArray("skipped"));
  }

  @Test
  void aDirectoryThatStaysUnlistableIsLoggedOnceNotAtEveryPoll() throws Exception {
    fs.deny(dir);

    registry.start().await();
    Thread.sleep(POLL.toMillis() * 6);

    assertEquals(1, logged.stream().filter(r -> r.getLevel() == Level.WARNING).count(),
        "logged: " + logged.stream().map(LogRecord::getMessage).toList());
  }
}
