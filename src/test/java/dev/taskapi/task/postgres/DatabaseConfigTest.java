package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.config.InvalidConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** STORE, DATABASE_URL, the PG* variables and the DB_* bounds, as AppConfig reads and checks them. */
class DatabaseConfigTest {
    @Test
    void defaultsAreTheMemoryStoreAndLibpqsDefaults() {
        AppConfig c = AppConfig.from(Map.of());
        assertEquals(AppConfig.Store.MEMORY, c.store());
        assertEquals(
                new AppConfig.Database(
                        "localhost", 5432, "postgres", "postgres", "", 8, Duration.ofSeconds(2), Duration.ofSeconds(2)),
                c.database());
    }

    @Test
    void pgVariablesGiveTheConnectionAndTheDatabaseDefaultsToTheUser() {
        AppConfig.Database db = AppConfig.from(Map.of(
                        "STORE",
                        "postgres",
                        "PGHOST",
                        "db.internal",
                        "PGPORT",
                        "6543",
                        "PGUSER",
                        "tasks",
                        "PGPASSWORD",
                        "s3cret"))
                .database();
        assertEquals(
                new AppConfig.Database(
                        "db.internal",
                        6543,
                        "tasks",
                        "tasks",
                        "s3cret",
                        8,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2)),
                db);
    }

    @Test
    void databaseUrlOverridesEachPartItGivesAndPgVariablesFillTheRest() {
        AppConfig c = AppConfig.from(Map.of(
                "STORE",
                "postgres",
                "DATABASE_URL",
                "postgresql://app:p%40ss%3Aw0rd@pg.example:5433/tasks",
                "PGHOST",
                "ignored",
                "PGDATABASE",
                "ignored",
                "DB_POOL_SIZE",
                "20",
                "DB_CONNECT_TIMEOUT_MS",
                "500",
                "DB_QUERY_TIMEOUT_MS",
                "1500"));
        assertEquals(AppConfig.Store.POSTGRES, c.store());
        assertEquals(
                new AppConfig.Database(
                        "pg.example",
                        5433,
                        "tasks",
                        "app",
                        "p@ss:w0rd",
                        20,
                        Duration.ofMillis(500),
                        Duration.ofMillis(1500)),
                c.database());

        AppConfig.Database partial = AppConfig.from(Map.of(
                        "DATABASE_URL",
                        "postgres://app@pg.example/tasks",
                        "PGPASSWORD",
                        "from-a-secret",
                        "PGPORT",
                        "5444"))
                .database();
        assertEquals("from-a-secret", partial.password());
        assertEquals(5444, partial.port());
    }

    @Test
    void createsAreBatchedAsConfiguredWithNoMoreBatchesInFlightThanConnections() {
        AppConfig.Database defaults = AppConfig.from(Map.of()).database();
        assertEquals(AppConfig.Database.DEFAULT_CREATE_BATCH_SIZE, defaults.createBatchSize());
        assertEquals(AppConfig.Database.DEFAULT_CREATE_BATCHES, defaults.createBatches());
        assertEquals(
                1,
                AppConfig.from(Map.of("DB_POOL_SIZE", "1")).database().createBatches(),
                "the default never exceeds the pool");
        AppConfig.Database set = AppConfig.from(
                        Map.of("DB_POOL_SIZE", "4", "DB_CREATE_BATCH_SIZE", "1", "DB_CREATE_BATCHES", "4"))
                .database();
        assertEquals(1, set.createBatchSize());
        assertEquals(4, set.createBatches());
        InvalidConfigException tooMany = assertThrows(
                InvalidConfigException.class,
                () -> AppConfig.from(Map.of("DB_POOL_SIZE", "4", "DB_CREATE_BATCHES", "5")));
        assertEquals("DB_CREATE_BATCHES must be 1..DB_POOL_SIZE (4), got 5", tooMany.getMessage());
    }

    @Test
    void thePasswordNeverAppearsInTheConfigurationsText() {
        AppConfig c = AppConfig.from(Map.of("DATABASE_URL", "postgresql://app:topsecret@pg.example:5433/tasks"));
        assertFalse(c.toString().contains("topsecret"), c.toString());
        assertTrue(c.toString().contains("postgresql://app@pg.example:5433/tasks"), c.toString());
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> AppConfig.from(Map.of("DATABASE_URL", "mysql://app:topsecret@pg.example/tasks")));
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "STORE|redis",
                "DATABASE_URL|mysql://u:p@h/db",
                "DATABASE_URL|postgresql:tasks",
                "DATABASE_URL|postgresql://h:port/db",
                "DATABASE_URL|postgresql://h/db?application_name=x",
                "DATABASE_URL|postgresql://h/db?sslmode=",
                "PGSSLMODE|on",
                "PGSSLROOTCERT|/nonexistent/ca.crt",
                "PGSSLCERT|/nonexistent/client.crt",
                "DB_TRANSACTION_POOLER|maybe",
                "DATABASE_URL|postgresql://h/db/extra",
                "DATABASE_URL|postgresql://h 1/db",
                "PGPORT|0",
                "PGPORT|70000",
                "PGPORT|pg",
                "DB_POOL_SIZE|0",
                "DB_POOL_SIZE|1001",
                "DB_POOL_SIZE|many",
                "DB_CONNECT_TIMEOUT_MS|0",
                "DB_CONNECT_TIMEOUT_MS|-1",
                "DB_QUERY_TIMEOUT_MS|0",
                "DB_QUERY_TIMEOUT_MS|2s",
                "DB_CREATE_BATCH_SIZE|0",
                "DB_CREATE_BATCH_SIZE|1001",
                "DB_CREATE_BATCH_SIZE|all",
                "DB_CREATE_BATCHES|0",
                "DB_CREATE_BATCHES|9",
                "DB_CREATE_BATCHES|two",
            })
    void invalidValueIsRejectedNamingTheVariable(String variable, String value) {
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> AppConfig.from(Map.of(variable, value)));
        assertTrue(
                e.getMessage().startsWith(variable + " ") || e.getMessage().startsWith(variable + ":"), e.getMessage());
    }
}
