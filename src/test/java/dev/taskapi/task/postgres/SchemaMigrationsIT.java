package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema migrations at startup, as replicas meet them: all at once, and after a newer build migrated. */
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
}
