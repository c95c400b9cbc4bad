package dev.taskapi.task.postgres;

import dev.taskapi.task.TaskStoreContract;
import dev.taskapi.testing.TlsPostgres;
import java.util.Map;

/**
 * The Task API's contract on the PostgreSQL store over TLS, sslmode verify-full, against a server that admits TLS
 * connections only; each test on a fresh database.
 */
class PostgresTlsTaskStoreIT extends TaskStoreContract {
    @Override
    protected Map<String, String> storeEnvironment() {
        TlsPostgres tls = TlsPostgres.shared();
        return tls.environment(tls.server.createDatabase(), TlsPostgres.HOST, "verify-full");
    }
}
