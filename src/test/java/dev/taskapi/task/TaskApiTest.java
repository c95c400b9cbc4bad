package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.ServiceTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP surface of the Task API that does not depend on the store (the store's part: {@link TaskStoreContract}). */
class TaskApiTest extends ServiceTest {

    @Test
    void originalHealthEndpointKeepsItsBody() {
        var r = service.get("/health").await();
        assertEquals(200, r.statusCode());
        assertEquals(new JsonObject().put("status", "healthy").put("service", "task-api"), r.bodyAsJsonObject());
    }

    @Test
    void badListParametersReturn400NamingTheParameter() {
        Map<String, String> queries = Map.of(
                "limit=0",
                "limit",
                "limit=1001",
                "limit",
                "offset=-1",
                "offset",
                "priority=6",
                "priority",
                "completed=yes",
                "completed",
                "limit=abc",
                "limit");
        queries.forEach((query, name) -> {
            var r = service.get("/tasks?" + query).await();
            assertEquals(400, r.statusCode(), query);
            assertTrue(r.bodyAsJsonObject().getString("detail").contains("'" + name + "'"), r.bodyAsString());
        });
    }

    @Test
    void patchValidatesLikeCreate() {
        var created = service.post("/tasks", new JsonObject().put("title", "x")).await();
        assertEquals(201, created.statusCode(), created.bodyAsString());

        var r = service.patch(
                        "/tasks/" + created.bodyAsJsonObject().getString("id"),
                        new JsonObject().put("priority", 9).put("completed", "yes"))
                .await();

        assertEquals(422, r.statusCode());
        JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
        assertEquals("priority", errors.getJsonObject(0).getString("field"));
        assertEquals("completed", errors.getJsonObject(1).getString("field"));
    }

    @Test
    void unknownRouteReturns404Problem() {
        var r = service.get("/nowhere").await();
        assertEquals(404, r.statusCode());
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        assertTrue(r.bodyAsJsonObject().getString("detail").contains("/nowhere"));
    }

    @Test
    void wrongMethodReturns405ProblemWithAllow() {
        var r = service.client.put("/tasks").send().await();
        assertEquals(405, r.statusCode());
        assertEquals("GET, POST", r.getHeader("Allow"));
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        assertEquals(405, r.bodyAsJsonObject().getInteger("status"));
    }

    @Test
    void everyResponseCarriesARequestIdAndKeepsTheCallers() {
        String generated = service.get("/tasks").await().getHeader("X-Request-Id");
        assertTrue(generated != null && generated.length() == 36, "generated: " + generated);
        var echoed = service.client
                .get("/tasks/task_404")
                .putHeader("X-Request-Id", "trace-7")
                .send()
                .await();
        assertEquals("trace-7", echoed.getHeader("X-Request-Id"), "the caller's id, also on an error");
    }
}
