package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a user who may read and write tasks but not change the schema, with the schema migrated by its
 * owner (the {@code migrate} command), as docs/database.md ("Users and grants") tells an operator to set it up:
 * the grants there are exactly the ones given here.
 */
class DatabaseUsersIT {
    private static final String PASSWORD = "users-test-password";

    @TempDir
    Path models;

    private PostgresServer server;
    private String database;
    private String owner;
    private String app;
    private RunningService service;

    @BeforeEach
    void usersAsDocumented() {
        server = PostgresServer.shared();
        database = server.createDatabase();
        owner = database + "_owner";
        app = database + "_app";
        server.admin("CREATE ROLE " + owner + " LOGIN PASSWORD '" + PASSWORD + "'");
        server.admin("CREATE ROLE " + app + " LOGIN PASSWORD '" + PASSWORD + "'");
        server.admin("ALTER DATABASE " + database + " OWNER TO " + owner);
        for (String grant : grants(database, owner, app)) {
            server.inDatabase(database, grant);
        }
    }

    /** docs/database.md's grants: the service's user may use the schema and read and write the owner's tables. */
    static List<String> grants(String database, String owner, String app) {
        return List.of(
                "REVOKE ALL ON DATABASE " + database + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + database + " TO " + app,
                "GRANT USAGE ON SCHEMA public TO " + app,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public"
                        + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + app);
    }

    @AfterEach
    void stopService() {
        if (service != null) {
            service.stop().await();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theOwnerMigratesAndTheServicesUserWorksWithTasksButCannotDropThem() {
        Result migrated = migrate(owner);
        assertEquals(0, migrated.code(), migrated.err());
        assertTrue(migrated.out().contains("is at schema version " + SchemaMigrations.FILES.size()), migrated.out());

        service = RunningService.start(TestConfig.of(models, env(app))).await();
        assertReady();
        JsonObject task = service.post("/tasks", new JsonObject().put("title", "as the service's user"))
                .await()
                .bodyAsJsonObject();
        String id = task.getString("id");
        assertEquals(
                200,
                service.patch("/tasks/" + id, new JsonObject().put("completed", true))
                        .await()
                        .statusCode());
        assertEquals("1", service.get("/tasks").await().getHeader("X-Total-Count"));
        assertEquals(204, service.client.delete("/tasks/" + id).send().await().statusCode());

        for (String ddl : List.of("DROP TABLE tasks", "TRUNCATE tasks", "ALTER TABLE tasks DROP COLUMN title")) {
            PgException refused =
                    assertInstanceOf(PgException.class, assertThrows(Exception.class, () -> as(app, ddl)));
            assertEquals("42501", refused.getSqlState(), ddl + ": " + refused.getMessage());
        }

        Result again = migrate(owner);
        assertEquals(0, again.code(), "migrating an up-to-date schema is a no-op: " + again.err());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void beforeTheOwnerMigratesTheServiceIsNotReadyAndSaysWhyThenBecomesReadyByItself() {
        service = RunningService.start(TestConfig.of(models, env(app))).await();
        String reason = service.notReadyReason("tasks");
        assertTrue(reason.contains("permission denied for schema public"), reason);

        Result migrated = migrate(owner);
        assertEquals(0, migrated.code(), migrated.err());
        service.awaitReady(Duration.ofSeconds(20)); // on its own retry, every second, no restart
        assertEquals(
                201,
                service.post("/tasks", new JsonObject().put("title", "after the owner migrated"))
                        .await()
                        .statusCode());
    }

    @Test
    void migrateFailsWithOneLineWhenTheDatabaseCannotBeReached() {
        Map<String, String> env = env(owner);
        env.put("DATABASE_URL", "postgresql://" + owner + ":" + PASSWORD + "@127.0.0.1:1/" + database);
        Result failed = run(env);
        assertEquals(1, failed.code());
        assertTrue(failed.err().startsWith("migrate: failed: task database postgresql://" + owner), failed.err());
        assertEquals(1, failed.err().strip().lines().count(), failed.err());
        assertTrue(!failed.err().contains(PASSWORD), "no password in the message");
    }

    private Map<String, String> env(String user) {
        return new HashMap<>(Map.of(
                "STORE",
                "postgres",
                "DATABASE_URL",
                "postgresql://" + user + ":" + PASSWORD + "@127.0.0.1:" + server.port() + "/" + database));
    }

    record Result(int code, String out, String err) {}

    private Result migrate(String user) {
        return run(env(user));
    }

    private static Result run(Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MigrateSchema.run(
                AppConfig.from(env).database(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void as(String user, String sql) {
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PgBuilder.pool()
                    .connectingTo(server.connectOptions(database).setUser(user).setPassword(PASSWORD))
                    .using(vertx)
                    .build();
            pool.query(sql).execute().eventually(pool::close).await();
        } finally {
            vertx.close().await();
        }
    }

    private void assertReady() {
        HttpResponse<Buffer> ready = service.get("/health/ready").await();
        assertEquals(200, ready.statusCode(), ready.bodyAsString());
    }
}
