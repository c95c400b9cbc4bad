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
 * {@code db/migration} ({@code V<n>__<description>.sql}, n consecutive from 1). Each pending file runs once,
 * in one transaction together with its row in {@code schema_version}. A session-level advisory lock, held on
 * one connection for the whole run, serialises replicas that start at once: the first applies, the others
 * wait and then find nothing left to do. A database at a version newer than the newest file is refused.
 *
 * <p>Chosen over Flyway: no extra jars in the image, and nothing here blocks an event loop.
 */
final class SchemaMigrations {
    /** Files in the order they apply; add a new one at the end. */
    static final List<String> FILES = List.of("V1__tasks.sql");
    /** The advisory lock's key: any constant the service alone uses ("taskapi" in ASCII). */
    private static final long LOCK_KEY = 0x7461736b617069L;

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
        return pool.withConnection(conn -> conn.query("SELECT pg_advisory_lock(" + LOCK_KEY + ")")
                .execute()
                .compose(locked -> migrate(conn)
                        .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + LOCK_KEY + ")")
                                .execute())));
    }

    private Future<Integer> migrate(SqlConnection conn) {
        return conn.query("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                        + " description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
                .execute()
                .compose(created -> conn.query("SELECT coalesce(max(version), 0) AS version FROM schema_version")
                        .execute())
                .compose(rows -> {
                    int current = rows.iterator().next().getInteger("version");
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
     * The file and its schema_version row as one simple-protocol query: PostgreSQL runs a multi-statement query
     * as one transaction, so a failing file leaves nothing behind and is tried again next time.
     */
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
