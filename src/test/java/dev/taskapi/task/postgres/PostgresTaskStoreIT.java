package dev.taskapi.task.postgres;

import dev.taskapi.task.TaskStoreContract;
import dev.taskapi.testing.PostgresServer;
import java.util.Map;

/** The Task API's contract on the PostgreSQL store, each test on a fresh database. */
class PostgresTaskStoreIT extends TaskStoreContract {
    @Override
    protected Map<String, String> storeEnvironment() {
        PostgresServer server = PostgresServer.shared();
        return server.environment(server.createDatabase());
    }
}
