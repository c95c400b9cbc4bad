package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Task API's contract, the same for every store: each store's test extends this class and says, in
 * {@link #storeEnvironment}, how to configure the service for it. Every test starts from an empty store.
 */
public abstract class TaskStoreContract {
    /** ISO-8601 with an offset, as ISO_OFFSET_DATE_TIME writes it: at most microseconds, "Z" for UTC. */
    static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d{1,6})?)?(Z|[+-]\\d\\d:\\d\\d)";

    @TempDir
    Path models;

    protected RunningService service;

    /** The service's environment that selects and configures the store under test, on an empty store. */
    protected abstract Map<String, String> storeEnvironment();

    @BeforeEach
    void startService() {
        service =
                RunningService.start(TestConfig.of(models, storeEnvironment())).await();
    }

    @AfterEach
    void stopService() {
        if (service != null) {
            service.stop().await();
        }
    }

    @Test
    void createReturns201WithLocationAndTheTask() {
        HttpResponse<Buffer> r = service.post(
                        "/tasks",
                        new JsonObject()
                                .put("title", "  ship it  ")
                                .put("description", "small image")
                                .put("priority", 3))
                .await();
        assertEquals(201, r.statusCode(), r.bodyAsString());
        JsonObject task = r.bodyAsJsonObject();
        assertEquals("/tasks/" + task.getString("id"), r.getHeader("Location"));
        assertTrue(task.getString("id").matches("task_[1-9][0-9]*"), task.getString("id"));
        assertEquals("ship it", task.getString("title"));
        assertEquals("small image", task.getString("description"));
        assertEquals(3, task.getInteger("priority"));
        assertFalse(task.getBoolean("completed"));
        assertTrue(task.getString("created_at").matches(TIMESTAMP), task.getString("created_at"));
        assertEquals(
                List.of("id", "title", "description", "priority", "created_at", "completed"),
                new ArrayList<>(task.fieldNames()),
                "the original FastAPI app's fields, in its order");
    }

    @Test
    void priorityDefaultsToOneAndDescriptionToNull() {
        JsonObject task = create(new JsonObject().put("title", "t").put("ignored", "unknown fields are ignored"));
        assertEquals(1, task.getInteger("priority"));
        assertTrue(task.containsKey("description"));
        assertNull(task.getValue("description"));
        assertFalse(task.containsKey("ignored"));
    }

    @Test
    void getReturnsTheCreatedTaskAsCreated() {
        JsonObject task = create(new JsonObject().put("title", "read me").put("description", "任务 ✓ 🚀"));
        HttpResponse<Buffer> r = service.get("/tasks/" + task.getString("id")).await();
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.getHeader("Content-Type"));
        assertEquals(task, r.bodyAsJsonObject());
    }

    @Test
    void longestTitleAndDescriptionInAnyScriptRoundTrip() {
        String title = "🚀".repeat(TaskValidator.TITLE_MAX);
        String description = "任".repeat(TaskValidator.DESCRIPTION_MAX);
        JsonObject task = create(new JsonObject().put("title", title).put("description", description));
        JsonObject read = service.get("/tasks/" + task.getString("id")).await().bodyAsJsonObject();
        assertEquals(title, read.getString("title"));
        assertEquals(description, read.getString("description"));
    }

    @Test
    void textNoStoreCanKeepAsGivenIsRefusedWith422AndNothingIsCreated() {
        for (String body : List.of(
                "{\"title\":\"a\\u0000b\"}",
                "{\"title\":\"t\",\"description\":\"\\u0000\"}",
                "{\"title\":\"a\\ud800b\"}",
                "{\"title\":\"t\",\"description\":\"\\udc00\"}")) {
            HttpResponse<Buffer> r = service.client
                    .post("/tasks")
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer(body))
                    .await();
            assertEquals(422, r.statusCode(), body + " -> " + r.bodyAsString());
        }
        JsonObject task = create(new JsonObject().put("title", "t"));
        HttpResponse<Buffer> patch = service.client
                .patch("/tasks/" + task.getString("id"))
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"title\":\"\\u0000\"}"))
                .await();
        assertEquals(422, patch.statusCode(), patch.bodyAsString());
        assertEquals("1", service.get("/tasks").await().getHeader("X-Total-Count"));
    }

    @Test
    void unknownTaskReturns404WithTheOriginalDetail() {
        for (String uri : List.of("/tasks/task_999", "/tasks/not-an-id", "/tasks/task_0")) {
            HttpResponse<Buffer> r = service.get(uri).await();
            assertEquals(404, r.statusCode());
            assertEquals("application/problem+json", r.getHeader("Content-Type"));
            assertEquals("Task not found", r.bodyAsJsonObject().getString("detail"));
        }
        assertEquals(
                404,
                service.patch("/tasks/task_42", new JsonObject().put("title", "x"))
                        .await()
                        .statusCode());
        assertEquals(
                404,
                service.client.patch("/tasks/task_42/complete").send().await().statusCode());
        assertEquals(404, service.client.delete("/tasks/task_42").send().await().statusCode());
    }

    @Test
    void emptyListIsAnEmptyArray() {
        HttpResponse<Buffer> r = service.get("/tasks").await();
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        assertEquals("0", r.getHeader("X-Total-Count"));
        assertNull(r.getHeader("Link"));
    }

    @Test
    void listReturnsTasksInCreationOrderWithTotalCount() {
        List<String> ids = new ArrayList<>();
        for (String title : List.of("first", "second", "third")) {
            ids.add(create(new JsonObject().put("title", title)).getString("id"));
        }
        HttpResponse<Buffer> r = service.get("/tasks").await();
        assertEquals(200, r.statusCode());
        assertEquals(ids, idsOf(r.bodyAsJsonArray()));
        assertEquals("first", r.bodyAsJsonArray().getJsonObject(0).getString("title"));
        assertEquals("3", r.getHeader("X-Total-Count"));
        assertTrue(
                number(ids.get(0)) < number(ids.get(1)) && number(ids.get(1)) < number(ids.get(2)),
                "ids grow in creation order: " + ids);
    }

    @Test
    void listFiltersByCompletedAndPriorityWithTheirTotals() {
        String a = create(new JsonObject().put("title", "a").put("priority", 2)).getString("id");
        String b = create(new JsonObject().put("title", "b").put("priority", 5)).getString("id");
        String c = create(new JsonObject().put("title", "c").put("priority", 5)).getString("id");
        String d = create(new JsonObject().put("title", "d").put("priority", 2)).getString("id");
        complete(b);
        complete(d);
        assertListing("/tasks?completed=true", List.of(b, d), 2);
        assertListing("/tasks?completed=false", List.of(a, c), 2);
        assertListing("/tasks?priority=5", List.of(b, c), 2);
        assertListing("/tasks?completed=false&priority=5", List.of(c), 1);
        assertListing("/tasks?completed=true&priority=2", List.of(d), 1);
        assertListing("/tasks?priority=4", List.of(), 0);
    }

    @Test
    void listPaginatesWithOffsetLimitTotalAndNextLink() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(create(new JsonObject().put("title", "t" + i).put("priority", i % 2 + 1))
                    .getString("id"));
        }
        HttpResponse<Buffer> r = service.get("/tasks?offset=1&limit=2").await();
        assertEquals(ids.subList(1, 3), idsOf(r.bodyAsJsonArray()));
        assertEquals("5", r.getHeader("X-Total-Count"));
        assertEquals("</tasks?offset=3&limit=2>; rel=\"next\"", r.getHeader("Link"));

        HttpResponse<Buffer> last = service.get("/tasks?offset=3&limit=2").await();
        assertEquals(ids.subList(3, 5), idsOf(last.bodyAsJsonArray()));
        assertNull(last.getHeader("Link"));

        HttpResponse<Buffer> beyond = service.get("/tasks?offset=10").await();
        assertEquals(new JsonArray(), beyond.bodyAsJsonArray());
        assertEquals("5", beyond.getHeader("X-Total-Count"), "the total counts past the last page too");

        HttpResponse<Buffer> filtered = service.get("/tasks?priority=2&limit=1").await();
        assertEquals(List.of(ids.get(0)), idsOf(filtered.bodyAsJsonArray()));
        assertEquals("3", filtered.getHeader("X-Total-Count"));
        assertEquals("</tasks?priority=2&offset=1&limit=1>; rel=\"next\"", filtered.getHeader("Link"));
    }

    @Test
    void patchChangesOnlyTheGivenFieldsAndCanClearTheDescription() {
        JsonObject task = create(
                new JsonObject().put("title", "old").put("description", "keep").put("priority", 2));
        String uri = "/tasks/" + task.getString("id");

        HttpResponse<Buffer> r = service.patch(
                        uri, new JsonObject().put("title", "new").put("completed", true))
                .await();
        assertEquals(200, r.statusCode(), r.bodyAsString());
        JsonObject updated = r.bodyAsJsonObject();
        assertEquals(task.copy().put("title", "new").put("completed", true), updated);

        JsonObject cleared = service.patch(uri, new JsonObject().putNull("description"))
                .await()
                .bodyAsJsonObject();
        assertTrue(cleared.containsKey("description"));
        assertNull(cleared.getValue("description"));
        assertEquals(updated.copy().putNull("description"), cleared);

        JsonObject untouched = service.patch(uri, new JsonObject()).await().bodyAsJsonObject();
        assertEquals(cleared, untouched, "an empty patch changes nothing");

        JsonObject reopened = service.patch(
                        uri,
                        new JsonObject()
                                .put("completed", false)
                                .put("priority", 5)
                                .put("description", "back"))
                .await()
                .bodyAsJsonObject();
        assertEquals(cleared.copy().put("completed", false).put("priority", 5).put("description", "back"), reopened);
        assertEquals(reopened, service.get(uri).await().bodyAsJsonObject(), "the patch was stored");
    }

    @Test
    void patchValidatesLikeCreateAndChangesNothing() {
        JsonObject task = create(new JsonObject().put("title", "x"));
        String uri = "/tasks/" + task.getString("id");
        HttpResponse<Buffer> r = service.patch(
                        uri, new JsonObject().put("priority", 9).put("title", ""))
                .await();
        assertEquals(422, r.statusCode());
        assertEquals(task, service.get(uri).await().bodyAsJsonObject());
    }

    @Test
    void concurrentPatchesOfDifferentFieldsAllApply() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(create(new JsonObject().put("title", "t" + i)).getString("id"));
        }
        List<Future<HttpResponse<Buffer>>> patches = new ArrayList<>();
        for (String id : ids) {
            patches.add(service.patch("/tasks/" + id, new JsonObject().put("title", "renamed")));
            patches.add(service.patch("/tasks/" + id, new JsonObject().put("priority", 4)));
            patches.add(service.client.patch("/tasks/" + id + "/complete").send());
        }
        Future.all(patches).await();
        patches.forEach(
                p -> assertEquals(200, p.result().statusCode(), p.result().bodyAsString()));
        for (String id : ids) {
            JsonObject task = service.get("/tasks/" + id).await().bodyAsJsonObject();
            assertEquals("renamed", task.getString("title"));
            assertEquals(4, task.getInteger("priority"));
            assertTrue(task.getBoolean("completed"));
        }
    }

    @Test
    void completeMarksTheTaskCompletedAndKeepsTheRest() {
        JsonObject task = create(new JsonObject().put("title", "finish").put("priority", 4));
        HttpResponse<Buffer> r = service.client
                .patch("/tasks/" + task.getString("id") + "/complete")
                .send()
                .await();
        assertEquals(200, r.statusCode());
        assertEquals(task.copy().put("completed", true), r.bodyAsJsonObject());
    }

    @Test
    void deleteReturns204ThenTheTaskIsGoneAndItsIdIsNeverReused() {
        String first = create(new JsonObject().put("title", "one")).getString("id");
        String doomed = create(new JsonObject().put("title", "doomed")).getString("id");
        assertEquals(
                204, service.client.delete("/tasks/" + doomed).send().await().statusCode());
        assertEquals(404, service.get("/tasks/" + doomed).await().statusCode());
        assertEquals(
                404, service.client.delete("/tasks/" + doomed).send().await().statusCode());
        String after = create(new JsonObject().put("title", "after")).getString("id");
        assertNotEquals(doomed, after);
        assertTrue(number(after) > number(doomed), "a new id is larger than any before it: " + after);
        assertListing("/tasks", List.of(first, after), 2);
    }

    protected JsonObject create(JsonObject body) {
        HttpResponse<Buffer> r = service.post("/tasks", body).await();
        assertEquals(201, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject();
    }

    private void complete(String id) {
        assertEquals(
                200,
                service.client
                        .patch("/tasks/" + id + "/complete")
                        .send()
                        .await()
                        .statusCode());
    }

    private void assertListing(String uri, List<String> ids, int total) {
        HttpResponse<Buffer> r = service.get(uri).await();
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(ids, idsOf(r.bodyAsJsonArray()), uri);
        assertEquals(Integer.toString(total), r.getHeader("X-Total-Count"), uri);
    }

    protected static List<String> idsOf(JsonArray tasks) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            ids.add(tasks.getJsonObject(i).getString("id"));
        }
        return ids;
    }

    protected static long number(String id) {
        return TaskId.parse(id).orElseThrow();
    }
}
