package dev.taskapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.FreePort;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real entry point in its own JVM: signals, exit codes, configuration errors. */
class MainProcessIT {
    static final String BODY = "{\"title\":\"in flight\"}";
    static final String SHUTDOWN_STARTED = "shutting down: readiness is DOWN";

    @TempDir
    Path dir;

    private Process start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                runtimeClasspath(),
                "dev.taskapi.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("service.log").toFile());
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().put("MODELS_DIR", dir.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    @Test
    void sigtermDuringARequestFinishesItThenExitsZeroLoggingJson() throws Exception {
        int port = FreePort.pick();
        Process process = start(Map.of(
                "PORT",
                Integer.toString(port),
                "SHUTDOWN_TIMEOUT_MS",
                "5000",
                "ACCESS_LOG",
                "true",
                "LOG_FORMAT",
                "json"));
        try {
            awaitReady(port);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write(
                        ("POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                        + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY.substring(0, 5))
                                .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                process.destroy(); // SIGTERM, while the request's body is still arriving
                awaitLog(SHUTDOWN_STARTED);
                out.write(BODY.substring(5).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String response = readAll(socket.getInputStream());
                assertTrue(
                        response.startsWith("HTTP/1.1 201"),
                        "in-flight request answered after shutdown began: " + response);
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exited within the grace period");
            assertEquals(0, process.exitValue(), "exit code after SIGTERM; log:\n" + log());
            List<String> notJson = log().lines()
                    .filter(l -> !l.startsWith("{") || !l.endsWith("}"))
                    .toList();
            assertEquals(List.of(), notJson, "every line of the service's and the access log is JSON");
            List<JsonObject> lines = log().lines().map(JsonObject::new).toList();
            assertTrue(
                    lines.stream().anyMatch(l -> "POST".equals(l.getString("method")) && l.getInteger("status") == 201),
                    "the access log was flushed:\n" + log());
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * The configuration a user gets from `make run` (every default, the models of this checkout), driven through
     * every kind of route on many connections, then stopped: the log has no WARNING or SEVERE line.
     */
    @Test
    void aDefaultStartServesAndStopsWithoutAWarning() throws Exception {
        int port = FreePort.pick();
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        runtimeClasspath(),
                        "dev.taskapi.Main")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("service.log").toFile());
        builder.environment().keySet().removeIf(name -> !name.equals("PATH") && !name.equals("HOME"));
        builder.environment().put("PORT", Integer.toString(port));
        Process process = builder.start();
        try {
            awaitReady(port);
            String base = "http://127.0.0.1:" + port;
            for (int connection = 0; connection < 8; connection++) {
                // HTTP/1.1, as curl and the original app's clients speak it (java.net.http would upgrade to h2c)
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                HttpResponse<String> created = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/tasks"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(201, created.statusCode(), created.body());
                for (String path : List.of(
                        created.headers().firstValue("Location").orElseThrow(),
                        "/tasks",
                        "/tasks/task_0",
                        "/models",
                        "/health",
                        "/health/live",
                        "/health/ready",
                        "/metrics",
                        "/openapi.json")) {
                    client.send(
                            HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }
            process.destroy();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exited after SIGTERM");
            assertEquals(0, process.exitValue(), log());
            List<String> warnings = log().lines()
                    .filter(l -> l.contains(" WARNING ") || l.contains(" SEVERE "))
                    .toList();
            assertEquals(List.of(), warnings, "a clean start, use and stop logs no WARNING or SEVERE line:\n" + log());
            assertTrue(log().contains("task-api stopped"), log());
        } finally {
            process.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "TASK_API_LOG_LEVEL, LOUD",
        "SHUTDOWN_DELAY_MS, -5",
        "PORT, 99999",
        "DOCS_ASSETS_URL, cdn.example/npm",
        "PGSSLMODE, verify",
        "PGSSLROOTCERT, /nonexistent/root.crt"
    })
    void invalidConfigurationExitsWithCode2NamingTheVariable(String variable, String value) throws Exception {
        Process process = start(Map.of(variable, value));
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exits at once");
        assertEquals(Main.EXIT_INVALID_CONFIG, process.exitValue(), log());
        String log = log().strip();
        assertTrue(log.startsWith("task-api: invalid configuration: " + variable), log);
        assertEquals(1, log.lines().count(), "one line, no stack trace: " + log);
    }

    /** The image's {@code migrate} command: the service's configuration, one line and exit 1 when it cannot migrate. */
    @Test
    void migrateIsACommandOfItsOwnThatExitsOneWithOneLineWhenTheDatabaseIsUnreachable() throws Exception {
        Process process = start(
                Map.of("STORE", "postgres", "DATABASE_URL", "postgresql://tasks:secret@127.0.0.1:1/tasks"), "migrate");
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exits at once");
        assertEquals(1, process.exitValue(), log());
        String log = log().strip();
        assertTrue(log.startsWith("migrate: failed: task database postgresql://tasks@127.0.0.1:1/tasks"), log);
        assertEquals(1, log.lines().count(), "one line: " + log);

        Process invalid = start(Map.of("PGSSLMODE", "verify-full"), "migrate");
        assertTrue(invalid.waitFor(20, TimeUnit.SECONDS));
        assertEquals(Main.EXIT_INVALID_CONFIG, invalid.exitValue(), log());
    }

    /** The test classpath without SLF4J (a test-only dependency), so that libraries log as in the image. */
    private static String runtimeClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("service.log"));
    }

    private void awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' in the log within 10 s:\n" + log());
            }
            Thread.sleep(10);
        }
    }

    private void awaitReady(int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("service not ready within 30 s; log:\n" + log());
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
