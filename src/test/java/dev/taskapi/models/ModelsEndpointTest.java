package dev.taskapi.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /models and readiness over HTTP, as the models directory changes under the running service. */
class ModelsEndpointTest {
    @TempDir
    Path dir;

    private RunningService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop().await();
        }
    }

    private void start(AppConfig config) {
        service = RunningService.start(config).await();
    }

    /** Polls GET uri until its response satisfies the condition (the registry rescans every 100 ms). */
    private HttpResponse<Buffer> awaitResponse(String uri, Predicate<HttpResponse<Buffer>> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        HttpResponse<Buffer> last = null;
        while (System.nanoTime() < deadline) {
            last = service.get(uri).await();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "timed out waiting on " + uri + "; last: " + (last == null ? "none" : last.bodyAsString()));
    }

    private JsonArray models() {
        return service.get("/models").await().bodyAsJsonArray();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String sha256(String text) throws Exception {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
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
    void scanListsEveryModelWithSizeAndSha256() throws Exception {
        byte[] weights = "weights".getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(dir.resolve("llm/v2"));
        Files.write(dir.resolve("llm/v2/model.bin"), weights);
        Files.writeString(dir.resolve("vocab.txt"), "a b c");
        Files.writeString(dir.resolve("README.md"), "docs, not a model");
        Files.writeString(dir.resolve(".hidden"), "not a model");

        start(TestConfig.of(dir));
        awaitResponse("/health/ready", r -> r.statusCode() == 200);

        JsonArray models = models();
        assertEquals(2, models.size(), models.encode());
        JsonObject model = entry(models, "llm/v2/model.bin");
        assertEquals(weights.length, model.getLong("size"));
        assertEquals(sha256(weights), model.getString("sha256"));
        assertEquals("unchecked", model.getString("status"));
        Instant.parse(model.getString("modified"));
    }

    @Test
    void absentDirectoryIsReadyWithAnEmptyList() throws Exception {
        start(TestConfig.of(dir.resolve("nowhere")));
        awaitResponse("/health/ready", r -> r.statusCode() == 200);
        assertEquals(new JsonArray(), models());
    }

    @Test
    void requiredButEmptyModelsMakeReadinessDown() throws Exception {
        start(TestConfig.of(dir, Map.of("MODELS_REQUIRED", "true")));
        awaitResponse(
                "/health/ready", r -> r.statusCode() == 503 && r.bodyAsString().contains("MODELS_REQUIRED"));
    }

    @Test
    void checksumMismatchMakesReadinessDownAndMarksTheEntry() throws Exception {
        Files.writeString(dir.resolve("good.bin"), "good");
        Files.writeString(dir.resolve("bad.bin"), "tampered");
        Files.writeString(
                dir.resolve("SHA256SUMS"),
                sha256("good") + "  good.bin\n" + sha256("original") + "  bad.bin\n" + sha256("gone") + "  gone.bin\n");

        start(TestConfig.of(dir));
        JsonObject body = awaitResponse(
                        "/health/ready",
                        r -> r.statusCode() == 503 && r.bodyAsString().contains("bad.bin"))
                .bodyAsJsonObject();

        assertEquals("DOWN", body.getString("status"));
        String reason = body.getJsonArray("checks").stream()
                .map(JsonObject.class::cast)
                .filter(c -> c.getString("id").equals("models"))
                .findFirst()
                .orElseThrow()
                .getJsonObject("data")
                .getString("reason");
        assertTrue(reason.contains("bad.bin: sha256 differs"), reason);
        assertTrue(reason.contains("gone.bin: listed in SHA256SUMS but not present"), reason);
        JsonArray models = models();
        assertEquals("verified", entry(models, "good.bin").getString("status"));
        JsonObject bad = entry(models, "bad.bin");
        assertEquals("mismatch", bad.getString("status"));
        assertEquals(sha256("original"), bad.getString("expected_sha256"));
        assertEquals("missing", entry(models, "gone.bin").getString("status"));
        assertNull(entry(models, "SHA256SUMS"), "the manifest is not a model");
    }

    @Test
    void replacedAddedAndRemovedModelsArePickedUpWithoutRestart() throws Exception {
        Files.writeString(dir.resolve("model.bin"), "v1");
        Files.writeString(dir.resolve("old.bin"), "old");
        Files.writeString(dir.resolve("SHA256SUMS"), sha256("v1") + "  model.bin\n");
        start(TestConfig.of(dir));
        String v1 = sha256("v1");
        awaitResponse("/models", r -> r.bodyAsString().contains(v1));

        Files.writeString(dir.resolve("model.bin"), "version two");
        Files.delete(dir.resolve("old.bin"));
        Files.writeString(dir.resolve("new.bin"), "new");
        awaitResponse("/health/ready", r -> r.statusCode() == 503); // the manifest still says v1

        Files.writeString(dir.resolve("SHA256SUMS"), sha256("version two") + "  model.bin\n");
        awaitResponse("/health/ready", r -> r.statusCode() == 200);

        JsonArray models = models();
        assertEquals("verified", entry(models, "model.bin").getString("status"));
        assertEquals("unlisted", entry(models, "new.bin").getString("status"));
        assertNull(entry(models, "old.bin"), models.encode());
    }

    @Test
    void largeModelIsHashedWhileLivenessKeepsAnswering() throws Exception {
        long size = 200L * 1024 * 1024;
        start(TestConfig.of(dir));
        awaitResponse("/health/ready", r -> r.statusCode() == 200);
        try (RandomAccessFile sparse =
                new RandomAccessFile(dir.resolve("large.bin").toFile(), "rw")) {
            sparse.setLength(size);
        }

        int answered = 0;
        long slowestMillis = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (entry(models(), "large.bin") == null && System.nanoTime() < deadline) {
            long sent = System.nanoTime();
            assertEquals(200, service.get("/health/live").await().statusCode());
            answered++;
            slowestMillis = Math.max(slowestMillis, (System.nanoTime() - sent) / 1_000_000);
            Thread.sleep(20);
        }

        assertTrue(answered >= 3, "liveness answered " + answered + " times while the model was hashed");
        assertTrue(slowestMillis < 2000, "slowest liveness answer took " + slowestMillis + " ms");
        JsonObject large = entry(models(), "large.bin");
        assertEquals(size, large.getLong("size"));
        assertEquals(sha256(new byte[(int) size]), large.getString("sha256"));
    }
}
