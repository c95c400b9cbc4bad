package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the service on one database, as two replicas behind a load balancer, each batching its
 * concurrent creates (one INSERT for many) at the same time as the other.
 */
class TwoReplicasIT {
    static final int CREATES = 4000;

    @TempDir
    Path models;

    final List<RunningService> replicas = new ArrayList<>();

    @AfterEach
    void stopReplicas() {
        replicas.forEach(r -> r.stop().await());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void thousandsOfConcurrentBatchedCreatesOnTwoReplicasGetUniqueIdsAndNoneIsLost() {
        PostgresServer server = PostgresServer.shared();
        String database = server.createDatabase();
        Map<String, String> env = new java.util.HashMap<>(server.environment(database));
        env.put("INSTANCES", "2");
        RunningService a = start(env);
        RunningService b = start(env);

        List<Future<HttpResponse<Buffer>>> creates = new ArrayList<>();
        for (int i = 0; i < CREATES; i++) {
            RunningService replica = i % 2 == 0 ? a : b;
            creates.add(replica.post("/tasks", new JsonObject().put("title", "task " + i)));
        }
        Future.all(creates).await();

        Set<String> ids = new HashSet<>();
        for (int i = 0; i < CREATES; i++) {
            HttpResponse<Buffer> create = creates.get(i).result();
            assertEquals(201, create.statusCode(), create.bodyAsString());
            ids.add(create.bodyAsJsonObject().getString("id"));
            assertEquals(
                    "task " + i,
                    create.bodyAsJsonObject().getString("title"),
                    "each create gets the task made from it");
        }
        assertEquals(CREATES, ids.size(), "every create got its own id");
        long transactions = server.inDatabase(database, "SELECT count(DISTINCT xmin::text) FROM tasks")
                .iterator()
                .next()
                .getLong(0);
        assertTrue(transactions < CREATES / 4, "both replicas batch their creates: " + transactions + " transactions");
        assertEquals(ids, listAll(a), "replica A lists every task, B's too");
        assertEquals(ids, listAll(b), "replica B lists every task, A's too");
        String createdByA = creates.get(0).result().bodyAsJsonObject().getString("id");
        assertEquals(
                creates.get(0).result().bodyAsJsonObject(),
                b.get("/tasks/" + createdByA).await().bodyAsJsonObject());
    }

    private RunningService start(Map<String, String> env) {
        RunningService replica =
                RunningService.start(TestConfig.of(models, env)).await();
        replicas.add(replica);
        return replica;
    }

    private static Set<String> listAll(RunningService replica) {
        Set<String> ids = new HashSet<>();
        for (int offset = 0; offset < CREATES; offset += 1000) {
            HttpResponse<Buffer> page =
                    replica.get("/tasks?limit=1000&offset=" + offset).await();
            assertEquals(Integer.toString(CREATES), page.getHeader("X-Total-Count"));
            JsonArray tasks = page.bodyAsJsonArray();
            for (int i = 0; i < tasks.size(); i++) {
                ids.add(tasks.getJsonObject(i).getString("id"));
            }
        }
        return ids;
    }
}
