package dev.taskapi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A throwaway PostgreSQL that admits TLS connections only, with a certificate for 127.0.0.1 from a CA made for the
 * run ({@link TestCa}), which also signs the client certificate of the user {@link #CERTIFICATE_USER} (who logs in
 * with it instead of a password). One for the whole test run, stopped when the JVM exits.
 */
public final class TlsPostgres {
    /** The address the server's certificate names; {@code localhost} reaches the same server under another name. */
    public static final String HOST = "127.0.0.1";
    /** A user the server authenticates by client certificate alone. */
    public static final String CERTIFICATE_USER = "task_api_cert";

    private static TlsPostgres shared;

    public final Path dir;
    public final TestCa ca;
    public final PostgresServer server;

    private TlsPostgres(Path dir, TestCa ca, PostgresServer server) {
        this.dir = dir;
        this.ca = ca;
        this.server = server;
    }

    /** Skips the calling test (fails it under CI=true) without PostgreSQL's server or openssl. */
    public static void require() {
        PostgresServer.require();
        TestCa.require();
    }

    public static synchronized TlsPostgres shared() {
        require();
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("taskapi-tls");
                TestCa ca = TestCa.create(dir, "task-api test CA");
                PostgresServer server = PostgresServer.startTlsOnly(
                        new PostgresServer.Tls(ca.server(List.of(HOST)), ca.cert(), List.of(CERTIFICATE_USER)));
                server.admit(CERTIFICATE_USER);
                shared = new TlsPostgres(dir, ca, server);
                Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /**
     * The service's environment for the postgres store on {@code database} at {@code host}, with {@code sslmode} and
     * this server's CA as PGSSLROOTCERT.
     */
    public Map<String, String> environment(String database, String host, String sslmode) {
        Map<String, String> env = new HashMap<>(Map.of(
                "STORE",
                "postgres",
                "DATABASE_URL",
                "postgresql://" + PostgresServer.USER + ":" + PostgresServer.PASSWORD + "@" + host + ":" + server.port()
                        + "/" + database,
                "PGSSLMODE",
                sslmode,
                "PGSSLROOTCERT",
                ca.cert().toString()));
        return env;
    }
}
