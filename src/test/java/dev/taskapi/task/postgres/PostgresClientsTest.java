package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import io.vertx.pgclient.PgConnectOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the clients ask of the server: connected to it directly, and through a pooler in transaction mode. */
class PostgresClientsTest {
    @Test
    void directlyStatementsAreCachedAndTheServerBoundsEachRequestsStatement() {
        PgConnectOptions requests =
                PostgresClients.requestOptions(database(Map.of("DB_QUERY_TIMEOUT_MS", "1500")), null);
        assertTrue(requests.getCachePreparedStatements());
        assertFalse(requests.getUseLayer7Proxy());
        assertEquals("1500", requests.getProperties().get("statement_timeout"));
        assertEquals(PostgresClients.PIPELINING_LIMIT, requests.getPipeliningLimit());
        assertEquals("task-api", requests.getProperties().get("application_name"));
    }

    @Test
    void throughATransactionPoolerNoNamedStatementsAndOnlyTheStartupParametersPgBouncerTracks() {
        AppConfig.Database db = database(Map.of("DB_TRANSACTION_POOLER", "true"));
        for (PgConnectOptions options : new PgConnectOptions[] {
            PostgresClients.requestOptions(db, null), PostgresClients.connectOptions(db, null)
        }) {
            assertFalse(options.getCachePreparedStatements(), "no prepared-statement cache");
            assertTrue(options.getUseLayer7Proxy(), "each execution parses its unnamed statement again");
            assertEquals(
                    Set.of("application_name", "client_encoding", "DateStyle"),
                    options.getProperties().keySet(),
                    "no statement_timeout, client_min_messages or extra_float_digits");
            assertEquals("task-api", options.getProperties().get("application_name"));
            assertEquals(PostgresClients.PIPELINING_LIMIT, options.getPipeliningLimit(), "pipelining still works");
        }
    }

    private static AppConfig.Database database(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("STORE", "postgres", "PGSSLMODE", "disable"));
        env.putAll(overrides);
        return AppConfig.from(env).database();
    }
}
