package dev.taskapi.health;

import dev.taskapi.model.ModelRegistry;
import dev.taskapi.model.ModelSnapshot;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * Liveness (the event loop answers) and readiness (the models passed their last scan and the service is not
 * draining), both as vertx-health-check procedures, plus the seed's {@code GET /health}.
 */
public final class HealthHandlers {
  private static final Buffer LEGACY = new JsonObject().put("status", "healthy").put("service", "task-api").toBuffer();

  private final HealthCheckHandler liveness;
  private final HealthCheckHandler readiness;

  public HealthHandlers(Vertx vertx, ModelRegistry models, Lifecycle lifecycle) {
    this.liveness = HealthCheckHandler.createWithHealthChecks(
        HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK())));
    this.readiness = HealthCheckHandler.createWithHealthChecks(HealthChecks.create(vertx)
        .register("lifecycle", promise -> lifecycle(lifecycle, promise))
        .register("models", promise -> models(models.snapshot(), promise)));
  }

  public Handler<RoutingContext> liveness() {
    return liveness;
  }

  public Handler<RoutingContext> readiness() {
    return readiness;
  }

  /** The seed's health endpoint, kept byte for byte for its clients. */
  public void legacyHealth(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(LEGACY);
  }

  private static void lifecycle(Lifecycle lifecycle, Promise<Status> promise) {
    promise.complete(lifecycle.draining()
        ? Status.KO(new JsonObject().put("reason", "shutting down: draining in-flight requests"))
        : Status.OK());
  }

  private static void models(ModelSnapshot snapshot, Promise<Status> promise) {
    JsonObject data = new JsonObject().put("count", snapshot.models().size()).put("scanned_at", snapshot.scannedAt());
    if (snapshot.ready()) {
      promise.complete(Status.OK(data));
    } else {
      promise.complete(Status.KO(data.put("reason", String.join("; ", snapshot.problems()))
          .put("problems", new JsonArray(snapshot.problems()))));
    }
  }
}
