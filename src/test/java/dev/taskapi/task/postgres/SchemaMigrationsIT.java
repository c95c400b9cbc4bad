package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema migrations at startup, as replicas meet them: all at once, after a newer build migrated, on a schema that is
 * already current (as a user that may not change it), and with a file that fails.
 */
class SchemaMigrationsIT {
    static final int REPLICAS = 5;

    @TempDir
    Path models;

    @Test
    void replicasStartingAtOnceOnAnEmptyDatabaseMigrateItOnce() {
        PostgresServer server = PostgresServer.shared();
        String database = server.createDatabase();
        Map<String, String> env = server.environment(database);

        List<Future<RunningService>> starts = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            starts.add(RunningService.start(TestConfig.of(models, env)));
        }
        Future.join(starts).await();
        List<RunningService> replicas = starts.stream().map(Future::result).toList();
        try {
            List<Integer> versions = new ArrayList<>();
            for (Row row : server.inDatabase(database, "SELECT version FROM schema_version ORDER BY version")) {
                versions.add(row.getInteger("version"));
            }
            assertEquals(List.of(1), versions, "each version applied once");
            Set<String> ids = new HashSet<>();
            for (RunningService replica : replicas) {
                assertEquals(200, replica.get("/health/ready").await().statusCode());
                ids.add(replica.post("/tasks", new JsonObject().put("title", "t"))
                        .await()
                        .bodyAsJsonObject()
                        .getString("id"));
            }
            assertEquals(REPLICAS, ids.size());
        } finally {
            replicas.forEach(r -> r.stop().await());
        }
    }

    @Test
    void aSchemaNewerThanThisBuildRefusesToStart() {
        PostgresServer server = PostgresServer.shared();
        String database = server.createDatabase();
        Map<String, String> env = server.environment(database);
        RunningService.start(TestConfig.of(models, env)).await().stop().await();
        server.inDatabase(
                database, "INSERT INTO schema_version (version, description) VALUES (999, 'from the future')");

        Throwable refused = assertThrows(
                Throwable.class,
                () -> RunningService.start(TestConfig.of(models, env)).await());
        assertInstanceOf(SchemaTooNewException.class, refused);
        assertTrue(refused.getMessage().contains("version 999, newer than this build knows (1)"), refused.getMessage());
    }

    @Test
    void onACurrentSchemaAUserWhoMayOnlyReadTheVersionAndWriteTasksStartsWithoutChangingAnything() {
        PostgresServer server = PostgresServer.shared();
        String database = server.createDatabase();
        RunningService.start(TestConfig.of(models, server.environment(database)))
                .await()
                .stop()
                .await();
        String user = database + "_dml";
        server.admin("CREATE ROLE " + user + " LOGIN PASSWORD '" + PostgresServer.PASSWORD + "'");
        server.inDatabase(database, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        server.inDatabase(database, "GRANT SELECT ON schema_version TO " + user);
        server.inDatabase(database, "GRANT SELECT, INSERT, UPDATE, DELETE ON tasks TO " + user);

        Map<String, String> env = new HashMap<>(server.environment(database));
        env.put("DATABASE_URL", server.url(database).replace(PostgresServer.USER + ":", user + ":"));
        RunningService service =
                RunningService.start(TestConfig.of(models, env)).await();
        try {
            assertEquals(200, service.get("/health/ready").await().statusCode());
            assertEquals(
                    201,
                    service.post("/tasks", new JsonObject().put("title", "no DDL needed"))
                            .await()
                            .statusCode());
        } finally {
            service.stop().await();
        }
    }

    @Test
    void aFileThatFailsRollsBackTheWholeMigrationAndNamesItself() {
        PostgresServer server = PostgresServer.shared();
        String database = server.createDatabase();
        SchemaMigrations migrations = new SchemaMigrations(List.of(
                new SchemaMigrations.Migration(1, "first", "CREATE TABLE first (id int)"),
                new SchemaMigrations.Migration(2, "broken", "CREATE TABLE second (id int); SELECT 1 / 0")));
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PostgresClients.migrations(
                    vertx, AppConfig.from(server.environment(database)).database(), null);
            Throwable failed = assertThrows(
                    Throwable.class,
                    () -> migrations.apply(pool).eventually(pool::close).await());
            assertTrue(failed.getMessage().startsWith("migration V2 (broken) failed"), failed.getMessage());
        } finally {
            vertx.close().await();
        }
        assertEquals(
                List.of(),
                tables(server, database),
                "one transaction: neither V1, nor the half of V2, nor schema_version is left");
    }

    private static List<String> tables(PostgresServer server, String database) {
        List<String> tables = new ArrayList<>();
        for (Row row : server.inDatabase(
                database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")) {
            tables.add(row.getString("tablename"));
        }
        return tables;
    }
}
