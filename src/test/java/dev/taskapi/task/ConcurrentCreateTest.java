package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskapi.testing.ServiceTest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The original FastAPI app's len(tasks)+1 ids collided under concurrency; ours must not, across event loops. */
class ConcurrentCreateTest extends ServiceTest {
  static final int CREATES = 4000;

  @Override
  protected Map<String, String> environment() {
    return Map.of("INSTANCES", "4");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void thousandsOfConcurrentCreatesGetUniqueIdsAndNoneIsLost(VertxTestContext ctx) {
    List<Future<String>> creates = new ArrayList<>();
    for (int i = 0; i < CREATES; i++) {
      creates.add(service.post("/tasks", new JsonObject().put("title", "task " + i))
          .map(r -> {
            if (r.statusCode() != 201) {
              throw new IllegalStateException("create answered " + r.statusCode() + ": " + r.bodyAsString());
            }
            return r.bodyAsJsonObject().getString("id");
          }));
    }
    Future.all(creates)
        .compose(all -> listAll().map(listed -> {
          ctx.verify(() -> {
            Set<String> ids = new HashSet<>();
            creates.forEach(f -> ids.add(f.result()));
            assertEquals(CREATES, ids.size(), "every create got its own id");
            Set<String> stored = new HashSet<>();
            Set<String> titles = new HashSet<>();
            for (int i = 0; i < listed.size(); i++) {
              stored.add(listed.getJsonObject(i).getString("id"));
              titles.add(listed.getJsonObject(i).getString("title"));
            }
            assertEquals(ids, stored, "the store holds exactly the created tasks");
            assertEquals(CREATES, titles.size(), "no task was overwritten by another");
          });
          return listed;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<JsonArray> listAll() {
    List<Future<JsonArray>> pages = new ArrayList<>();
    for (int offset = 0; offset < CREATES; offset += 1000) {
      pages.add(service.get("/tasks?limit=1000&offset=" + offset).map(r -> r.bodyAsJsonArray()));
    }
    return Future.all(pages).map(all -> {
      JsonArray tasks = new JsonArray();
      pages.forEach(p -> tasks.addAll(p.result()));
      return tasks;
    });
  }
}
