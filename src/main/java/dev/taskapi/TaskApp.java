package dev.taskapi;

import dev.taskapi.health.Lifecycle;
import dev.taskapi.http.AccessLog;
import dev.taskapi.http.TaskApiVerticle;
import dev.taskapi.http.TaskRoutes;
import dev.taskapi.model.ModelRegistry;
import dev.taskapi.model.ModelScanner;
import dev.taskapi.task.InMemoryTaskStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * The service assembled: one store, one model registry and one lifecycle shared by {@code instances} server
 * verticles. {@link Main} runs it; the tests start and stop it the same way.
 */
public final class TaskApp {
  private static final Logger LOG = Logger.getLogger(TaskApp.class.getName());

  private final Vertx vertx;
  private final AppConfig config;
  private final Lifecycle lifecycle = new Lifecycle();
  private final ModelRegistry models;
  private final TaskRoutes.Deps deps;
  private final List<TaskApiVerticle> servers = new CopyOnWriteArrayList<>();
  private String deploymentId;

  public TaskApp(Vertx vertx, AppConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.models = new ModelRegistry(vertx, new ModelScanner(config.modelsDir(), config.modelsRequired()),
        config.modelsPollInterval());
    this.deps = new TaskRoutes.Deps(new InMemoryTaskStore(config.maxTasks()), models, lifecycle,
        config.accessLog() ? new AccessLog(System.out) : null);
  }

  /**
   * Starts listening and starts the first models scan; readiness stays DOWN until that scan completes, so
   * a large models volume never delays liveness.
   */
  public Future<TaskApp> start() {
    models.start();
    AppConfig serverConfig = config.port() == 0 && config.instances() > 1 ? config.withPort(freePort()) : config;
    return vertx.deployVerticle(() -> {
          TaskApiVerticle verticle = new TaskApiVerticle(serverConfig, deps);
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

  /**
   * Servers of one deployment share a port, but with PORT=0 each would get its own; so several instances
   * on "any port" (tests) first pick one that is free.
   */
  private int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(config.host()))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + config.host(), e);
    }
  }

  public int port() {
    return servers.get(0).actualPort();
  }

  public TaskRoutes.Deps deps() {
    return deps;
  }

  /**
   * Readiness DOWN at once, then (after SHUTDOWN_DELAY_MS, for load balancers to notice) stop accepting and
   * let in-flight requests finish within SHUTDOWN_TIMEOUT_MS.
   */
  public Future<Void> shutdown() {
    if (!lifecycle.startDraining()) {
      return Future.succeededFuture();
    }
    LOG.info("shutting down: readiness is DOWN, draining in-flight requests");
    Promise<Void> delayed = Promise.promise();
    if (config.shutdownDelay().isZero()) {
      delayed.complete();
    } else {
      vertx.setTimer(config.shutdownDelay().toMillis(), id -> delayed.complete());
    }
    return delayed.future()
        .compose(v -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId))
        .eventually(models::stop)
        .mapEmpty();
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
