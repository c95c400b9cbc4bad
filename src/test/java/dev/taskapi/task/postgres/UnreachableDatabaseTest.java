package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.FreePort;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STORE=postgres with nothing listening at the database's address (no PostgreSQL needed): the service starts,
 * is live but not ready, and answers every task request at once with a 503 problem.
 */
class UnreachableDatabaseTest {
    @TempDir
    Path models;

    RunningService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop().await();
        }
    }

    @Test
    void theServiceStartsLiveButNotReadyAndTaskRequestsGetA503AtOnce() throws IOException {
        int closedPort = FreePort.pick();
        service = RunningService.start(TestConfig.of(
                        models,
                        Map.of(
                                "STORE",
                                "postgres",
                                "DATABASE_URL",
                                "postgresql://nobody:secret@127.0.0.1:" + closedPort + "/tasks")))
                .await();

        assertEquals(200, service.get("/health/live").await().statusCode());
        HttpResponse<Buffer> ready = service.get("/health/ready").await();
        assertEquals(503, ready.statusCode());
        assertTrue(ready.bodyAsString().contains("task database"), ready.bodyAsString());

        for (String uri : List.of("/tasks", "/tasks/task_1")) {
            long started = System.nanoTime();
            HttpResponse<Buffer> r = service.get(uri).await();
            assertEquals(503, r.statusCode(), uri);
            assertEquals("application/problem+json", r.getHeader("Content-Type"));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 1000, uri + " answered at once");
        }
        HttpResponse<Buffer> create =
                service.post("/tasks", new JsonObject().put("title", "t")).await();
        assertEquals(503, create.statusCode());
        assertTrue(create.bodyAsJsonObject().getString("detail").contains("retry later"), create.bodyAsString());
    }
}
