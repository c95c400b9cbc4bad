package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.task.TaskId;
import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks live in the database, not in the process. */
class ServiceRestartIT {
    @TempDir
    Path models;

    @Test
    void tasksSurviveARestartOfTheServiceAndIdsKeepGrowing() {
        PostgresServer server = PostgresServer.shared();
        Map<String, String> env = server.environment(server.createDatabase());

        RunningService before = RunningService.start(TestConfig.of(models, env)).await();
        JsonObject kept = before.post(
                        "/tasks", new JsonObject().put("title", "kept").put("description", "across restarts"))
                .await()
                .bodyAsJsonObject();
        JsonObject deleted = before.post("/tasks", new JsonObject().put("title", "deleted"))
                .await()
                .bodyAsJsonObject();
        assertEquals(
                204,
                before.client
                        .delete("/tasks/" + deleted.getString("id"))
                        .send()
                        .await()
                        .statusCode());
        before.stop().await();

        RunningService after = RunningService.start(TestConfig.of(models, env)).await();
        try {
            assertEquals(
                    kept, after.get("/tasks/" + kept.getString("id")).await().bodyAsJsonObject());
            assertEquals(new JsonArray().add(kept), after.get("/tasks").await().bodyAsJsonArray());
            String next = after.post("/tasks", new JsonObject().put("title", "next"))
                    .await()
                    .bodyAsJsonObject()
                    .getString("id");
            assertTrue(
                    TaskId.parse(next).orElseThrow()
                            > TaskId.parse(deleted.getString("id")).orElseThrow(),
                    "the deleted task's id is not handed out again after a restart: " + next);
        } finally {
            after.stop().await();
        }
    }
}
