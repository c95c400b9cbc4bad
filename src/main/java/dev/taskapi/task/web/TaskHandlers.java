package dev.taskapi.task.web;

import dev.taskapi.http.InFlightLimit;
import dev.taskapi.http.JsonBody;
import dev.taskapi.http.ProblemException;
import dev.taskapi.task.NewTask;
import dev.taskapi.task.Task;
import dev.taskapi.task.TaskId;
import dev.taskapi.task.TaskNotFoundException;
import dev.taskapi.task.TaskPage;
import dev.taskapi.task.TaskPatch;
import dev.taskapi.task.TaskQuery;
import dev.taskapi.task.TaskStore;
import dev.taskapi.task.TaskValidator;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * The Task API's endpoints: one method per route, from the request to the store and back. Failures reach the
 * ProblemHandler, thrown or through ctx.fail.
 */
public final class TaskHandlers {
    private static final String JSON = "application/json";
    private static final Buffer COMMA = Buffer.buffer(",");

    /**
     * Tasks of listings in flight at once on one event loop, from the query until the page has been written out to
     * the client (one page of 1000, 10 of 100, 50 of the default 20): bounds the memory listings hold whatever the
     * number of clients. 256 clients listing 1000 tasks got the slim image killed under its 256 MiB and 1-CPU
     * limits with no bound and with 8000; with 1000 it served them as fast, the native memory beside the heap
     * stayed flat (docs/images.md, "Container-ready JVM"; SlimImageIT).
     */
    static final int LISTED_TASKS_IN_FLIGHT = 1000;
    /** Listings that may wait for admission on one event loop; the next is answered 503. */
    static final int LISTINGS_WAITING = 1024;

    private final TaskStore store;
    private final InFlightLimit listings = new InFlightLimit(LISTED_TASKS_IN_FLIGHT, LISTINGS_WAITING);

    /** One per router: the listings' limit is confined to the router's event loop. */
    public TaskHandlers(TaskStore store) {
        this.store = store;
    }

    public void createTask(RoutingContext ctx) {
        NewTask task = TaskValidator.newTask(JsonBody.object(ctx));
        store.create(task)
                .onSuccess(created -> {
                    ctx.response().setStatusCode(201).putHeader("Location", "/tasks/" + created.id());
                    send(ctx, created);
                })
                .onFailure(ctx::fail);
    }

    public void listTasks(RoutingContext ctx) {
        TaskQuery query = new TaskQuery(
                booleanParam(ctx, "completed"),
                intParam(ctx, "priority", TaskValidator.PRIORITY_MIN, TaskValidator.PRIORITY_MAX, null),
                intParam(ctx, "offset", 0, Integer.MAX_VALUE, 0),
                intParam(ctx, "limit", 1, TaskQuery.MAX_LIMIT, TaskQuery.DEFAULT_LIMIT));
        listings.run(query.limit(), () -> store.list(query).compose(page -> sendPage(ctx, query, page)))
                .onFailure(failure -> failUnlessSent(ctx, failure));
    }

    /** The page; the future completes once it has been written out to the client (or the connection is gone). */
    private static Future<Void> sendPage(RoutingContext ctx, TaskQuery query, TaskPage page) {
        HttpServerResponse response = ctx.response()
                .putHeader("Content-Type", JSON)
                .putHeader("X-Total-Count", Integer.toString(page.total()));
        long next = (long) query.offset() + page.tasks().size();
        if (next < page.total()) {
            response.putHeader("Link", "<" + nextPageUri(ctx, next, query.limit()) + ">; rel=\"next\"");
        }
        return response.end(jsonArray(page.tasks()));
    }

    /**
     * A refused or failed listing reaches the ProblemHandler; a page that could not be written has nobody left to
     * tell.
     */
    private static void failUnlessSent(RoutingContext ctx, Throwable failure) {
        if (!ctx.response().ended()) {
            ctx.fail(failure);
        }
    }

    public void getTask(RoutingContext ctx) {
        store.get(number(ctx)).onSuccess(task -> sendOrNotFound(ctx, task)).onFailure(ctx::fail);
    }

    public void updateTask(RoutingContext ctx) {
        long number = number(ctx);
        TaskPatch patch = TaskValidator.patch(JsonBody.object(ctx));
        store.update(number, patch).onSuccess(task -> sendOrNotFound(ctx, task)).onFailure(ctx::fail);
    }

    public void completeTask(RoutingContext ctx) {
        store.update(number(ctx), TaskPatch.COMPLETE)
                .onSuccess(task -> sendOrNotFound(ctx, task))
                .onFailure(ctx::fail);
    }

    public void deleteTask(RoutingContext ctx) {
        store.delete(number(ctx))
                .onSuccess(deleted -> {
                    if (deleted) {
                        ctx.response().setStatusCode(204).end();
                    } else {
                        ctx.fail(new TaskNotFoundException(ctx.pathParam("id")));
                    }
                })
                .onFailure(ctx::fail);
    }

    private static void sendOrNotFound(RoutingContext ctx, Optional<Task> task) {
        if (task.isPresent()) {
            send(ctx, task.get());
        } else {
            ctx.fail(new TaskNotFoundException(ctx.pathParam("id")));
        }
    }

    private static void send(RoutingContext ctx, Task task) {
        ctx.response().putHeader("Content-Type", JSON).end(task.json());
    }

    private static long number(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return TaskId.parse(id).orElseThrow(() -> new TaskNotFoundException(id));
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

    private static String nextPageUri(RoutingContext ctx, long offset, int limit) {
        StringBuilder uri = new StringBuilder("/tasks?");
        String completed = ctx.request().getParam("completed");
        String priority = ctx.request().getParam("priority");
        if (completed != null) {
            uri.append("completed=").append(completed).append('&');
        }
        if (priority != null) {
            uri.append("priority=").append(priority).append('&');
        }
        return uri.append("offset=")
                .append(offset)
                .append("&limit=")
                .append(limit)
                .toString();
    }

    private static Boolean booleanParam(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default ->
                throw ProblemException.badRequest("query parameter '" + name + "' must be true or false, got '"
                        + TaskValidator.abbreviate(value) + "'");
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
        throw ProblemException.badRequest("query parameter '" + name + "' must be an integer " + range + ", got '"
                + TaskValidator.abbreviate(value) + "'");
    }
}
