package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskapi.testing.DeploymentLimits;
import dev.taskapi.testing.FreePort;
import dev.taskapi.testing.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

class SlimImageIT extends ImageContract {
    static final int CONNECTIONS = 256;
    static final int TASKS = 1000;
    static final Duration LOAD = Duration.ofSeconds(20);

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
