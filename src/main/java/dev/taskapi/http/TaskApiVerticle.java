package dev.taskapi.http;

import dev.taskapi.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/** One HTTP server on one event loop; the service deploys one instance per core, all on the same port. */
public final class TaskApiVerticle extends VerticleBase {
  private final AppConfig config;
  private final TaskRoutes.Deps deps;
  private HttpServer server;

  public TaskApiVerticle(AppConfig config, TaskRoutes.Deps deps) {
    this.config = config;
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
        .requestHandler(TaskRoutes.create(vertx, deps));
    return server.listen();
  }

  /** Stops accepting and lets in-flight requests finish, up to SHUTDOWN_TIMEOUT_MS. */
  @Override
  public Future<?> stop() {
    return server.shutdown(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
