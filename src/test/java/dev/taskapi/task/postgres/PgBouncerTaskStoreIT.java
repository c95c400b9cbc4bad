package dev.taskapi.task.postgres;

import dev.taskapi.task.TaskStoreContract;
import dev.taskapi.testing.PgBouncer;
import dev.taskapi.testing.PostgresServer;
import java.util.Map;

/**
 * The Task API's contract on the PostgreSQL store through PgBouncer in transaction pooling mode, with
 * {@code DB_TRANSACTION_POOLER=true}; each test on a fresh database, migrated through PgBouncer too.
 */
class PgBouncerTaskStoreIT extends TaskStoreContract {
    @Override
    protected Map<String, String> storeEnvironment() {
        PgBouncer bouncer = PgBouncer.shared();
        return bouncer.poolerEnvironment(PostgresServer.shared().createDatabase());
    }
}
