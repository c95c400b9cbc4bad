package dev.taskapi.app;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One HTTP server on one event loop; the service deploys one per core, all sharing one port. */
final class HttpServerVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final Duration shutdownTimeout;
    private final Routes.Deps deps;
    private HttpServer server;

    HttpServerVerticle(HttpServerOptions options, Duration shutdownTimeout, Routes.Deps deps) {
        this.options = options;
        this.shutdownTimeout = shutdownTimeout;
        this.deps = deps;
    }

    @Override
    public Future<?> start() {
        server = vertx.createHttpServer(options).requestHandler(Routes.create(vertx, deps));
        return server.listen();
    }

    /** Stops accepting and lets in-flight requests finish, up to SHUTDOWN_TIMEOUT_MS. */
    @Override
    public Future<?> stop() {
        return server.shutdown(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int actualPort() {
        return server.actualPort();
    }
}
