package dev.taskapi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.testing.TestConfig;
import dev.taskapi.testing.RunningService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ModelsEndpointTest {
  @TempDir Path dir;
  RunningService service;

  @AfterEach
  void stop(VertxTestContext ctx) {
    if (service == null) {
      ctx.completeNow();
      return;
    }
    service.stop().onComplete(ctx.succeedingThenComplete());
  }

  private Future<RunningService> start(AppConfig config) {
    return RunningService.start(config).onSuccess(s -> service = s);
  }

  private Future<RunningService> start(Path modelsDir) {
    return start(TestConfig.of(modelsDir));
  }

  /** Polls GET uri until its response satisfies the condition (the registry rescans every 100 ms). */
  private Future<JsonObject> await(String uri, Predicate<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> condition) {
    Promise<JsonObject> done = Promise.promise();
    long deadline = System.currentTimeMillis() + 20_000;
    poll(uri, condition, deadline, done);
    return done.future();
  }

  private void poll(String uri, Predicate<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> condition,
      long deadline, Promise<JsonObject> done) {
    service.get(uri).onComplete(ar -> {
      if (ar.succeeded() && condition.test(ar.result())) {
        done.complete(new JsonObject().put("status", ar.result().statusCode()).put("body", ar.result().bodyAsString()));
      } else if (System.currentTimeMillis() > deadline) {
        done.fail("timed out waiting on " + uri + "; last: " + (ar.succeeded() ? ar.result().bodyAsString() : ar.cause()));
      } else {
        service.vertx.setTimer(50, id -> poll(uri, condition, deadline, done));
      }
    });
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static JsonObject entry(JsonArray models, String name) {
    for (int i = 0; i < models.size(); i++) {
      if (models.getJsonObject(i).getString("name").equals(name)) {
        return models.getJsonObject(i);
      }
    }
    return null;
  }

  @Test
  void scanListsEveryModelWithSizeAndSha256(VertxTestContext ctx) throws Exception {
    byte[] weights = "weights".getBytes(StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("llm/v2"));
    Files.write(dir.resolve("llm/v2/model.bin"), weights);
    Files.writeString(dir.resolve("vocab.txt"), "a b c");
    Files.writeString(dir.resolve("README.md"), "docs, not a model");
    Files.writeString(dir.resolve(".hidden"), "not a model");
    String expected = sha256(weights);
    start(dir).compose(s -> await("/health/ready", r -> r.statusCode() == 200))
        .compose(ready -> service.get("/models"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonArray models = r.bodyAsJsonArray();
          assertEquals(2, models.size(), models.encode());
          JsonObject model = entry(models, "llm/v2/model.bin");
          assertEquals(weights.length, model.getLong("size"));
          assertEquals(expected, model.getString("sha256"));
          assertEquals("unchecked", model.getString("status"));
          java.time.Instant.parse(model.getString("modified"));
          ctx.completeNow();
        })));
  }

  @Test
  void absentDirectoryIsReadyWithAnEmptyList(VertxTestContext ctx) {
    start(dir.resolve("nowhere")).compose(s -> await("/health/ready", r -> r.statusCode() == 200))
        .compose(ready -> service.get("/models"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(new JsonArray(), r.bodyAsJsonArray());
          ctx.completeNow();
        })));
  }

  @Test
  void requiredButEmptyModelsMakeReadinessDown(VertxTestContext ctx) {
    start(TestConfig.of(dir, Map.of("MODELS_REQUIRED", "true")))
        .compose(s -> await("/health/ready", r -> r.statusCode() == 503
            && r.bodyAsString().contains("MODELS_REQUIRED")))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void checksumMismatchMakesReadinessDownAndMarksTheEntry(VertxTestContext ctx) throws Exception {
    Files.writeString(dir.resolve("good.bin"), "good");
    Files.writeString(dir.resolve("bad.bin"), "tampered");
    Files.writeString(dir.resolve("SHA256SUMS"),
        sha256("good".getBytes()) + "  good.bin\n" + sha256("original".getBytes()) + "  bad.bin\n"
            + sha256("gone".getBytes()) + "  gone.bin\n");
    start(dir).compose(s -> await("/health/ready", r -> r.statusCode() == 503 && r.bodyAsString().contains("bad.bin")))
        .compose(notReady -> {
          ctx.verify(() -> {
            JsonObject body = new JsonObject(notReady.getString("body"));
            assertEquals("DOWN", body.getString("status"));
            String reason = body.getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("id").equals("models")).findFirst().orElseThrow()
                .getJsonObject("data").getString("reason");
            assertTrue(reason.contains("bad.bin: sha256 differs"), reason);
            assertTrue(reason.contains("gone.bin: listed in SHA256SUMS but not present"), reason);
          });
          return service.get("/models");
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonArray models = r.bodyAsJsonArray();
          assertEquals("verified", entry(models, "good.bin").getString("status"));
          JsonObject bad = entry(models, "bad.bin");
          assertEquals("mismatch", bad.getString("status"));
          assertEquals(sha256("original".getBytes()), bad.getString("expected_sha256"));
          assertEquals("missing", entry(models, "gone.bin").getString("status"));
          assertTrue(entry(models, "SHA256SUMS") == null, "the manifest is not a model");
          ctx.completeNow();
        })));
  }

  @Test
  void replacedAddedAndRemovedModelsArePickedUpWithoutRestart(VertxTestContext ctx) throws Exception {
    Files.writeString(dir.resolve("model.bin"), "v1");
    Files.writeString(dir.resolve("old.bin"), "old");
    Files.writeString(dir.resolve("SHA256SUMS"), sha256("v1".getBytes()) + "  model.bin\n");
    start(dir).compose(s -> await("/models", r -> r.bodyAsString().contains(sha(("v1")))))
        .compose(v1 -> {
          try {
            Files.writeString(dir.resolve("model.bin"), "version two");
            Files.delete(dir.resolve("old.bin"));
            Files.writeString(dir.resolve("new.bin"), "new");
          } catch (IOException e) {
            return Future.failedFuture(e);
          }
          // The manifest still says v1: readiness must drop.
          return await("/health/ready", r -> r.statusCode() == 503);
        })
        .compose(down -> {
          try {
            Files.writeString(dir.resolve("SHA256SUMS"), sha256("version two".getBytes()) + "  model.bin\n");
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
          return await("/health/ready", r -> r.statusCode() == 200);
        })
        .compose(up -> service.get("/models"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonArray models = r.bodyAsJsonArray();
          assertEquals("verified", entry(models, "model.bin").getString("status"));
          assertEquals("unlisted", entry(models, "new.bin").getString("status"));
          assertTrue(entry(models, "old.bin") == null, models.encode());
          ctx.completeNow();
        })));
  }

  @Test
  void largeModelIsHashedWhileLivenessKeepsAnswering(VertxTestContext ctx) throws Exception {
    long size = 200L * 1024 * 1024;
    start(dir).compose(s -> await("/health/ready", r -> r.statusCode() == 200))
        .compose(ready -> {
          try (RandomAccessFile sparse = new RandomAccessFile(dir.resolve("large.bin").toFile(), "rw")) {
            sparse.setLength(size);
          } catch (IOException e) {
            return Future.failedFuture(e);
          }
          int[] answered = {0};
          long[] slowestMillis = {0};
          Promise<Void> hashed = Promise.promise();
          probeLivenessUntilHashed(answered, slowestMillis, hashed);
          return hashed.future().map(v -> {
            ctx.verify(() -> {
              assertTrue(answered[0] >= 3, "liveness answered " + answered[0] + " times while the model was hashed");
              assertTrue(slowestMillis[0] < 2000, "slowest liveness answer took " + slowestMillis[0] + " ms");
            });
            return v;
          });
        })
        .compose(v -> service.get("/models"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject large = entry(r.bodyAsJsonArray(), "large.bin");
          assertEquals(size, large.getLong("size"));
          assertEquals(sha256(new byte[(int) size]), large.getString("sha256"));
          ctx.completeNow();
        })));
  }

  private void probeLivenessUntilHashed(int[] answered, long[] slowestMillis, Promise<Void> hashed) {
    long sent = System.nanoTime();
    service.get("/health/live").compose(live -> {
      long millis = (System.nanoTime() - sent) / 1_000_000;
      if (live.statusCode() == 200) {
        answered[0]++;
        slowestMillis[0] = Math.max(slowestMillis[0], millis);
      }
      return service.get("/models");
    }).onComplete(ar -> {
      if (ar.succeeded() && ar.result().bodyAsString().contains("large.bin")) {
        hashed.complete();
      } else {
        service.vertx.setTimer(20, id -> probeLivenessUntilHashed(answered, slowestMillis, hashed));
      }
    });
  }

  private static String sha(String text) {
    try {
      return sha256(text.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
