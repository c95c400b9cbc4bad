package dev.taskapi.task.postgres;

import dev.taskapi.config.AppConfig;
import dev.taskapi.task.NewTask;
import dev.taskapi.task.StoreUnavailableException;
import dev.taskapi.task.Task;
import dev.taskapi.task.TaskPage;
import dev.taskapi.task.TaskPatch;
import dev.taskapi.task.TaskQuery;
import dev.taskapi.task.TaskStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tasks in PostgreSQL, shared by every replica. Ids come from the table's identity sequence (unique across
 * replicas, never reused); each operation is one statement, so a patch is atomic without a transaction.
 *
 * <p>Creates are group-committed ({@link GroupCommit}): a create that finds fewer than {@code DB_CREATE_BATCHES}
 * batches in flight is sent at once; those that arrive meanwhile, from any event loop, are inserted together by
 * the next statement, up to {@code DB_CREATE_BATCH_SIZE} of them, ids in their order, and each is acknowledged
 * once that statement's transaction has committed. A value the database refuses fails only its own request
 * (422); the others of its batch are stored. An unavailable database fails every request of a batch with 503.
 *
 * <p>The database is a dependency, not a precondition: the service starts while it is down, brings the
 * schema up to date in the background as soon as it can, and meanwhile, or whenever the database is
 * unreachable, task requests fail within the configured bounds with 503 and readiness is DOWN with the reason.
 * The pool replaces broken connections by itself, so recovery needs no restart.
 */
public final class PostgresTaskStore implements TaskStore {
    private static final Logger LOG = Logger.getLogger(PostgresTaskStore.class.getName());
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final long MIGRATION_RETRY_MILLIS = 1000;
    /** Readiness checks must answer within the health check's own one-second limit. */
    private static final long READINESS_BOUND_MILLIS = 800;

    private final Vertx vertx;
    private final AppConfig.Database db;
    private final SqlClient client;
    /** The server certificate's check under verify-ca and verify-full (null otherwise), which knows why it refused. */
    private final ServerTrust trust;

    private final SchemaMigrations migrations;
    /** Concurrent creates, batched: one INSERT statement and one commit per batch. */
    private final GroupCommit<NewTask, Task> creates;
    /** How long any one request may wait for the database: connecting, then the statement. */
    private final long requestBoundMillis;
    /** Why the store cannot serve yet (schema not migrated); null once it can. */
    private volatile String notReady = "the schema has not been brought up to date yet";

    private volatile boolean closed;
    /** What the last readiness check found, so that the log records changes only. */
    private final AtomicBoolean reachable = new AtomicBoolean(true);

    private long retryTimer = -1;

    public PostgresTaskStore(Vertx vertx, AppConfig.Database db) {
        this.vertx = vertx;
        this.db = db;
        this.trust = ServerTrust.of(db.tls());
        this.client = PostgresClients.requests(vertx, db, trust);
        this.migrations = SchemaMigrations.fromClasspath();
        this.requestBoundMillis =
                db.connectTimeout().toMillis() + db.queryTimeout().toMillis();
        this.creates = new GroupCommit<>(
                vertx,
                db.createBatchSize(),
                db.createBatches(),
                requestBoundMillis,
                GroupCommit.isolating(this::insertBatch, DatabaseFailures::isRefusedValue));
    }

    /**
     * The first migration attempt: succeeds at once if the database is unreachable (attempts continue in the
     * background), fails if the schema is newer than this build.
     */
    @Override
    public Future<Void> start() {
        return migrate()
                .recover(e -> e instanceof SchemaTooNewException ? Future.failedFuture(e) : Future.succeededFuture());
    }

    private Future<Void> migrate() {
        Pool pool = PostgresClients.migrations(vertx, db, trust);
        return migrations
                .apply(pool)
                .onComplete(done -> pool.close())
                .onSuccess(version -> {
                    notReady = null;
                    LOG.info(() -> "task database " + db + " is at schema version " + version);
                })
                .onFailure(this::migrationFailed)
                .mapEmpty();
    }

    private synchronized void migrationFailed(Throwable e) {
        if (e instanceof SchemaTooNewException) {
            notReady = e.getMessage();
            LOG.severe("task database " + db + ": " + e.getMessage());
            return;
        }
        String reason = "the schema could not be brought up to date: "
                + DatabaseFailures.reason(explain(e), db.connectTimeout().toMillis()) + " (retrying)";
        if (!reason.equals(notReady)) {
            LOG.log(Level.WARNING, "task database " + db + ": " + reason);
        }
        notReady = reason;
        if (!closed) {
            retryTimer = vertx.setTimer(MIGRATION_RETRY_MILLIS, id -> {
                if (!closed) {
                    migrate();
                }
            });
        }
    }

    /**
     * Joins the next batch of creates (see {@link GroupCommit}): answered once the batch's transaction has
     * committed, with synchronous_commit as the server has it (on by default), so a 201 is as durable as before.
     */
    @Override
    public Future<Task> create(NewTask task) {
        Future<Void> ready = ready();
        if (ready != null) {
            return ready.mapEmpty();
        }
        return creates.submit(task)
                .recover(e -> Future.failedFuture(DatabaseFailures.toProblem(e, requestBoundMillis)));
    }

