package dev.taskapi;

import dev.taskapi.app.TaskApp;
import dev.taskapi.config.AppConfig;
import dev.taskapi.config.InvalidConfigException;
import dev.taskapi.http.Metrics;
import dev.taskapi.models.verify.VerifyModels;
import dev.taskapi.task.postgres.MigrateSchema;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Runs the service until SIGTERM or SIGINT, then shuts it down gracefully and exits 0 (a JVM ended by the
 * default signal handling exits 143, which orchestrators report as a failure). Exit codes: 0 stopped,
 * 1 failed to start, 2 invalid configuration.
 *
 * <p>{@code verify-models} as the first argument runs the models check instead (VerifyModels: the same image, as an
 * init container, verifies the models the kubelet pulled before the service starts) and exits with its code;
 * {@code migrate} brings the task database's schema up to date and exits (MigrateSchema: run with the schema owner's
 * credentials, so that the service's own user needs no DDL privileges).
 */
public final class Main {
    static final int EXIT_START_FAILED = 1;
    static final int EXIT_INVALID_CONFIG = 2;
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        // Vert.x would otherwise copy classpath resources to /tmp/vertx-cache; we serve none as files.
        System.setProperty("vertx.disableFileCPResolving", "true");
        if (args.length > 0 && args[0].equals(VerifyModels.COMMAND)) {
            System.exit(VerifyModels.run(List.of(args).subList(1, args.length), System.out, System.err));
        }
        AppConfig config;
        try {
            config = AppConfig.fromEnvironment();
        } catch (InvalidConfigException e) {
            System.err.println("task-api: invalid configuration: " + e.getMessage());
            System.exit(EXIT_INVALID_CONFIG);
            return;
        }
        Logging.configure(config.logLevel(), config.logFormat());
        if (args.length > 0 && args[0].equals(MigrateSchema.COMMAND)) {
            System.exit(MigrateSchema.run(config.database(), System.out, System.err));
        }
        Vertx vertx = Vertx.vertx(Metrics.vertxOptions());
        TaskApp app = new TaskApp(vertx, config);
        CountDownLatch signalled = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            if (signalled.getCount() > 0) {
                signalled.countDown();
                app.stop().onComplete(done -> stopped.countDown());
            }
        };
        Signal.handle(new Signal("TERM"), signal -> stop.run());
        Signal.handle(new Signal("INT"), signal -> stop.run());

        app.start().onFailure(e -> {
            LOG.log(Level.SEVERE, "task-api failed to start: " + e.getMessage(), e);
            System.exit(EXIT_START_FAILED);
        });
        signalled.await();
        long boundMillis =
                config.shutdownDelay().toMillis() + config.shutdownTimeout().toMillis() + 5_000;
        if (stopped.await(boundMillis, TimeUnit.MILLISECONDS)) {
            LOG.info("task-api stopped");
        } else {
            LOG.warning("task-api did not stop within " + boundMillis + " ms; exiting anyway");
        }
        System.exit(0);
    }
}
