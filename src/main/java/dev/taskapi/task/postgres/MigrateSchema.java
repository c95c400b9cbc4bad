package dev.taskapi.task.postgres;

import dev.taskapi.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.PrintStream;

/**
 * {@code migrate}: brings the task database's schema up to this build's version, then exits. The service does the
 * same at startup; this command lets the schema's owner do it alone (an init container, a Job, a release step), so
 * that the service itself can connect as a user who may read and write tasks but not change or drop the schema
 * (docs/database.md, "Users and grants"). The connection and its TLS are the service's: {@code DATABASE_URL}, the
 * {@code PG*} variables.
 *
 * <p>A one-shot command on the calling thread. Exit codes: 0 the schema is at this build's version (it was
 * migrated, or already was); 1 it could not be (one line on stderr, the reason in words), including a schema newer
 * than this build; invalid configuration is the service's exit code 2.
 */
public final class MigrateSchema {
    public static final String COMMAND = "migrate";
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;

    private MigrateSchema() {}

    public static int run(AppConfig.Database db, PrintStream out, PrintStream err) {
        Vertx vertx = Vertx.vertx();
        ServerTrust trust = ServerTrust.of(db.tls());
        try {
            Pool pool = PostgresClients.migrations(vertx, db, trust);
            int version = SchemaMigrations.fromClasspath()
                    .apply(pool)
                    .eventually(pool::close)
                    .await();
            out.println(COMMAND + ": task database " + db + " is at schema version " + version);
            return EXIT_OK;
        } catch (Exception e) { // Future.await() rethrows the failure as it is, checked or not
            Throwable failure = ServerTrust.explain(trust, e);
            err.println(COMMAND + ": failed: task database " + db + ": "
                    + (failure instanceof SchemaTooNewException
                                    ? failure.getMessage()
                                    : DatabaseFailures.reason(
                                            failure, db.connectTimeout().toMillis()))
                            .replaceAll("\\s*\\R\\s*", " "));
            return EXIT_FAILED;
        } finally {
            vertx.close().await();
        }
    }
}
