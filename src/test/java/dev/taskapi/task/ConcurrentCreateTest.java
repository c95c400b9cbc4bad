package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskapi.testing.ServiceTest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The original FastAPI app's len(tasks)+1 ids collided under concurrency; ours must not, across event loops. */
class ConcurrentCreateTest extends ServiceTest {
    static final int CREATES = 4000;

    @Override
    protected Map<String, String> environment() {
        return Map.of("INSTANCES", "4");
    }

    @Test
    void thousandsOfConcurrentCreatesGetUniqueIdsAndNoneIsLost() {
        List<Future<String>> creates = new ArrayList<>();
        for (int i = 0; i < CREATES; i++) {
            creates.add(service.post("/tasks", new JsonObject().put("title", "task " + i))
                    .map(r -> {
                        assertEquals(201, r.statusCode(), r.bodyAsString());
                        return r.bodyAsJsonObject().getString("id");
                    }));
        }
        Future.all(creates).await();

        Set<String> ids = new HashSet<>();
        creates.forEach(f -> ids.add(f.result()));
        assertEquals(CREATES, ids.size(), "every create got its own id");
        Set<String> stored = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (int offset = 0; offset < CREATES; offset += 1000) {
            JsonArray page =
                    service.get("/tasks?limit=1000&offset=" + offset).await().bodyAsJsonArray();
            for (int i = 0; i < page.size(); i++) {
                stored.add(page.getJsonObject(i).getString("id"));
                titles.add(page.getJsonObject(i).getString("title"));
            }
        }
        assertEquals(ids, stored, "the store holds exactly the created tasks");
        assertEquals(CREATES, titles.size(), "no task was overwritten by another");
    }
}
