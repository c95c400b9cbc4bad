package dev.taskapi.app;

import dev.taskapi.config.AppConfig;
import dev.taskapi.config.LogFormat;
import dev.taskapi.docs.DocsAssets;
import dev.taskapi.health.Lifecycle;
import dev.taskapi.http.AccessLog;
import dev.taskapi.models.ModelRegistry;
import dev.taskapi.models.ModelScanner;
import dev.taskapi.task.InMemoryTaskStore;
import dev.taskapi.task.TaskStore;
import dev.taskapi.task.postgres.PostgresTaskStore;
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
        this.models = new ModelRegistry(
                vertx, new ModelScanner(config.modelsDir(), config.modelsRequired()), config.modelsPollInterval());
        TaskStore store = switch (config.store()) {
            case MEMORY -> new InMemoryTaskStore(config.maxTasks(), config.memoryStoreBudgetBytes());
            case POSTGRES -> new PostgresTaskStore(vertx, config.database());
        };
        this.deps = new Routes.Deps(
                store,
                models,
                lifecycle,
                accessLog(config),
                config.docs().enabled() ? DocsAssets.at(config.docs().assetsUrl()) : null);
    }

    private static AccessLog accessLog(AppConfig config) {
        if (!config.accessLog()) {
            return null;
        }
        AccessLog.Format format = config.logFormat() == LogFormat.JSON ? AccessLog.Format.JSON : AccessLog.Format.TEXT;
        return new AccessLog(format, System.out, System.err);
    }

    /**
     * Starts listening, the first models scan and the task store (a database store migrates its schema);
     * readiness stays DOWN until the scan completes and the store can serve, so neither a large models volume
     * nor a database that is down delays liveness. Fails if the store can never serve (a schema newer than
     * this build).
     */
    public Future<TaskApp> start() {
        models.start();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port() == 0 ? SHARED_RANDOM_PORT : config.port());
        Future<String> listening = vertx.deployVerticle(
                        () -> {
                            HttpServerVerticle verticle =
                                    new HttpServerVerticle(options, config.shutdownTimeout(), deps);
                            servers.add(verticle);
                            return verticle;
                        },
                        new DeploymentOptions().setInstances(config.instances()))
                .onSuccess(id -> deploymentId = id);
        return Future.all(listening, deps.store().start())
                .map(all -> {
                    LOG.info(() ->
                            "task-api listening on " + config.host() + ":" + port() + " with " + config.instances()
                                    + " event loop(s); tasks in "
                                    + (config.store() == AppConfig.Store.POSTGRES ? config.database() : "memory")
                                    + "; models from " + config.modelsDir().toAbsolutePath());
                    return this;
                })
                .recover(e -> shutdown().transform(stopped -> Future.failedFuture(e)));
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
