package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.FreePort;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-memory store refuses with 507 before the heap runs out: the real service in a JVM with a small heap
 * and the slim image's flags (which would end the process on an OutOfMemoryError), filled with the largest
 * tasks the API accepts, stays alive and keeps every task it acknowledged.
 */
class MemoryStoreBudgetIT {
    static final String LARGEST_TITLE = "任".repeat(TaskValidator.TITLE_MAX);
    static final String LARGEST_DESCRIPTION = "務".repeat(TaskValidator.DESCRIPTION_MAX);
    static final int ENOUGH_TO_FILL_64_MB = 20_000;

    @TempDir
    Path dir;

    Process process;
    final HttpClient http = HttpClient.newHttpClient();
    int port;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void largestTasksFillTheBudgetThen507AndEveryAcknowledgedTaskStaysReadable() throws Exception {
        start("-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC");
        String small = id(post(new JsonObject().put("title", "small")));
        List<String> acknowledged = new ArrayList<>(List.of(small));

        HttpResponse<String> refused = fill(
                acknowledged, new JsonObject().put("title", LARGEST_TITLE).put("description", LARGEST_DESCRIPTION));
        assertTrue(acknowledged.size() > 100, "the budget held only " + acknowledged.size() + " tasks");
        assertTrue(refused.body().contains("MEMORY_STORE_HEAP_PERCENT"), refused.body());
        fill(acknowledged, new JsonObject().put("title", "s"));

        HttpResponse<String> grow = send(HttpRequest.newBuilder(uri("/tasks/" + small))
                .method(
                        "PATCH",
                        HttpRequest.BodyPublishers.ofString(new JsonObject()
                                .put("title", LARGEST_TITLE)
                                .put("description", LARGEST_DESCRIPTION)
                                .encode()))
                .header("Content-Type", "application/json"));
        assertEquals(507, grow.statusCode(), "a patch that grows a task past the budget: " + grow.body());

        assertTrue(process.isAlive(), "the service is still running; log:\n" + log());
        assertEquals(200, get("/health/live").statusCode());
        for (String id : acknowledged) {
            assertEquals(200, get("/tasks/" + id).statusCode(), id + " was acknowledged");
        }
        assertEquals(
                "small",
                new JsonObject(get("/tasks/" + small).body()).getString("title"),
                "the refused patch changed nothing");
        assertEquals(
                Integer.toString(acknowledged.size()),
                get("/tasks?limit=1").headers().firstValue("X-Total-Count").orElseThrow());
    }

    /** Creates tasks like {@code body} until the store refuses one; that refusal. */
    private HttpResponse<String> fill(List<String> acknowledged, JsonObject body) throws Exception {
        for (int i = 0; i < ENOUGH_TO_FILL_64_MB; i++) {
            HttpResponse<String> r = post(body);
            if (r.statusCode() == 507) {
                return r;
            }
            acknowledged.add(id(r));
        }
        throw new AssertionError(ENOUGH_TO_FILL_64_MB + " tasks and no 507");
    }

    private void start(String... jvmFlags) throws Exception {
        port = FreePort.pick();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.taskapi.Main"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("service.log").toFile());
        builder.environment()
                .putAll(java.util.Map.of(
                        "PORT",
                        Integer.toString(port),
                        "HOST",
                        "127.0.0.1",
                        "MODELS_DIR",
                        dir.toString(),
                        "STORE",
                        "memory",
                        "ACCESS_LOG",
                        "false",
                        "INSTANCES",
                        "1"));
        process = builder.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (get("/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("service not ready within 30 s; log:\n" + log());
    }

    private HttpResponse<String> post(JsonObject body) throws Exception {
        return send(HttpRequest.newBuilder(uri("/tasks"))
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .header("Content-Type", "application/json"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String id(HttpResponse<String> created) {
        assertEquals(201, created.statusCode(), created.body());
        return new JsonObject(created.body()).getString("id");
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("service.log"));
    }
}
