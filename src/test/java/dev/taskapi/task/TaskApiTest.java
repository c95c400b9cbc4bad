package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.ServiceTest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

/** The HTTP surface of the Task API that does not depend on the store (the store's part: {@link TaskStoreContract}). */
class TaskApiTest extends ServiceTest {

  private Future<JsonObject> create(JsonObject body) {
    return service.post("/tasks", body).map(r -> {
      assertEquals(201, r.statusCode(), r.bodyAsString());
      return r.bodyAsJsonObject();
    });
  }

  @Test
  void seedHealthEndpointKeepsItsBody(VertxTestContext ctx) {
    service.get("/health").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode());
      assertEquals(new JsonObject().put("status", "healthy").put("service", "task-api"), r.bodyAsJsonObject());
      ctx.completeNow();
    })));
  }

  @Test
  void badListParametersReturn400(VertxTestContext ctx) {
    Future.all(java.util.List.of(service.get("/tasks?limit=0"), service.get("/tasks?limit=1001"),
            service.get("/tasks?offset=-1"), service.get("/tasks?priority=6"), service.get("/tasks?completed=yes"),
            service.get("/tasks?limit=abc")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          String[] names = {"limit", "limit", "offset", "priority", "completed", "limit"};
          for (int i = 0; i < names.length; i++) {
            io.vertx.ext.web.client.HttpResponse<?> r = all.resultAt(i);
            assertEquals(400, r.statusCode());
            assertTrue(r.bodyAsJsonObject().getString("detail").contains("'" + names[i] + "'"), r.bodyAsString());
          }
          ctx.completeNow();
        })));
  }

  @Test
  void patchValidatesLikeCreate(VertxTestContext ctx) {
    create(new JsonObject().put("title", "x"))
        .compose(t -> service.patch("/tasks/" + t.getString("id"), new JsonObject().put("priority", 9).put("completed", "yes")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(422, r.statusCode());
          JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
          assertEquals("priority", errors.getJsonObject(0).getString("field"));
          assertEquals("completed", errors.getJsonObject(1).getString("field"));
          ctx.completeNow();
        })));
  }

  @Test
  void unknownRouteReturns404Problem(VertxTestContext ctx) {
    service.get("/nowhere").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(404, r.statusCode());
      assertEquals("application/problem+json", r.getHeader("Content-Type"));
      assertTrue(r.bodyAsJsonObject().getString("detail").contains("/nowhere"));
      ctx.completeNow();
    })));
  }

  @Test
  void wrongMethodReturns405Problem(VertxTestContext ctx) {
    service.client.put("/tasks").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(405, r.statusCode());
      assertEquals("GET, POST", r.getHeader("Allow"));
      assertEquals("application/problem+json", r.getHeader("Content-Type"));
      assertEquals(405, r.bodyAsJsonObject().getInteger("status"));
      ctx.completeNow();
    })));
  }
}
