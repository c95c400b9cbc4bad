package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskapi.testing.DeploymentLimits;
import dev.taskapi.testing.FreePort;
import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SlimImageIT extends ImageContract {
    static final int CONNECTIONS = 256;
    static final int TASKS = 1000;
    static final Duration LOAD = Duration.ofSeconds(20);

    /** The TLS tests' PostgreSQL containers and their network, made on first use; their certificates' files. */
    private PostgresTlsContainers tlsDatabases;

    private final Map<TestCa.Keys, PostgresTlsContainers.Database> tlsDatabase = new EnumMap<>(TestCa.Keys.class);
    private Path tlsFiles;

    @Override
    String variant() {
        return "slim";
    }

    /**
     * The deployed image under the deployment's memory and CPU limits, on PostgreSQL, while 256 clients list 1000
     * tasks each, again and again: it keeps answering and is not OOM-killed. With the database client's default
     * pipelining of 256 statements a connection it was, within seconds, at 64 clients; with the heap at half the
     * limit and glibc's default malloc thresholds, at 256 clients under one CPU.
     */
    @Test
    @Order(11)
    void largeListingsOnPostgresqlStayWithinThePodsMemoryLimit() throws Exception {
        String limit = DeploymentLimits.memoryBytes() + "b"; // the engine's unit for bytes
        String cpus = DeploymentLimits.cpus();
        PostgresServer postgres = PostgresServer.shared();
        String database = postgres.createDatabase();
        int port = FreePort.pick();
        String name =
                startOnPostgres(postgres, database, port, "--memory", limit, "--memory-swap", limit, "--cpus", cpus);
        String url = "http://127.0.0.1:" + port;
        awaitStatus(url, 200);
        postgres.inDatabase(
                database,
                "INSERT INTO tasks (title, description, priority) SELECT 'task ' || g, 'listed', 1 + g % 5"
                        + " FROM generate_series(1, " + TASKS + ") g");

        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        List<Throwable> failures = new ArrayList<>();
        // HTTP/1.1: one connection a client, as wrk and most clients behind an ingress (the JDK's client would
        // otherwise upgrade to h2c and fail streams beyond the server's 100 on one connection).
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        HttpRequest listing = HttpRequest.newBuilder(URI.create(url + "/tasks?limit=" + TASKS))
                .timeout(Duration.ofSeconds(10))
                .build();
        long deadline = System.nanoTime() + LOAD.toNanos();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(listUntil(http, listing, deadline, statuses));
        }
        for (CompletableFuture<Void> client : clients) {
            try {
                client.join();
            } catch (RuntimeException e) {
                failures.add(e.getCause() == null ? e : e.getCause());
            }
        }

        JsonNode state = inspect("container", name).get("State");
        assertTrue(
                state.get("Running").asBoolean(),
                "the container stopped under the load (limits " + limit + ", " + cpus + " CPU): " + state + "\n"
                        + run(Duration.ofSeconds(30), "logs", "--tail", "20", name)
                                .out());
        assertFalse(state.path("OOMKilled").asBoolean());
        assertEquals(
                List.of(), failures.stream().map(Throwable::toString).distinct().toList(), "requests that failed");
        assertEquals(Set.of(200), statuses.keySet(), "every listing answered 200: " + statuses);
        System.out.printf(
                "[slim, %s, %s CPU] %d listings of %d tasks from %d clients in %s%n",
                limit, cpus, statuses.get(200).sum(), TASKS, CONNECTIONS, LOAD);
    }

    /**
     * TLS from the slim image's own runtime (the jlink modules of pom.xml's image.jlink.modules), not the build's JDK:
     * with sslmode=verify-full and PGSSLROOTCERT mounted read-only, the image connects over a network of the engine to
     * a PostgreSQL container that admits network connections with TLS only, by the container name its certificate
     * carries; the chain is EC P-256 (ECDSA signatures) or RSA 2048, as managed databases issue either. Readiness is
     * UP, a task is created and read back, and in the database every connection of the service is encrypted.
     */
    @ParameterizedTest(name = "chain {0}")
    @EnumSource(TestCa.Keys.class)
    @Order(12)
    void verifyFullConnectsOverTlsToAPostgresqlContainer(TestCa.Keys keys) throws Exception {
        PostgresTlsContainers.Database db = tlsDatabase(keys);
        String name = start(MODELS, PostgresTlsContainers.environment(db, db.name()), tlsDatabases.clientArgs(db));
        try {
            String url = "http://" + hostPort(name);
            awaitStatus(name, url, 200);
            HttpResponse<String> ready = get(url + "/health/ready");
            assertEquals("UP", JSON.readTree(ready.body()).get("status").asText(), ready.body());

            HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(url + "/tasks"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"over TLS, " + keys + "\"}")));
            assertEquals(201, created.statusCode(), created.body());
            JsonNode task = JSON.readTree(created.body());
            HttpResponse<String> fetched = get(url + "/tasks/" + task.get("id").asText());
            assertEquals(200, fetched.statusCode(), fetched.body());
            assertEquals(task, JSON.readTree(fetched.body()));

            List<List<String>> connections = tlsDatabases.psql(
                    db,
                    "SELECT s.ssl, s.version, s.cipher FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                            + " WHERE a.application_name = 'task-api'");
            assertFalse(connections.isEmpty(), "the service has connections open to " + db.name());
            for (List<String> c : connections) {
                assertEquals("t", c.get(0), "every connection of the service is encrypted: " + connections);
                assertTrue(c.get(1).startsWith("TLSv1."), connections.toString());
            }
            System.out.println("[slim, tls " + keys + "] verify-full to " + db.name() + ": " + connections.size()
                    + " connection(s), " + connections.get(0).get(1) + " "
                    + connections.get(0).get(2));
        } finally {
            run(Duration.ofSeconds(60), "rm", "-f", name).check("removing " + name);
        }
    }

    /**
     * The image's runtime checks the host name too, not only the chain: the same server reached by a name its
     * certificate does not carry is refused, and readiness says so.
     */
    @Test
    @Order(13)
    void verifyFullRefusesACertificateForAnotherHostName() throws Exception {
        PostgresTlsContainers.Database db = tlsDatabase(TestCa.Keys.EC_P256);
        String name = start(MODELS, PostgresTlsContainers.environment(db, db.otherName()), tlsDatabases.clientArgs(db));
        try {
            String url = "http://" + hostPort(name);
            String words = "for another host name";
            long deadline = System.nanoTime() + READY_WITHIN.toNanos();
            String last = "no answer";
            while (System.nanoTime() < deadline && !last.contains(words)) {
                try {
                    HttpResponse<String> ready = get(url + "/health/ready");
                    last = ready.statusCode() + " " + ready.body();
                    if (ready.statusCode() == 503) {
                        last = "503 " + tasksReason(JSON.readTree(ready.body()));
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                if (!last.contains(words)) {
                    Thread.sleep(200);
                }
            }
            assertTrue(
                    last.startsWith("503 ") && last.contains(words),
                    "readiness DOWN saying '" + words + "' within " + READY_WITHIN + " (last: " + last + "); logs:\n"
                            + logs(name));
            System.out.println("[slim, tls] " + db.otherName() + " refused: " + last);
        } finally {
            run(Duration.ofSeconds(60), "rm", "-f", name).check("removing " + name);
        }
    }

    /** The reason of readiness's tasks check, or the whole body when it has none. */
    static String tasksReason(JsonNode ready) {
        for (JsonNode check : ready.path("checks")) {
            if ("tasks".equals(check.path("id").asText())) {
                return check.path("data").path("reason").asText(check.toString());
            }
        }
        return ready.toString();
    }

    /** The TLS database whose chain has {@code keys}, started on first use (with the network, on the first). */
    private PostgresTlsContainers.Database tlsDatabase(TestCa.Keys keys) throws IOException {
        if (tlsFiles == null) {
            tlsFiles = Files.createTempDirectory("task-api-tls-");
        }
        if (tlsDatabases == null) {
            tlsDatabases = PostgresTlsContainers.create(engine(), tlsFiles); // skips (creating nothing) if it must
        }
        PostgresTlsContainers.Database db = tlsDatabase.get(keys);
        if (db == null) {
            db = tlsDatabases.start(keys);
            tlsDatabase.put(keys, db);
        }
        return db;
    }

    /** Before ImageContract's clean-up (JUnit runs a subclass's first): the tests removed their own clients. */
    @AfterAll
    void removeTlsDatabases() throws IOException {
        try {
            if (tlsDatabases != null) {
                tlsDatabases.close();
            }
        } finally {
            if (tlsFiles != null) {
                try (Stream<Path> files = Files.walk(tlsFiles)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    /** One client: the listing again as soon as the previous answer is read, until the deadline. */
    static CompletableFuture<Void> listUntil(
            HttpClient http, HttpRequest listing, long deadline, Map<Integer, LongAdder> statuses) {
        if (System.nanoTime() >= deadline) {
            return CompletableFuture.completedFuture(null);
        }
        return http.sendAsync(listing, HttpResponse.BodyHandlers.discarding()).thenCompose(r -> {
            statuses.computeIfAbsent(r.statusCode(), s -> new LongAdder()).increment();
            return listUntil(http, listing, deadline, statuses);
        });
    }
}
