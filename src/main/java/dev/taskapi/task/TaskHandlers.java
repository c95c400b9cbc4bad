package dev.taskapi.task;

import dev.taskapi.http.JsonBody;
import dev.taskapi.http.ProblemException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** The Task API's endpoints: one method per route. Failures are thrown and rendered by the ProblemHandler. */
public final class TaskHandlers {
  private static final String JSON = "application/json";
  private static final Buffer COMMA = Buffer.buffer(",");

  private final TaskStore store;

  public TaskHandlers(TaskStore store) {
    this.store = store;
  }

  public void createTask(RoutingContext ctx) {
    Task task = store.create(TaskValidator.newTask(JsonBody.object(ctx)));
    ctx.response()
        .setStatusCode(201)
        .putHeader("Location", "/tasks/" + task.id());
    send(ctx, task);
  }

  public void listTasks(RoutingContext ctx) {
    TaskQuery query = new TaskQuery(
        booleanParam(ctx, "completed"),
        intParam(ctx, "priority", TaskValidator.PRIORITY_MIN, TaskValidator.PRIORITY_MAX, null),
        intParam(ctx, "offset", 0, Integer.MAX_VALUE, 0),
        intParam(ctx, "limit", 1, TaskQuery.MAX_LIMIT, TaskQuery.DEFAULT_LIMIT));
    TaskPage page = store.list(query);
    HttpServerResponse response = ctx.response()
        .putHeader("Content-Type", JSON)
        .putHeader("X-Total-Count", Integer.toString(page.total()));
    int next = query.offset() + page.tasks().size();
    if (next < page.total()) {
      response.putHeader("Link", "<" + nextPageUri(ctx, next, query.limit()) + ">; rel=\"next\"");
    }
    response.end(jsonArray(page.tasks()));
  }

  public void getTask(RoutingContext ctx) {
    send(ctx, store.get(number(ctx)).orElseThrow(() -> notFound(ctx)));
  }

  public void updateTask(RoutingContext ctx) {
    long number = number(ctx);
    TaskPatch patch = TaskValidator.patch(JsonBody.object(ctx));
    send(ctx, store.update(number, patch).orElseThrow(() -> notFound(ctx)));
  }

  public void completeTask(RoutingContext ctx) {
    send(ctx, store.update(number(ctx), TaskPatch.COMPLETE).orElseThrow(() -> notFound(ctx)));
  }

  public void deleteTask(RoutingContext ctx) {
    if (!store.delete(number(ctx))) {
      throw notFound(ctx);
    }
    ctx.response().setStatusCode(204).end();
  }

  private static void send(RoutingContext ctx, Task task) {
    ctx.response().putHeader("Content-Type", JSON).end(task.json());
  }

  private static long number(RoutingContext ctx) {
    return TaskId.parse(ctx.pathParam("id")).orElseThrow(() -> notFound(ctx));
  }

  private static TaskNotFoundException notFound(RoutingContext ctx) {
    return new TaskNotFoundException(ctx.pathParam("id"));
  }

  private static Buffer jsonArray(List<Task> tasks) {
    int size = 2 + Math.max(0, tasks.size() - 1);
    for (Task task : tasks) {
      size += task.json().length();
    }
    Buffer body = Buffer.buffer(size).appendByte((byte) '[');
    for (int i = 0; i < tasks.size(); i++) {
      if (i > 0) {
        body.appendBuffer(COMMA);
      }
      body.appendBuffer(tasks.get(i).json());
    }
    return body.appendByte((byte) ']');
  }

  private static String nextPageUri(RoutingContext ctx, int offset, int limit) {
    StringBuilder uri = new StringBuilder("/tasks?");
    String completed = ctx.request().getParam("completed");
    String priority = ctx.request().getParam("priority");
    if (completed != null) {
      uri.append("completed=").append(completed).append('&');
    }
    if (priority != null) {
      uri.append("priority=").append(priority).append('&');
    }
    return uri.append("offset=").append(offset).append("&limit=").append(limit).toString();
  }

  private static Boolean booleanParam(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return null;
    }
    return switch (value) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw ProblemException.badRequest(
          "query parameter '" + name + "' must be true or false, got '" + TaskValidator.abbreviate(value) + "'");
    };
  }

  private static Integer intParam(RoutingContext ctx, String name, int min, int max, Integer fallback) {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, with the rule
    }
    String range = max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
    throw ProblemException.badRequest(
        "query parameter '" + name + "' must be an integer " + range + ", got '" + TaskValidator.abbreviate(value) + "'");
  }
}