    /** One batch of creates, one statement; the tasks in the batch's order (by id: see INSERT_BATCH). */
    private Future<List<Task>> insertBatch(List<NewTask> batch) {
        return client.preparedQuery(TaskStatements.INSERT_BATCH)
                .execute(TaskStatements.insertBatchArgs(batch))
                .map(rows -> {
                    List<Task> created = new ArrayList<>(rows.size());
                    rows.forEach(row -> created.add(task(row)));
                    created.sort(Comparator.comparingLong(Task::number));
                    return created;
                });
    }

    @Override
    public Future<Optional<Task>> get(long number) {
        return query(() -> client.preparedQuery(TaskStatements.SELECT_ONE)
                .execute(Tuple.of(number))
                .map(this::first));
    }

    /** The page and the total are two statements, sent together (pipelined) rather than one after the other. */
    @Override
    public Future<TaskPage> list(TaskQuery query) {
        TaskStatements.Listing listing = TaskStatements.Listing.of(query);
        return query(() -> {
            Future<RowSet<Row>> page = client.preparedQuery(listing.page()).execute(listing.pageArgs());
            Future<RowSet<Row>> count = client.preparedQuery(listing.count()).execute(listing.countArgs());
            return Future.all(page, count).map(both -> {
                List<Task> tasks = new ArrayList<>(page.result().size());
                page.result().forEach(row -> tasks.add(task(row)));
                long total = count.result().iterator().next().getLong(0);
                return new TaskPage(tasks, (int) Math.min(Integer.MAX_VALUE, total));
            });
        });
    }

    @Override
    public Future<Optional<Task>> update(long number, TaskPatch patch) {
        return query(() -> client.preparedQuery(TaskStatements.UPDATE)
                .execute(TaskStatements.updateArgs(number, patch))
                .map(this::first));
    }

    @Override
    public Future<Boolean> delete(long number) {
        return query(() -> client.preparedQuery(TaskStatements.DELETE)
                .execute(Tuple.of(number))
                .map(rows -> rows.rowCount() > 0));
    }

    @Override
    public Future<Void> checkReadiness() {
        String reason = notReady;
        if (reason != null) {
            return Future.failedFuture(new StoreUnavailableException("task database: " + reason, null));
        }
        long bound = Math.min(READINESS_BOUND_MILLIS, requestBoundMillis);
        return client.preparedQuery(TaskStatements.PING)
                .execute()
                .timeout(bound, TimeUnit.MILLISECONDS)
                .transform(ping -> {
                    if (ping.succeeded()) {
                        if (reachable.compareAndSet(false, true)) {
                            LOG.info("task database " + db + " answers again");
                        }
                        return Future.succeededFuture();
                    }
                    String why = DatabaseFailures.reason(explain(ping.cause()), bound);
                    if (reachable.compareAndSet(true, false)) {
                        LOG.warning("task database " + db + " unreachable: " + why);
                    }
                    return Future.failedFuture(
                            new StoreUnavailableException("task database unreachable: " + why, ping.cause()));
                });
    }

    @Override
    public synchronized Future<Void> close() {
        closed = true;
        vertx.cancelTimer(retryTimer);
        creates.close(new StoreUnavailableException("the service is shutting down; retry later", null));
        return client.close().timeout(requestBoundMillis, TimeUnit.MILLISECONDS).recover(e -> {
            LOG.warning(
                    "task database " + db + ": the connection pool did not close within " + requestBoundMillis + " ms");
            return Future.succeededFuture();
        });
    }

    /** The failure, with why the server's certificate was refused when that is what a failed handshake hides. */
    private Throwable explain(Throwable failure) {
        return ServerTrust.explain(trust, failure);
    }

    /** Runs one database operation within the request bound, turning an unavailable database into 503. */
    private <T> Future<T> query(Supplier<Future<T>> operation) {
        Future<Void> ready = ready();
        if (ready != null) {
            return ready.mapEmpty();
        }
        return operation
                .get()
                .timeout(requestBoundMillis, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(DatabaseFailures.toProblem(e, requestBoundMillis)));
    }

    /** Null when the store can serve, else the 503 to answer. */
    private Future<Void> ready() {
        if (notReady == null) {
            return null;
        }
        return Future.failedFuture(new StoreUnavailableException(
                "the task database is not ready yet (its schema is not up to date; see readiness); retry later", null));
    }

    private Optional<Task> first(RowSet<Row> rows) {
        return rows.size() == 0
                ? Optional.empty()
                : Optional.of(task(rows.iterator().next()));
    }

    private static Task task(Row row) {
        return new Task(
                row.getLong("id"),
                row.getString("title"),
                row.getString("description"),
                row.getInteger("priority"),
                row.getOffsetDateTime("created_at").format(TIMESTAMP),
                row.getBoolean("completed"));
    }
}
