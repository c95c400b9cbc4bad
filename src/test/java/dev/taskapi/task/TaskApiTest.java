package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.ServiceTest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

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
  void createReturns201WithLocationAndTheTask(VertxTestContext ctx) {
    service.post("/tasks", new JsonObject().put("title", "  ship it  ").put("description", "small image").put("priority", 3))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(201, r.statusCode());
          JsonObject task = r.bodyAsJsonObject();
          assertEquals("/tasks/" + task.getString("id"), r.getHeader("Location"));
          assertTrue(task.getString("id").matches("task_[1-9][0-9]*"));
          assertEquals("ship it", task.getString("title"));
          assertEquals("small image", task.getString("description"));
          assertEquals(3, task.getInteger("priority"));
          assertFalse(task.getBoolean("completed"));
          OffsetDateTime.parse(task.getString("created_at"));
          assertEquals(6, task.size(), "exactly the seed's fields: " + task);
          ctx.completeNow();
        })));
  }

  @Test
  void priorityDefaultsToOneAndDescriptionToNull(VertxTestContext ctx) {
    create(new JsonObject().put("title", "t").put("ignored", "unknown fields are ignored"))
        .onComplete(ctx.succeeding(task -> ctx.verify(() -> {
          assertEquals(1, task.getInteger("priority"));
          assertTrue(task.containsKey("description"));
          assertNull(task.getValue("description"));
          assertFalse(task.containsKey("ignored"));
          ctx.completeNow();
        })));
  }

  @Test
  void getReturnsTheCreatedTask(VertxTestContext ctx) {
    create(new JsonObject().put("title", "read me"))
        .compose(task -> service.get("/tasks/" + task.getString("id")).map(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode());
            assertEquals("application/json", r.getHeader("Content-Type"));
            assertEquals(task, r.bodyAsJsonObject());
          });
          return r;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void unknownTaskReturns404WithTheSeedsDetail(VertxTestContext ctx) {
    Future.all(service.get("/tasks/task_999"), service.get("/tasks/not-an-id"), service.get("/tasks/task_0"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 3; i++) {
            io.vertx.ext.web.client.HttpResponse<?> r = all.resultAt(i);
            assertEquals(404, r.statusCode());
            assertEquals("application/problem+json", r.getHeader("Content-Type"));
            JsonObject problem = r.bodyAsJsonObject();
            assertEquals("Task not found", problem.getString("detail"));
            assertEquals(404, problem.getInteger("status"));
            assertEquals("Not Found", problem.getString("title"));
          }
          ctx.completeNow();
        })));
  }

  @Test
  void listReturnsTasksInCreationOrderWithTotalCount(VertxTestContext ctx) {
    create(new JsonObject().put("title", "first"))
        .compose(a -> create(new JsonObject().put("title", "second")))
        .compose(b -> create(new JsonObject().put("title", "third")))
        .compose(c -> service.get("/tasks"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode());
          JsonArray tasks = r.bodyAsJsonArray();
          assertEquals(3, tasks.size());
          assertEquals("first", tasks.getJsonObject(0).getString("title"));
          assertEquals("third", tasks.getJsonObject(2).getString("title"));
          assertEquals("3", r.getHeader("X-Total-Count"));
          assertNull(r.getHeader("Link"));
          ctx.completeNow();
        })));
  }

  @Test
  void emptyListIsAnEmptyArray(VertxTestContext ctx) {
    service.get("/tasks").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(new JsonArray(), r.bodyAsJsonArray());
      assertEquals("0", r.getHeader("X-Total-Count"));
      ctx.completeNow();
    })));
  }

  @Test
  void listFiltersByCompletedAndPriority(VertxTestContext ctx) {
    create(new JsonObject().put("title", "a").put("priority", 2))
        .compose(a -> create(new JsonObject().put("title", "b").put("priority", 5)))
        .compose(b -> service.client.patch("/tasks/" + b.getString("id") + "/complete").send())
        .compose(done -> create(new JsonObject().put("title", "c").put("priority", 5)))
        .compose(c -> Future.all(service.get("/tasks?completed=true"), service.get("/tasks?completed=false&priority=5"),
            service.get("/tasks?priority=2")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonArray completed = all.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(0).bodyAsJsonArray();
          JsonArray openFive = all.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(1).bodyAsJsonArray();
          JsonArray two = all.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(2).bodyAsJsonArray();
          assertEquals(1, completed.size());
          assertEquals("b", completed.getJsonObject(0).getString("title"));
          assertEquals(1, openFive.size());
          assertEquals("c", openFive.getJsonObject(0).getString("title"));
          assertEquals(1, two.size());
          assertEquals("a", two.getJsonObject(0).getString("title"));
          ctx.completeNow();
        })));
  }

  @Test
  void listPaginatesWithOffsetLimitAndNextLink(VertxTestContext ctx) {
    Future<JsonObject> chain = Future.succeededFuture();
    for (int i = 1; i <= 5; i++) {
      int n = i;
      chain = chain.compose(x -> create(new JsonObject().put("title", "t" + n)));
    }
    chain.compose(x -> service.get("/tasks?offset=1&limit=2"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonArray page = r.bodyAsJsonArray();
          assertEquals(2, page.size());
          assertEquals("t2", page.getJsonObject(0).getString("title"));
          assertEquals("t3", page.getJsonObject(1).getString("title"));
          assertEquals("5", r.getHeader("X-Total-Count"));
          assertEquals("</tasks?offset=3&limit=2>; rel=\"next\"", r.getHeader("Link"));
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
  void patchUpdatesOnlyTheGivenFields(VertxTestContext ctx) {
    create(new JsonObject().put("title", "old").put("description", "keep").put("priority", 2))
        .compose(t -> service.patch("/tasks/" + t.getString("id"), new JsonObject().put("title", "new").put("completed", true))
            .map(r -> {
              ctx.verify(() -> {
                assertEquals(200, r.statusCode(), r.bodyAsString());
                JsonObject updated = r.bodyAsJsonObject();
                assertEquals("new", updated.getString("title"));
                assertEquals("keep", updated.getString("description"));
                assertEquals(2, updated.getInteger("priority"));
                assertTrue(updated.getBoolean("completed"));
                assertEquals(t.getString("created_at"), updated.getString("created_at"));
              });
              return t;
            }))
        .compose(t -> service.patch("/tasks/" + t.getString("id"), new JsonObject().putNull("description")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode());
          assertNull(r.bodyAsJsonObject().getValue("description"));
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
  void patchOfUnknownTaskReturns404(VertxTestContext ctx) {
    service.patch("/tasks/task_42", new JsonObject().put("title", "x"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(404, r.statusCode());
          ctx.completeNow();
        })));
  }

  @Test
  void completeMarksTheTaskCompleted(VertxTestContext ctx) {
    create(new JsonObject().put("title", "finish"))
        .compose(t -> service.client.patch("/tasks/" + t.getString("id") + "/complete").send())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode());
          assertTrue(r.bodyAsJsonObject().getBoolean("completed"));
          ctx.completeNow();
        })));
  }

  @Test
  void deleteReturns204ThenTheTaskIsGoneAndItsIdIsNeverReused(VertxTestContext ctx) {
    create(new JsonObject().put("title", "doomed"))
        .compose(t -> service.client.delete("/tasks/" + t.getString("id")).send()
            .compose(deleted -> {
              ctx.verify(() -> assertEquals(204, deleted.statusCode()));
              return Future.all(service.get("/tasks/" + t.getString("id")),
                  service.client.delete("/tasks/" + t.getString("id")).send(),
                  create(new JsonObject().put("title", "after")));
            })
            .map(all -> {
              ctx.verify(() -> {
                assertEquals(404, all.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(0).statusCode());
                assertEquals(404, all.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(1).statusCode());
                assertFalse(t.getString("id").equals(all.<JsonObject>resultAt(2).getString("id")));
              });
              return all;
            }))
        .onComplete(ctx.succeedingThenComplete());
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
