package dev.taskapi.task.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings the database schema up to this build's version from the versioned SQL files in
 * {@code db/migration} ({@code V<n>__<description>.sql}, n consecutive from 1).
 *
 * <p>First it only reads: {@code schema_version}'s highest version, if the table exists ({@code to_regclass}). A
 * database already at this build's version needs nothing more, no DDL and no lock, so a service whose user may only
 * read {@code schema_version} and read and write the tasks starts on it (docs/database.md, "Users and grants"); one
 * newer than the newest file is refused. Otherwise the whole migration is one transaction: a transaction-level
 * advisory lock ({@code pg_advisory_xact_lock}, released by the commit or rollback, so that nothing outlives the
 * transaction on the server connection, as a pooler in transaction mode requires), the version read again, and every
 * pending file with its row in {@code schema_version}. Replicas that start at once queue on the lock: the first
 * applies, the others then find nothing left to do. A failing file rolls back everything, and is tried again next time.
 *
 * <p>Chosen over Flyway: no extra jars in the image, and nothing here blocks an event loop.
 */
final class SchemaMigrations {
    /** Files in the order they apply; add a new one at the end. */
    static final List<String> FILES = List.of("V1__tasks.sql");
    /** The advisory lock's key: any constant the service alone uses ("taskapi" in ASCII). */
    private static final long LOCK_KEY = 0x7461736b617069L;

    /** The table of applied versions, created by the first migration. */
    private static final String CREATE_SCHEMA_VERSION = "CREATE TABLE IF NOT EXISTS schema_version (version integer"
            + " PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

    private static final Pattern FILE_NAME = Pattern.compile("V([1-9][0-9]*)__([A-Za-z0-9_]+)\\.sql");

    record Migration(int version, String description, String sql) {}

    private final List<Migration> migrations;

    SchemaMigrations(List<Migration> migrations) {
        this.migrations = List.copyOf(migrations);
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalStateException("migration versions must run 1, 2, 3...; found "
                        + migrations.get(i).version() + " at position " + (i + 1));
            }
        }
    }

    /** Reads the files from the classpath; blocking, so call it before serving, never on an event loop. */
    static SchemaMigrations fromClasspath() {
        List<Migration> migrations = new ArrayList<>();
        for (String file : FILES) {
            Matcher name = FILE_NAME.matcher(file);
            if (!name.matches()) {
                throw new IllegalStateException("migration file " + file + " is not named V<n>__<description>.sql");
            }
            migrations.add(
                    new Migration(Integer.parseInt(name.group(1)), name.group(2).replace('_', ' '), read(file)));
        }
        return new SchemaMigrations(migrations);
    }

    int latestVersion() {
        return migrations.size();
    }

    /** Applies what is pending; the version the database is at afterwards. */
    Future<Integer> apply(Pool pool) {
        return pool.withConnection(conn -> currentVersion(conn).compose(current -> {
            if (current > latestVersion()) {
                return Future.failedFuture(new SchemaTooNewException(current, latestVersion()));
            }
            if (current == latestVersion()) {
                return Future.succeededFuture(current);
            }
            return conn.begin()
                    .compose(tx -> migrate(conn)
                            .compose(
                                    version -> tx.commit().map(version),
                                    failure -> tx.rollback().transform(rolledBack -> Future.failedFuture(failure))));
        }));
    }

    /**
     * Inside the migration's transaction, whose settings are local to it (SET LOCAL, which a transaction pooler
     * keeps, unlike a session's): no statement timeout (the role's, if it has one, would cancel a long file or the
     * wait for the lock), no notices; then the lock, and the version again, now that no other replica is migrating.
     * The table is created, if missing, before it is read: a statement that locks it sees what the replica before
     * committed, where {@code to_regclass} could still answer from this session's cache of the catalog, which the
     * advisory lock does not refresh.
     */
    private Future<Integer> migrate(SqlConnection conn) {
        return conn.query("SET LOCAL statement_timeout = 0; SET LOCAL client_min_messages = warning")
                .execute()
                .compose(set -> conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")")
                        .execute())
                .compose(locked -> conn.query(CREATE_SCHEMA_VERSION).execute())
                .compose(created -> recordedVersion(conn))
                .compose(current -> {
                    if (current > latestVersion()) {
                        return Future.failedFuture(new SchemaTooNewException(current, latestVersion()));
                    }
                    Future<Integer> applied = Future.succeededFuture(current);
                    for (Migration m : migrations.subList(current, migrations.size())) {
                        applied = applied.compose(previous -> applyOne(conn, m));
                    }
                    return applied;
                });
    }

    /**
     * The highest version in schema_version, read without changing anything; 0 when the table does not exist yet.
     * Each statement outside a transaction starts one, which brings this session's cache of the catalog up to date.
     */
    private static Future<Integer> currentVersion(SqlConnection conn) {
        return conn.query("SELECT to_regclass('schema_version') IS NOT NULL AS present")
                .execute()
                .compose(rows -> rows.iterator().next().getBoolean("present")
                        ? recordedVersion(conn)
                        : Future.succeededFuture(0));
    }

    private static Future<Integer> recordedVersion(SqlConnection conn) {
        return conn.query("SELECT coalesce(max(version), 0) AS version FROM schema_version")
                .execute()
                .map(versions -> versions.iterator().next().getInteger("version"));
    }

    /** A file and its schema_version row, inside the migration's transaction. */
    private static Future<Integer> applyOne(SqlConnection conn, Migration m) {
        String record = "INSERT INTO schema_version (version, description) VALUES (" + m.version() + ", '"
                + m.description() + "')";
        return conn.query(m.sql() + "\n;\n" + record)
                .execute()
                .recover(e -> Future.failedFuture(new IllegalStateException(
                        "migration V" + m.version() + " (" + m.description() + ") failed: " + e.getMessage(), e)))
                .map(done -> m.version());
    }

    private static String read(String file) {
        String path = "db/migration/" + file;
        try (InputStream in = SchemaMigrations.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration " + path + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
