package dev.taskapi.task.postgres;

import dev.taskapi.config.AppConfig;
import dev.taskapi.config.DatabaseTls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.concurrent.TimeUnit;

/** The database clients, built from the configuration with its bounds on connecting and waiting. */
final class PostgresClients {
    /**
     * At most this many statements in flight on one connection (the client's default is 256). Results that arrive
     * before the event loop can hand them on wait in the client's buffers: with 256, 64 concurrent listings of 1000
     * tasks took the slim image past 256 MiB within seconds and it was OOM-killed (SlimImageIT); with 16 its peak
     * stayed at the heap's maximum plus the JVM's usual non-heap memory, and single reads lost nothing (32k req/s
     * with 16 or 256 statements, 25k with 4, 18k with 1: docs/images.md). Statements beyond it wait in the pool,
     * within DB_QUERY_TIMEOUT_MS.
     */
    static final int PIPELINING_LIMIT = 16;

    private PostgresClients() {}

    /**
     * The client every request uses: a pool of {@code DB_POOL_SIZE} connections that pipelines statements on
     * them ({@code PgBuilder.client()}, unlike {@code PgBuilder.pool()}; at most {@link #PIPELINING_LIMIT} a connection),
     * caches prepared statements, and waits at most {@code DB_QUERY_TIMEOUT_MS} for a free connection;
     * the server cancels any statement that runs longer than that ({@code statement_timeout}).
     */
    static SqlClient requests(Vertx vertx, AppConfig.Database db, ServerTrust trust) {
        PgConnectOptions connect = connectOptions(db, trust)
                .addProperty(
                        "statement_timeout", Long.toString(db.queryTimeout().toMillis()));
        PoolOptions pool = new PoolOptions()
                .setMaxSize(db.poolSize())
                .setName("task-api-tasks")
                .setConnectionTimeout((int) db.queryTimeout().toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        return PgBuilder.client()
                .with(pool)
                .with(netOptions(db))
                .connectingTo(connect)
                .using(vertx)
                .build();
    }

    /**
     * One connection for schema migrations, which may legitimately run (or wait for the lock) for long; quiet
     * about the notices of idempotent DDL ("already exists, skipping"). It keeps the pool's default acquire
     * timeout (30 s): with vertx-sql-client 5.0.7, a pool closed while a shorter acquire timer was still armed
     * failed inside the pool and never finished closing.
     */
    static Pool migrations(Vertx vertx, AppConfig.Database db, ServerTrust trust) {
        PgConnectOptions connect = connectOptions(db, trust).addProperty("client_min_messages", "warning");
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(1).setName("task-api-migrations"))
                .with(netOptions(db))
                .connectingTo(connect)
                .using(vertx)
                .build();
    }

    private static PgConnectOptions connectOptions(AppConfig.Database db, ServerTrust trust) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(db.host())
                .setPort(db.port())
                .setDatabase(db.name())
                .setUser(db.user())
                .setPassword(db.password())
                .setCachePreparedStatements(true)
                .setPipeliningLimit(PIPELINING_LIMIT)
                .addProperty("application_name", "task-api");
        return tls(options, db.tls(), trust);
    }

    /**
     * libpq's sslmode on the client: allow, prefer and require encrypt without checking the certificate (the
     * client trusts any); verify-ca checks the chain against PGSSLROOTCERT (or the JVM's CAs), verify-full the
     * host name too, as HTTPS does (the subject alternative names, else the common name); {@code trust} is null
     * for the modes that do not verify.
     */
    private static PgConnectOptions tls(PgConnectOptions options, DatabaseTls tls, ServerTrust trust) {
        options.setSslMode(SslMode.of(tls.mode().libpqName()));
        if (tls.mode() == DatabaseTls.SslMode.DISABLE) {
            return options;
        }
        ClientSSLOptions ssl = new ClientSSLOptions();
        if (!tls.mode().verifies()) {
            ssl.setTrustAll(true);
        } else {
            ssl.setTrustOptions(TrustOptions.wrap(trust.asFactory()));
        }
        if (tls.mode() == DatabaseTls.SslMode.VERIFY_FULL) {
            ssl.setHostnameVerificationAlgorithm("HTTPS");
        }
        if (tls.clientCert() != null) {
            ssl.setKeyCertOptions(new PemKeyCertOptions()
                    .addCertValue(Buffer.buffer(tls.clientCert()))
                    .addKeyValue(Buffer.buffer(tls.clientKey())));
        }
        return options.setSslOptions(ssl);
    }

    private static NetClientOptions netOptions(AppConfig.Database db) {
        return new NetClientOptions()
                .setConnectTimeout((int) db.connectTimeout().toMillis())
                .setTcpKeepAlive(true);
    }
}
