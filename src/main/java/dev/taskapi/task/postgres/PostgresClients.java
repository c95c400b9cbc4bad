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
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The database clients, built from the configuration with its bounds on connecting and waiting. */
final class PostgresClients {
    /**
     * At most this many statements in flight on one connection (the client's default is 256). Results that arrive
     * before the event loop can hand them on wait in the client's buffers: with 256, 64 concurrent listings of 1000
     * tasks took the slim image past 256 MiB within seconds and it was OOM-killed (SlimImageIT); with 16 its peak
     * stayed at the heap's maximum plus the JVM's usual non-heap memory, and single reads lost nothing (32k req/s
     * with 16 or 256 statements, 25k with 4, 18k with 1: docs/images.md). Statements beyond it wait in the pool,
     * within DB_QUERY_TIMEOUT_MS. Through a transaction pooler (no statement cache) the limit is kept but hardly
     * reached: the client holds a connection's pipeline while it prepares each statement (one round trip for
     * Parse, Describe, Sync) and sends the next only once that is answered, so a connection carries about one
     * statement at a time; the statements it does pipeline come back right through PgBouncer 1.18 (PgBouncerIT).
     */
    static final int PIPELINING_LIMIT = 16;

    /** The startup parameters PgBouncer tracks itself, the only ones it accepts unless told to ignore others. */
    static final Set<String> POOLER_STARTUP_PARAMETERS = Set.of("application_name", "client_encoding", "DateStyle");

    private PostgresClients() {}

    /**
     * The client every request uses: a pool of {@code DB_POOL_SIZE} connections that pipelines statements on
     * them ({@code PgBuilder.client()}, unlike {@code PgBuilder.pool()}; at most {@link #PIPELINING_LIMIT} a connection)
     * and waits at most {@code DB_QUERY_TIMEOUT_MS} for a free connection. Connected to the server itself, it caches
     * prepared statements and the server cancels any statement that runs longer than that ({@code statement_timeout},
     * a startup parameter); through a transaction pooler it does neither ({@link #connectOptions}), and the request's
     * own bound still fails it in time.
     */
    static SqlClient requests(Vertx vertx, AppConfig.Database db, ServerTrust trust) {
        PgConnectOptions connect = requestOptions(db, trust);
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

    /** The requests' connection: {@link #connectOptions}, and statement_timeout when connected to the server itself. */
    static PgConnectOptions requestOptions(AppConfig.Database db, ServerTrust trust) {
        PgConnectOptions connect = connectOptions(db, trust);
        if (!db.transactionPooler()) {
            connect.addProperty(
                    "statement_timeout", Long.toString(db.queryTimeout().toMillis()));
        }
        return connect;
    }

    /**
     * One connection for schema migrations, which may legitimately run (or wait for the lock) for long. Their
     * session settings are set inside their transaction ({@code SET LOCAL}, see SchemaMigrations), so that they
     * hold through a transaction pooler too. It keeps the pool's default acquire timeout (30 s): with
     * vertx-sql-client 5.0.7, a pool closed while a shorter acquire timer was still armed failed inside the pool
     * and never finished closing.
     */
    static Pool migrations(Vertx vertx, AppConfig.Database db, ServerTrust trust) {
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(1).setName("task-api-migrations"))
                .with(netOptions(db))
                .connectingTo(connectOptions(db, trust))
                .using(vertx)
                .build();
    }

    /**
     * The connection every client makes. Through a pooler in transaction mode ({@code DB_TRANSACTION_POOLER}), where
     * consecutive transactions of one client connection may run on different server connections: no named prepared
     * statements (the cache names each one on the server connection it was prepared on, which the next execution
     * may not reach), and the client's layer 7 proxy mode, which sends each statement as a self-contained unnamed
     * Parse, Bind, Execute, Sync; and no startup parameter beyond those PgBouncer itself tracks (application_name,
     * client_encoding, DateStyle): it refuses any other ("unsupported startup parameter"), and a session setting would
     * not follow the client's transactions from server connection to server connection anyway. vertx-pg-client sends
     * extra_float_digits by default; it only changes how float columns print as text, and the tasks have none.
     */
    static PgConnectOptions connectOptions(AppConfig.Database db, ServerTrust trust) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(db.host())
                .setPort(db.port())
                .setDatabase(db.name())
                .setUser(db.user())
                .setPassword(db.password())
                .setCachePreparedStatements(!db.transactionPooler())
                .setUseLayer7Proxy(db.transactionPooler())
                .setPipeliningLimit(PIPELINING_LIMIT)
                .addProperty("application_name", "task-api");
        if (db.transactionPooler()) {
            Map<String, String> tracked = new HashMap<>(options.getProperties());
            tracked.keySet().retainAll(POOLER_STARTUP_PARAMETERS);
            options.setProperties(tracked);
        }
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
