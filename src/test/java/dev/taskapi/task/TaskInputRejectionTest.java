package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.ServiceTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input of every kind gets a 4xx problem with a detail that names the rule, creates nothing, and leaves
 * the service healthy.
 */
class TaskInputRejectionTest extends ServiceTest {
    @Override
    protected Map<String, String> environment() {
        return Map.of("MAX_TASKS", "3");
    }

    static Stream<Arguments> invalidBodies() {
        String longTitle = "x".repeat(201);
        return Stream.of(
                Arguments.of("{}", "title", "is required"),
                Arguments.of("{\"title\":null}", "title", "must be a string"),
                Arguments.of("{\"title\":42}", "title", "must be a string"),
                Arguments.of("{\"title\":true}", "title", "must be a string"),
                Arguments.of("{\"title\":[\"a\"]}", "title", "must be a string"),
                Arguments.of("{\"title\":\"   \"}", "title", "must not be empty"),
                Arguments.of("{\"title\":\"\"}", "title", "must not be empty"),
                Arguments.of("{\"title\":\"" + longTitle + "\"}", "title", "at most 200"),
                Arguments.of("{\"title\":\"t\",\"description\":7}", "description", "must be a string or null"),
                Arguments.of(
                        "{\"title\":\"t\",\"description\":\"" + "d".repeat(2001) + "\"}",
                        "description",
                        "at most 2000"),
                Arguments.of("{\"title\":\"t\",\"priority\":0}", "priority", "from 1 to 5"),
                Arguments.of("{\"title\":\"t\",\"priority\":6}", "priority", "from 1 to 5"),
                Arguments.of("{\"title\":\"t\",\"priority\":-1}", "priority", "from 1 to 5"),
                Arguments.of("{\"title\":\"t\",\"priority\":1e23}", "priority", "decimal"),
                Arguments.of("{\"title\":\"t\",\"priority\":2.0}", "priority", "decimal"),
                Arguments.of("{\"title\":\"t\",\"priority\":2.5}", "priority", "decimal"),
                Arguments.of("{\"title\":\"t\",\"priority\":99999999999999999999999}", "priority", "from 1 to 5"),
                Arguments.of("{\"title\":\"t\",\"priority\":\"3\"}", "priority", "a string"),
                Arguments.of("{\"title\":\"t\",\"priority\":true}", "priority", "a boolean"),
                Arguments.of("{\"title\":\"t\",\"priority\":null}", "priority", "null"));
    }

    @ParameterizedTest
    @MethodSource("invalidBodies")
    void invalidFieldReturns422NamingFieldAndRule(String body, String field, String rule) {
        var r = postRaw("application/json", body).await();
        assertEquals(422, r.statusCode(), r.bodyAsString());
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        JsonObject problem = r.bodyAsJsonObject();
        assertEquals(422, problem.getInteger("status"));
        assertTrue(problem.getString("detail").startsWith(field + ": "), problem.getString("detail"));
        assertTrue(problem.getString("detail").contains(rule), problem.getString("detail"));
        assertEquals(field, problem.getJsonArray("errors").getJsonObject(0).getString("field"));
    }

    static Stream<Arguments> unreadableBodies() {
        return Stream.of(
                Arguments.of("", "empty"),
                Arguments.of("{\"title\":", "not valid JSON"),
                Arguments.of("not json", "not valid JSON"),
                Arguments.of("[{\"title\":\"t\"}]", "must be a JSON object"),
                Arguments.of("\"title\"", "must be a JSON object"),
                Arguments.of("42", "must be a JSON object"),
                Arguments.of("null", "must be a JSON object"),
                Arguments.of("{\"title\":\"a\",\"title\":\"b\"}", "Duplicate field"),
                Arguments.of("{\"title\":\"a\"} {\"title\":\"b\"}", "not valid JSON"),
                Arguments.of("[".repeat(5000), "not valid JSON"));
    }

    @ParameterizedTest
    @MethodSource("unreadableBodies")
    void unreadableBodyReturns400(String body, String reason) {
        var r = postRaw("application/json", body).await();
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertTrue(r.bodyAsJsonObject().getString("detail").contains(reason), r.bodyAsString());
    }

    @Test
    void nonJsonContentTypeReturns415() {
        for (var r : List.of(
                postRaw("text/plain", "{\"title\":\"t\"}").await(),
                postRaw(null, "{\"title\":\"t\"}").await(),
                postRaw("application/x-www-form-urlencoded", "title=t").await())) {
            assertEquals(415, r.statusCode());
            assertTrue(r.bodyAsJsonObject().getString("detail").contains("application/json"));
        }
    }

    @Test
    void jsonWithCharsetIsAccepted() {
        assertEquals(
                201,
                postRaw("application/json; charset=utf-8", "{\"title\":\"t\"}")
                        .await()
                        .statusCode());
    }

    @Test
    void bodyOver64KiBReturns413() {
        String huge = "{\"title\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
        var r = postRaw("application/json", huge).await();
        assertEquals(413, r.statusCode());
        assertTrue(r.bodyAsJsonObject().getString("detail").contains("64 KiB"));
    }

    @Test
    void fullStoreReturns507AndKeepsEveryTask() {
        JsonObject body = new JsonObject().put("title", "t");
        for (int i = 0; i < 3; i++) {
            assertEquals(201, service.post("/tasks", body).await().statusCode());
        }
        var full = service.post("/tasks", body).await();
        assertEquals(507, full.statusCode());
        assertTrue(full.bodyAsJsonObject().getString("detail").contains("MAX_TASKS"));
        assertEquals(3, service.get("/tasks").await().bodyAsJsonArray().size());
    }

    @Test
    void afterEveryKindOfBadInputNothingIsCreatedAndTheServiceStaysReady() {
        List<Future<HttpResponse<Buffer>>> bad = Stream.concat(
                        invalidBodies().map(a -> postRaw("application/json", (String) a.get()[0])),
                        unreadableBodies().map(a -> postRaw("application/json", (String) a.get()[0])))
                .toList();
        Future.all(bad).await();

        assertEquals("0", service.get("/tasks").await().getHeader("X-Total-Count"));
        assertEquals(200, service.get("/health/ready").await().statusCode());
    }

    private Future<HttpResponse<Buffer>> postRaw(String contentType, String body) {
        var request = service.client.post("/tasks");
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        return request.sendBuffer(Buffer.buffer(body));
    }
}
