package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.FreePort;
import dev.taskapi.testing.PostgresServer;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestCa;
import dev.taskapi.testing.TestConfig;
import dev.taskapi.testing.TlsPostgres;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a PostgreSQL that admits TLS connections only: sslmode verify-full connects and its connections
 * are encrypted; a certificate that does not check out (another CA, another host name, expired) and a connection
 * without TLS are refused, and readiness says which, in words. The schema migration connects the same way: on a
 * TLS-only server nothing else could create the schema.
 */
class PostgresTlsIT {
    @TempDir
    Path models;

    @TempDir
    Path files;

    private TlsPostgres tls;
    private String database;
    private RunningService service;

    @BeforeEach
    void database() {
        tls = TlsPostgres.shared();
        database = tls.server.createDatabase();
    }

    @AfterEach
    void stopService() {
        if (service != null) {
            service.stop().await();
        }
    }

    @Test
    void verifyFullConnectsEncryptedAndMigratesTheSchemaOverTls() {
        start(tls.environment(database, TlsPostgres.HOST, "verify-full"));
        assertReady("verify-full");
        assertEquals(
                201,
                service.post("/tasks", new JsonObject().put("title", "over TLS"))
                        .await()
                        .statusCode());
        assertEquals(
                1,
                tls.server
                        .inDatabase(database, "SELECT version FROM schema_version")
                        .size(),
                "migrated");
        List<Row> connections = sslOfTheServicesConnections();
        assertTrue(!connections.isEmpty(), "the service has connections open");
        for (Row row : connections) {
            assertTrue(
                    row.getBoolean("ssl"),
                    "every connection of the service is encrypted: "
                            + row.toJson().encode());
            assertTrue(
                    row.getString("version").startsWith("TLSv1."), row.toJson().encode());
        }
    }

    /**
     * verify-full in the service's own JVM, on the classpath the images have: the test classpath without SLF4J, a
     * test-only dependency (vertx-core's wrapper of a TrustManager logs through it, so the service must not use it).
     * The tests above run the service in the test JVM, which has SLF4J.
     */
    @Test
    void verifyFullWorksInTheServicesOwnProcessWithoutSlf4j() throws Exception {
        int port = FreePort.pick();
        Path log = files.resolve("service.log");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                                .filter(entry -> !entry.contains("slf4j"))
                                .collect(Collectors.joining(File.pathSeparator)),
                        "dev.taskapi.Main")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> !name.equals("PATH") && !name.equals("HOME"));
        builder.environment().putAll(tls.environment(database, TlsPostgres.HOST, "verify-full"));
        builder.environment()
                .putAll(Map.of("HOST", "127.0.0.1", "PORT", Integer.toString(port), "MODELS_DIR", models.toString()));
        Process process = builder.start();
        try {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int status = 0;
            while (status != 200 && process.isAlive() && System.nanoTime() < deadline) {
                try {
                    status = client.send(
                                    HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (status != 200) {
                    Thread.sleep(50);
                }
            }
            assertEquals(200, status, "ready on verify-full; log:\n" + Files.readString(log));
            assertEquals(
                    201,
                    client.send(
                                    HttpRequest.newBuilder(URI.create(base + "/tasks"))
                                            .header("Content-Type", "application/json")
                                            .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"own process\"}"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode());
        } finally {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        assertEquals(0, process.exitValue(), "exit code after SIGTERM; log:\n" + Files.readString(log));
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedAsUnknownCa() {
        TestCa other = TestCa.create(files, "another CA");
        Map<String, String> env = tls.environment(database, TlsPostgres.HOST, "verify-full");
        env.put("PGSSLROOTCERT", other.cert().toString());
        start(env);
        assertNotReady("not signed by a trusted CA (unknown CA");
        HttpResponse<Buffer> r = service.get("/tasks").await();
        assertEquals(503, r.statusCode(), r.bodyAsString());
    }

    @Test
    void aCertificateForAnotherHostNameIsRefusedByVerifyFullAndAcceptedByVerifyCa() {
        // localhost is the same server, but the certificate names 127.0.0.1 only
        start(tls.environment(database, "localhost", "verify-full"));
        assertNotReady(
                "the server's certificate is for another host name (sslmode=verify-full: No name matching localhost");
        service.stop().await();

        start(tls.environment(database, "localhost", "verify-ca"));
        assertReady("verify-ca checks the chain alone");
    }

    @Test
    void anExpiredServerCertificateIsRefusedAsExpired() {
        PostgresServer expired = PostgresServer.startTlsOnly(
                new PostgresServer.Tls(tls.ca.expiredServer(List.of(TlsPostgres.HOST)), null, List.of()));
        try {
            String db = expired.createDatabase();
            Map<String, String> env = tls.environment(db, TlsPostgres.HOST, "verify-full");
            env.put("DATABASE_URL", expired.url(db));
            start(env);
            assertNotReady("the server's certificate has expired");
        } finally {
            if (service != null) {
                service.stop().await();
                service = null;
            }
            expired.destroy();
        }
    }

    @Test
    void withoutTlsTheServerRefusesWithItsOwnReason() {
        start(tls.environment(database, TlsPostgres.HOST, "disable"));
        assertNotReady("no pg_hba.conf entry");
        assertNotReady("no encryption");
    }

    @Test
    void requireEncryptsWithoutACaAndAClientCertificateReplacesThePassword() {
        Map<String, String> env = tls.environment(database, TlsPostgres.HOST, "require");
        env.remove("PGSSLROOTCERT");
        start(env);
        assertReady("encrypted, not verified");
        service.stop().await();

        String own = tls.server.createDatabase();
        tls.server.admin("ALTER DATABASE " + own + " OWNER TO " + TlsPostgres.CERTIFICATE_USER);
        TestCa.Issued client = tls.ca.client(TlsPostgres.CERTIFICATE_USER);
        Map<String, String> byCertificate = new HashMap<>(Map.of(
                "STORE",
                "postgres",
                "DATABASE_URL",
                "postgresql://" + TlsPostgres.CERTIFICATE_USER + "@" + TlsPostgres.HOST + ":" + tls.server.port() + "/"
                        + own + "?sslmode=verify-full&sslrootcert=" + tls.ca.cert(),
                "PGSSLCERT",
                client.cert().toString(),
                "PGSSLKEY",
                client.key().toString()));
        start(byCertificate);
        assertReady("logged in by certificate");
        assertEquals(
                201,
                service.post("/tasks", new JsonObject().put("title", "by certificate"))
                        .await()
                        .statusCode());
        service.stop().await();

        byCertificate.remove("PGSSLCERT");
        byCertificate.remove("PGSSLKEY");
        start(byCertificate);
        assertNotReady("connection requires a valid client certificate");
    }

    private void start(Map<String, String> env) {
        service = RunningService.start(TestConfig.of(models, env)).await();
    }

    private List<Row> sslOfTheServicesConnections() {
        List<Row> rows = new ArrayList<>();
        tls.server
                .inDatabase(
                        "postgres",
                        "SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                                + " WHERE a.application_name = 'task-api' AND a.datname = '" + database + "'")
                .forEach(rows::add);
        return rows;
    }

    private void assertReady(String why) {
        HttpResponse<Buffer> ready = service.get("/health/ready").await();
        assertEquals(200, ready.statusCode(), why + ": " + ready.bodyAsString());
    }

    /** Readiness is DOWN, and the tasks check's reason contains {@code words}. */
    private void assertNotReady(String words) {
        String reason = service.notReadyReason("tasks");
        assertTrue(reason.contains(words), "readiness should say '" + words + "': " + reason);
        System.out.println("[readiness] " + reason);
    }
}
