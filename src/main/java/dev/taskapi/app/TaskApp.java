package dev.taskapi.app;

import dev.taskapi.config.AppConfig;
import dev.taskapi.config.LogFormat;
import dev.taskapi.health.Lifecycle;
import dev.taskapi.http.AccessLog;
import dev.taskapi.model.ModelRegistry;
import dev.taskapi.model.ModelScanner;
import dev.taskapi.task.InMemoryTaskStore;
import dev.taskapi.task.TaskStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * The service assembled: one store, one model registry and one lifecycle shared by {@code instances} server
 * verticles. {@code Main} runs it; the tests start and stop it the same way.
 */
public final class TaskApp {
  private static final Logger LOG = Logger.getLogger(TaskApp.class.getName());
  /** Vert.x gives servers that listen on the same negative port one random port, shared. */
  private static final int SHARED_RANDOM_PORT = -1;

  private final Vertx vertx;
  private final AppConfig config;
  private final Lifecycle lifecycle = new Lifecycle();
  private final ModelRegistry models;
  private final Routes.Deps deps;
  private final List<HttpServerVerticle> servers = new CopyOnWriteArrayList<>();
  private String deploymentId;
  private Future<Void> shutdown;

  public TaskApp(Vertx vertx, AppConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.models = new ModelRegistry(vertx, new ModelScanner(config.modelsDir(), config.modelsRequired()),
        config.modelsPollInterval());
    TaskStore store = new InMemoryTaskStore(config.maxTasks(), config.memoryStoreBudgetBytes());
    this.deps = new Routes.Deps(store, models, lifecycle, accessLog(config));
  }

  private static AccessLog accessLog(AppConfig config) {
    if (!config.accessLog()) {
      return null;
    }
    AccessLog.Format format = config.logFormat() == LogFormat.JSON ? AccessLog.Format.JSON : AccessLog.Format.TEXT;
    return new AccessLog(format, System.out, System.err);
  }

  /**
   * Starts listening and starts the first models scan; readiness stays DOWN until that scan completes, so
   * a large models volume never delays liveness.
   */
  public Future<TaskApp> start() {
    models.start();
    HttpServerOptions options = new HttpServerOptions().setHost(config.host())
        .setPort(config.port() == 0 ? SHARED_RANDOM_PORT : config.port());
    return vertx.deployVerticle(() -> {
          HttpServerVerticle verticle = new HttpServerVerticle(options, config.shutdownTimeout(), deps);
          servers.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(config.instances()))
        .map(id -> {
          deploymentId = id;
          LOG.info(() -> "task-api listening on " + config.host() + ":" + port() + " with " + config.instances()
              + " event loop(s); models from " + config.modelsDir().toAbsolutePath());
          return this;
        });
  }

  public int port() {
    return servers.get(0).actualPort();
  }

  /**
   * Readiness DOWN at once, then (after SHUTDOWN_DELAY_MS, for load balancers to notice) stop accepting and
   * let in-flight requests finish within SHUTDOWN_TIMEOUT_MS. Every call returns the same drain.
   */
  public synchronized Future<Void> shutdown() {
    if (shutdown != null) {
      return shutdown;
    }
    lifecycle.startDraining();
    LOG.info("shutting down: readiness is DOWN, draining in-flight requests");
    Promise<Void> delayed = Promise.promise();
    if (config.shutdownDelay().isZero()) {
      delayed.complete();
    } else {
      vertx.setTimer(config.shutdownDelay().toMillis(), id -> delayed.complete());
    }
    shutdown = delayed.future()
        .compose(v -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId))
        .eventually(models::stop)
        .eventually(deps.store()::close)
        .mapEmpty();
    return shutdown;
  }

  /** Shuts down, closes Vert.x, then writes out the access log (last: responses log as they end). */
  public Future<Void> stop() {
    return shutdown().eventually(vertx::close).eventually(() -> {
      if (deps.accessLog() != null) {
        deps.accessLog().close();
      }
      return Future.succeededFuture();
    });
  }
}
