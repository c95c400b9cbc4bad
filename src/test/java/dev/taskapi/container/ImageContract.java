package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Command;
import dev.taskapi.testing.FreePort;
import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.Prerequisites;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What every task-api image must do, checked on the built image tar (target/jib/task-api-VARIANT.tar, loaded into
 * the engine src/scripts/lib.sh chooses; subclasses may name another tar directory, engine or image source, e.g.
 * a pull by digest from a registry) under the conditions of the Kubernetes manifests: uid 65532, read-only root filesystem with only an explicit /tmp tmpfs
 * (an emptyDir), all capabilities dropped, models/ mounted read-only at /app/models, published on loopback.
 * Every endpoint is exercised, so that a module missing from the slim image's jlink runtime shows up here.
 */
@Tag("container")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ImageContract {
    static final Path MODELS =
            Path.of(System.getenv().getOrDefault("MODELS", "models")).toAbsolutePath();
    /** Kubernetes' default terminationGracePeriodSeconds. */
    static final Duration GRACE = Duration.ofSeconds(30);

    static final Duration READY_WITHIN = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> containers = new ArrayList<>();
    private String imageId;
    private String container;
    private String base;

    /** The variant's tag suffix and tar name: slim, slim-aot, distroless. */
    abstract String variant();

    /** Environment the variant needs beyond the image's own (e.g. to insist that the AOT cache is used). */
    Map<String, String> extraEnv() {
        return Map.of();
    }

    /** The engine that runs the image (a command or path): src/scripts/lib.sh's choice, null when there is none. */
    String engine() {
        return Engine.name();
    }

    /** Where the image tar is: target/jib/ (`make images`). */
    Path tarDirectory() {
        return ImageTars.JIB;
    }

    /** Makes the image available to the engine; returns what `run` and `image inspect` take (an ID or reference). */
    String provideImage() {
        Path tar = ImageTars.tar(tarDirectory(), variant());
        Prerequisites.require(
                Files.isRegularFile(tar),
                tar + " is missing: `make images` builds it"
                        + " (`make test` does so first when a container engine exists)");
        run(Duration.ofMinutes(5), "load", "-i", tar.toString()).check("loading " + tar);
        return ImageTars.imageId(tar);
    }

    Command.Result run(Duration timeout, String... args) {
        return Engine.run(engine(), timeout, args);
    }

    @BeforeAll
    void startContainer() throws Exception {
        Prerequisites.require(engine() != null, Prerequisites.NO_CONTAINER_ENGINE);
        imageId = provideImage();
        container = start(MODELS, Map.of());
        base = "http://" + hostPort(container);
        awaitStatus(base, 200);
    }

    @AfterAll
    void removeContainers() {
        if (engine() != null) {
            for (String c : containers) {
                run(Duration.ofSeconds(60), "rm", "-f", c);
            }
        }
    }

    /** Starts the image as the cluster would run it (src/scripts/lib.sh run-flags); returns the container's name. */
    String start(Path models, Map<String, String> env) {
        return start(models, env, List.of());
    }

    /** As {@link #start(Path, Map)}, with {@code engineArgs} for `run` too (a network, a mount). */
    String start(Path models, Map<String, String> env, List<String> engineArgs) {
        String name = "task-api-ctest-" + variant() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(Engine.runFlags(engine(), models));
        args.addAll(engineArgs);
        Map<String, String> all = new TreeMap<>(extraEnv());
        all.putAll(env);
        all.forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        args.add(imageId);
        run(Duration.ofMinutes(2), args.toArray(String[]::new)).check("starting " + variant());
        containers.add(name);
        return name;
    }

    String hostPort(String name) {
        return hostPort(engine(), name);
    }

    /** The loopback host:port that {@code engine} published for the container's 8080. */
    static String hostPort(String engine, String name) {
        String out = Engine.run(engine, Duration.ofSeconds(30), "port", name, "8080/tcp")
                .check("port of " + name)
                .out();
        String first = out.lines().findFirst().orElseThrow(() -> new AssertionError("no published port: " + out));
        assertTrue(first.startsWith("127.0.0.1:"), "published on loopback only: " + first);
        return first.strip();
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** Polls /health/ready until it answers {@code status}; fails with the container's logs otherwise. */
    void awaitStatus(String url, int status) throws Exception {
        awaitStatus(container, url, status);
    }

    /** As {@link #awaitStatus(String, int)} for the container {@code name}, whose logs a failure shows. */
    void awaitStatus(String name, String url, int status) throws Exception {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get(url + "/health/ready");
                if (r.statusCode() == status) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("/health/ready never answered " + status + " within " + READY_WITHIN + " (last: "
                + last + "); logs:\n" + logs(name));
    }

    String logs() {
        return logs(container);
    }

    String logs(String name) {
        Command.Result r = run(Duration.ofSeconds(30), "logs", name);
        return r.out() + r.err();
    }

    JsonNode inspect(String what, String name) throws IOException {
        String out = run(Duration.ofSeconds(30), what, "inspect", name)
                .check("inspect " + name)
                .out();
        return JSON.readTree(out).get(0);
    }

    @Test
    @Order(1)
    void readinessAndHealthAnswer() throws Exception {
        HttpResponse<String> ready = get(base + "/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("UP", JSON.readTree(ready.body()).get("status").asText(), ready.body());
        HttpResponse<String> health = get(base + "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("healthy", JSON.readTree(health.body()).get("status").asText());
        assertEquals(200, get(base + "/health/live").statusCode());
    }

    @Test
    @Order(2)
    void modelsListsTheMountedFilesWithTheirSha256() throws Exception {
        Map<String, String> expected = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MODELS)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = MODELS.relativize(f).toString().replace('\\', '/');
                // The service lists every file but the manifest, hidden ones and the folder's own README.
                boolean doc = List.of("SHA256SUMS", "README", "README.md", "README.txt")
                        .contains(name);
                if (!doc && !name.startsWith(".") && !name.contains("/.")) {
                    expected.put(name, sha256(f));
                }
            }
        }
        assertFalse(expected.isEmpty(), "models/ holds at least one model file");
        HttpResponse<String> r = get(base + "/models");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, String> listed = new TreeMap<>();
        for (JsonNode m : JSON.readTree(r.body())) {
            listed.put(m.get("name").asText(), m.get("sha256").asText());
            assertEquals("verified", m.get("status").asText(), "status of " + m);
            assertEquals(
                    Files.size(MODELS.resolve(m.get("name").asText())),
                    m.get("size").asLong(),
                    "size of " + m);
        }
        assertEquals(expected, listed);
    }

    @Test
    @Order(3)
    void taskRoundTrip() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(base + "/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"ship it\",\"priority\":2}")));
        assertEquals(201, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        JsonNode task = JSON.readTree(created.body());
        assertEquals("/tasks/" + task.get("id").asText(), location);
        assertEquals("ship it", task.get("title").asText());

        HttpResponse<String> fetched = get(base + location);
        assertEquals(200, fetched.statusCode(), fetched.body());
        assertEquals(task, JSON.readTree(fetched.body()));

        HttpResponse<String> completed = send(HttpRequest.newBuilder(URI.create(base + location + "/complete"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, completed.statusCode(), completed.body());
        assertTrue(JSON.readTree(completed.body()).get("completed").asBoolean(), completed.body());

        HttpResponse<String> listed = get(base + "/tasks");
        assertEquals(200, listed.statusCode(), listed.body());
        assertTrue(listed.body().contains(task.get("id").asText()), listed.body());

        HttpResponse<String> invalid = send(HttpRequest.newBuilder(URI.create(base + "/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":")));
        assertEquals(400, invalid.statusCode(), invalid.body());

        HttpResponse<String> deleted =
                send(HttpRequest.newBuilder(URI.create(base + location)).DELETE());
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertEquals(404, get(base + location).statusCode());
    }

    @Test
    @Order(4)
    void metricsAndOpenApiAnswer() throws Exception {
        HttpResponse<String> metrics = get(base + "/metrics");
        assertEquals(200, metrics.statusCode());
        // JVM, process and GC meters need java.management and jdk.management in the runtime; the HTTP ones Vert.x.
        for (String meter : List.of(
                "jvm_memory_used_bytes",
                "jvm_threads_live_threads",
                "jvm_gc_memory_allocated_bytes_total",
                "process_cpu_usage",
                "system_cpu_usage",
                "vertx_http_server_requests_total")) {
            assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith(meter)), meter + " in /metrics");
        }
        HttpResponse<String> openapi = get(base + "/openapi.json");
        assertEquals(200, openapi.statusCode());
        assertTrue(JSON.readTree(openapi.body()).has("paths"), "an OpenAPI document");
    }

    @Test
    @Order(5)
    void aChecksumMismatchMakesAnotherContainerUnready() throws Exception {
        Path models = Files.createTempDirectory("task-api-models-");
        try {
            Files.setPosixFilePermissions(models, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path model = models.resolve("model.bin");
            Files.writeString(model, "weights");
            Files.writeString(models.resolve("SHA256SUMS"), "0".repeat(64) + "  model.bin\n");
            for (Path f : List.of(model, models.resolve("SHA256SUMS"))) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
            String other = start(models, Map.of());
            String url = "http://" + hostPort(other);
            awaitStatus(url, 503);
            JsonNode listed = JSON.readTree(get(url + "/models").body());
            assertEquals("mismatch", listed.get(0).get("status").asText(), listed.toString());
            assertEquals(sha256(model), listed.get(0).get("sha256").asText());
            run(Duration.ofSeconds(60), "rm", "-f", other).check("removing " + other);
        } finally {
            try (Stream<Path> files = Files.walk(models)) {
                for (Path f : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Test
    @Order(9)
    void aHostNameInHostIsResolvedInTheImage() throws Exception {
        // Binding to a name, not an address, takes the name-resolution path (which the slim runtime's module set
        // must support without java.naming): the server must come up listening, with nothing logged in error.
        String other = start(MODELS, Map.of("HOST", "localhost"));
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        String logs = "";
        while (System.nanoTime() < deadline && !logs.contains("listening on localhost:8080")) {
            Thread.sleep(200);
            Command.Result r = run(Duration.ofSeconds(30), "logs", other);
            logs = r.out() + r.err();
            JsonNode state = inspect("container", other).get("State");
            assertTrue(state.get("Running").asBoolean(), "exited (" + state.get("ExitCode") + "):\n" + logs);
        }
        assertTrue(logs.contains("listening on localhost:8080"), "not listening on localhost:8080:\n" + logs);
        assertFalse(logs.contains("SEVERE") || logs.contains("Exception"), logs);
        run(Duration.ofSeconds(60), "rm", "-f", other).check("removing " + other);
    }

    @Test
    @Order(6)
    void theImageHasNoShell() {
        for (String shell : List.of("sh", "/bin/sh", "/bin/bash", "/busybox/sh")) {
            Command.Result r = run(Duration.ofSeconds(60), "exec", container, shell, "-c", "true");
            assertNotEquals(0, r.code(), shell + " ran in the image: " + r.out() + r.err());
        }
    }

    @Test
    @Order(7)
    void theImageConfigDeclaresUserPortModelsAndLabels() throws Exception {
        JsonNode image = inspect("image", imageId);
        JsonNode config = image.has("Config") ? image.get("Config") : image.get("config");
        assertEquals("65532", config.get("User").asText());
        assertTrue(config.get("ExposedPorts").has("8080/tcp"), config.toString());
        List<String> env = new ArrayList<>();
        config.get("Env").forEach(e -> env.add(e.asText()));
        assertTrue(env.contains("MODELS_DIR=/app/models"), env.toString());
        JsonNode labels = config.get("Labels");
        assertEquals(
                Engine.lib(null, "version"),
                labels.get("org.opencontainers.image.version").asText());
        assertTrue(
                labels.get("org.opencontainers.image.revision").asText().matches("[0-9a-f]{40}(-dirty)?"),
                labels.toString());
        assertTrue(labels.get("org.opencontainers.image.source").asText().startsWith("https://"), labels.toString());
        // The running process really is uid 65532 on a read-only root.
        JsonNode running = inspect("container", container);
        assertEquals("65532:65532", running.get("Config").get("User").asText());
        assertTrue(running.get("HostConfig").get("ReadonlyRootfs").asBoolean());
    }

    @Test
    @Order(8)
    void theLogsShowNoMissingClassOrModule() {
        String logs = logs();
        for (String sign : List.of(
                "NoClassDefFoundError",
                "ClassNotFoundException",
                "UnsatisfiedLinkError",
                "NoSuchMethodError",
                "Exception in thread",
                "Unable to create folder",
                "Read-only file system")) {
            assertFalse(logs.contains(sign), sign + " in the logs:\n" + logs);
        }
    }

    /**
     * STORE=postgres in the image: the database client's JDK modules are in the runtime, the schema is migrated,
     * tasks round-trip. The container shares the host's network (no port to publish) to reach the test's
     * PostgreSQL on loopback; every other hardening flag stays.
     */
    @Test
    @Order(10)
    void tasksLiveInPostgresqlWithStorePostgres() throws Exception {
        PostgresServer postgres = PostgresServer.shared();
        String database = postgres.createDatabase();
        int port = FreePort.pick();
        String name = startOnPostgres(postgres, database, port);
        String url = "http://127.0.0.1:" + port;
        String previous = container;
        container = name;
        try {
            awaitStatus(url, 200);
            HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(url + "/tasks"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"in the database\"}")));
            assertEquals(201, created.statusCode(), created.body());
            String id = JSON.readTree(created.body()).get("id").asText();
            assertEquals(
                    1,
                    postgres.inDatabase(database, "SELECT 1 FROM tasks WHERE id = " + id.substring("task_".length()))
                            .size(),
                    "the task is a row in PostgreSQL");
            assertEquals(200, get(url + "/tasks/" + id).statusCode());
        } finally {
            container = previous;
        }
    }

    /**
     * The image on {@code database} (STORE=postgres), sharing the host's network (no port to publish) to reach the
     * test's PostgreSQL on loopback; every other hardening flag stays. {@code engineArgs} go to `run` as well.
     * Returns the container's name; it is removed after the class.
     */
    String startOnPostgres(PostgresServer postgres, String database, int port, String... engineArgs) {
        String name = "task-api-ctest-pg-" + variant() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "host"));
        List<String> flags = Engine.runFlags(engine(), MODELS);
        for (int i = 0; i < flags.size(); i++) {
            if (flags.get(i).equals("-p")) {
                i++; // host networking publishes nothing
            } else {
                args.add(flags.get(i));
            }
        }
        args.addAll(List.of(engineArgs));
        Map<String, String> env = new TreeMap<>(extraEnv());
        env.putAll(postgres.environment(database));
        env.putAll(Map.of("STORE", "postgres", "HOST", "127.0.0.1", "PORT", Integer.toString(port)));
        env.forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        args.add(imageId);
        run(Duration.ofMinutes(2), args.toArray(String[]::new)).check("starting " + variant() + " on PostgreSQL");
        containers.add(name);
        return name;
    }

    @Test
    @Order(100)
    void sigtermStopsItWithExitCodeZeroWithinTheGracePeriod() throws Exception {
        long started = System.nanoTime();
        run(Duration.ofSeconds(30), "kill", "--signal", "TERM", container).check("SIGTERM");
        JsonNode state;
        do {
            Thread.sleep(100);
            state = inspect("container", container).get("State");
        } while (state.get("Running").asBoolean() && System.nanoTime() - started < GRACE.toNanos());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertFalse(state.get("Running").asBoolean(), "still running " + took + " after SIGTERM:\n" + logs());
        assertEquals(0, state.get("ExitCode").asInt(), "exit code after SIGTERM; logs:\n" + logs());
        assertFalse(state.path("OOMKilled").asBoolean());
        System.out.println("[" + variant() + "] SIGTERM -> exit 0 in " + took.toMillis() + " ms");
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }
}
