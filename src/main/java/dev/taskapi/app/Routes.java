package dev.taskapi.app;

import dev.taskapi.docs.ApiDocs;
import dev.taskapi.docs.DocsAssets;
import dev.taskapi.health.HealthHandlers;
import dev.taskapi.health.Lifecycle;
import dev.taskapi.health.ReadinessChecks;
import dev.taskapi.http.AccessLog;
import dev.taskapi.http.JsonBody;
import dev.taskapi.http.Metrics;
import dev.taskapi.http.OpenApi;
import dev.taskapi.http.ProblemHandler;
import dev.taskapi.http.RequestId;
import dev.taskapi.models.ModelHandlers;
import dev.taskapi.models.ModelRegistry;
import dev.taskapi.task.TaskStore;
import dev.taskapi.task.web.TaskHandlers;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;

/** Every route of the service, one line each, wired to its dependencies. */
public final class Routes {
    private Routes() {}

    /**
     * What the routes need; shared by every server verticle, so each part is thread-safe. A null {@code accessLog}
     * logs no requests; a null {@code docs} serves no API docs pages (DOCS_ENABLED=false).
     */
    public record Deps(
            TaskStore store, ModelRegistry models, Lifecycle lifecycle, AccessLog accessLog, DocsAssets docs) {}

    public static Router create(Vertx vertx, Deps deps) {
        Router router = Router.router(vertx);
        TaskHandlers tasks = new TaskHandlers(deps.store());
        ModelHandlers models = new ModelHandlers(deps.models());
        HealthHandlers health = new HealthHandlers(
                vertx,
                deps.lifecycle(),
                Map.of("models", ReadinessChecks.models(deps.models()), "tasks", ReadinessChecks.tasks(deps.store())));
        JsonBody json = new JsonBody();
        ProblemHandler problems = new ProblemHandler(router);

        router.route().handler(new RequestId());
        if (deps.accessLog() != null) {
            router.route().handler(deps.accessLog());
        }
        router.get("/health").handler(health::legacyHealth);
        router.get("/health/live").handler(health.liveness());
        router.get("/health/ready").handler(health.readiness());
        router.post("/tasks").handler(json).handler(tasks::createTask);
        router.get("/tasks").handler(tasks::listTasks);
        router.get("/tasks/:id").handler(tasks::getTask);
        router.patch("/tasks/:id").handler(json).handler(tasks::updateTask);
        router.delete("/tasks/:id").handler(tasks::deleteTask);
        router.patch("/tasks/:id/complete").handler(tasks::completeTask);
        router.get("/models").handler(models::listModels);
        router.get("/metrics").handler(Metrics.scrapingHandler());
        router.get("/openapi.json").handler(OpenApi.handler());
        if (deps.docs() != null) {
            ApiDocs docs = new ApiDocs(deps.docs());
            router.get("/docs").handler(docs::swaggerUi);
            router.get("/docs/swagger-init.js").handler(docs::swaggerInit);
            router.get("/redoc").handler(docs::redoc);
        }

        router.route().failureHandler(problems);
        for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
            router.errorHandler(status, problems);
        }
        return router;
    }
}
