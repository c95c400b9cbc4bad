package dev.taskapi.health;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.Map;

/**
 * Liveness (the event loop answers) and readiness (the models passed their last scan and the service is not
 * draining), both as vertx-health-check procedures, plus the original FastAPI app's {@code GET /health}.
 */
public final class HealthHandlers {
    private static final Buffer LEGACY =
            new JsonObject().put("status", "healthy").put("service", "task-api").toBuffer();

    private final HealthCheckHandler liveness;
    private final HealthCheckHandler readiness;

    /**
     * @param readinessChecks what else readiness depends on (the models, the database), by name; each completes
     *     its promise with OK or KO (with a reason in its data) and must not block (see {@link ReadinessChecks})
     */
    public HealthHandlers(Vertx vertx, Lifecycle lifecycle, Map<String, Handler<Promise<Status>>> readinessChecks) {
        this.liveness = HealthCheckHandler.createWithHealthChecks(
                HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK())));
        HealthChecks readinessProcedures =
                HealthChecks.create(vertx).register("lifecycle", promise -> lifecycle(lifecycle, promise));
        readinessChecks.forEach(readinessProcedures::register);
        this.readiness = HealthCheckHandler.createWithHealthChecks(readinessProcedures);
    }

    public Handler<RoutingContext> liveness() {
        return liveness;
    }

    public Handler<RoutingContext> readiness() {
        return readiness;
    }

    /** The original FastAPI app's health endpoint, kept byte for byte for its clients. */
    public void legacyHealth(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "application/json").end(LEGACY);
    }

    private static void lifecycle(Lifecycle lifecycle, Promise<Status> promise) {
        promise.complete(
                lifecycle.draining()
                        ? Status.KO(new JsonObject().put("reason", "shutting down: draining in-flight requests"))
                        : Status.OK());
    }
}
