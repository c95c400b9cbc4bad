package dev.taskapi.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for the integration tests, from the binaries of an installed PostgreSQL
 * (Debian's {@code postgresql-15}: {@code /usr/lib/postgresql/<version>/bin}, or {@code PG_BIN}): its own data
 * directory, a free loopback port, password authentication, durability off for speed. PostgreSQL refuses to
 * run as root, so as root the server runs as the {@code postgres} user the package creates.
 */
public final class PostgresServer {
    public static final String USER = "taskapi";
    public static final String PASSWORD = "test-only-password";
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final int port;
    /** The server's TLS, or null when it accepts connections without it only. */
    private final Tls tls;

    /**
     * TLS on the server: its certificate and key, and, for client certificates, the CA that signs them. Such a
     * server admits TCP connections with TLS only ({@code hostssl} lines alone in pg_hba.conf), with a password,
     * or, for the users in {@code certificateUsers}, with a client certificate instead.
     */
    public record Tls(TestCa.Issued server, Path clientCa, List<String> certificateUsers) {}

    private PostgresServer(Path bin, Path dir, int port, Tls tls) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.tls = tls;
    }

    /** Skips the calling test (fails it under CI=true) when no server can be started here. */
    public static void require() {
        Prerequisites.require(unavailableReason().isEmpty(), unavailableReason().orElse(""));
    }

    /** One server for the whole test run, stopped when the JVM exits. */
    public static synchronized PostgresServer shared() {
        require();
        if (shared == null) {
            shared = startNew();
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
        }
        return shared;
    }

    /** A server of the caller's own, for tests that stop and restart it; {@link #destroy} it after. */
    public static PostgresServer startNew() {
        return startNew(null);
    }

    /** A server of the caller's own that admits TLS connections only; {@link #destroy} it after. */
    public static PostgresServer startTlsOnly(Tls tls) {
        return startNew(tls);
    }

    private static PostgresServer startNew(Tls tls) {
        require();
        try {
            Path dir = Files.createTempDirectory("taskapi-pg");
            Files.writeString(dir.resolve("pwfile"), PASSWORD + "\n");
            if (isRoot()) {
                Command.exec(Duration.ofSeconds(30), List.of("chown", "-R", "postgres:postgres", dir.toString()))
                        .check("chown of the test database directory");
            }
            PostgresServer server = new PostgresServer(binDir().orElseThrow(), dir, FreePort.pick(), tls);
            server.run(
                    "initdb",
                    "-D",
                    server.data(),
                    "-U",
                    USER,
                    "--auth=scram-sha-256",
                    "--pwfile=" + dir.resolve("pwfile"),
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync");
            if (tls != null) {
                server.configureTls();
            }
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Starts the server (again, after {@link #stop}) on the same port and data; returns when it accepts connections. */
    public void start() {
        run(
                "pg_ctl",
                "-D",
                data(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c max_connections=300 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off" + tlsOptions(),
                "start");
    }

    /** Stops the server the way an orchestrator does (fast: open connections are closed). */
    public void stop() {
        run("pg_ctl", "-D", data(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    /** Freezes (SIGSTOP) or thaws (SIGCONT) every process of the server: a database that stops answering. */
    public void freeze(boolean frozen) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid"))
                    .get(0)
                    .trim());
            List<String> kill = new ArrayList<>(List.of("kill", frozen ? "-STOP" : "-CONT", Long.toString(postmaster)));
            ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> kill.add(Long.toString(p.pid())));
            Command.exec(Duration.ofSeconds(10), kill).check("kill " + (frozen ? "-STOP" : "-CONT"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server at once and removes its data. */
    public void destroy() {
        Command.exec(
                PG_CTL_TIMEOUT,
                asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "-w", "stop")));
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }

    /** A new, empty database on this server; its name. */
    public String createDatabase() {
        String name = "tasks_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        admin("CREATE DATABASE " + name);
        return name;
    }

    /** A login role {@code user} without a password (it logs in where pg_hba.conf lets it, by certificate). */
    public void admit(String user) {
        admin("CREATE ROLE " + user + " LOGIN");
    }

    /** Runs one statement as the superuser in the {@code postgres} database. */
    public void admin(String sql) {
        inDatabase("postgres", sql);
    }

    /** Runs one statement as the superuser in {@code database}; its rows. */
    public RowSet<Row> inDatabase(String database, String sql) {
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PgBuilder.pool()
                    .connectingTo(connectOptions(database))
                    .using(vertx)
                    .build();
            return pool.query(sql).execute().eventually(pool::close).await();
        } finally {
            vertx.close().await();
        }
    }

    /** The superuser's connection; over TLS (unverified: the tests' own administration) to a TLS-only server. */
    public PgConnectOptions connectOptions(String database) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setDatabase(database)
                .setUser(USER)
                .setPassword(PASSWORD);
        return tls == null
                ? options
                : options.setSslMode(SslMode.REQUIRE).setSslOptions(new ClientSSLOptions().setTrustAll(true));
    }

    /**
     * The server's certificate, key and client CA copied into its directory (the key private to the server's user,
     * as PostgreSQL requires), and a pg_hba.conf that admits TCP connections with TLS only.
     */
    private void configureTls() throws IOException {
        Files.copy(tls.server().cert(), dir.resolve("server.crt"));
        Files.copy(tls.server().key(), dir.resolve("server.key"));
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        StringBuilder hba = new StringBuilder("local all all scram-sha-256\n");
        if (tls.clientCa() != null) {
            Files.copy(tls.clientCa(), dir.resolve("client-ca.crt"));
            for (String user : tls.certificateUsers()) {
                hba.append("hostssl all ").append(user).append(" 127.0.0.1/32 cert\n");
            }
        }
        hba.append("hostssl all all 127.0.0.1/32 scram-sha-256\n");
        Files.writeString(dir.resolve("data/pg_hba.conf"), hba);
        if (isRoot()) {
            Command.exec(Duration.ofSeconds(30), List.of("chown", "-R", "postgres:postgres", dir.toString()))
                    .check("chown of the test database's TLS files");
        }
    }

    private String tlsOptions() {
        if (tls == null) {
            return "";
        }
        return " -c ssl=on -c ssl_cert_file=" + dir.resolve("server.crt") + " -c ssl_key_file="
                + dir.resolve("server.key")
                + (tls.clientCa() == null ? "" : " -c ssl_ca_file=" + dir.resolve("client-ca.crt"));
    }

    public String url(String database) {
        return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + database;
    }

    /** The service's environment for the postgres store on {@code database}. */
    public Map<String, String> environment(String database) {
        return Map.of("STORE", "postgres", "DATABASE_URL", url(database));
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    private void run(String program, String... args) {
        List<String> command = new ArrayList<>(List.of(bin.resolve(program).toString()));
        command.addAll(List.of(args));
        Command.exec(PG_CTL_TIMEOUT, asServerUser(command))
                .check(program + " (log: " + dir.resolve("server.log") + ")");
    }

    private static List<String> asServerUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> asPostgres = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        asPostgres.addAll(command);
        return asPostgres;
    }

    /** Why no server can be started here, if it cannot. */
    public static Optional<String> unavailableReason() {
        if (binDir().isEmpty()) {
            return Optional.of("no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or PG_BIN;"
                    + " install them, e.g. apt-get install postgresql-15");
        }
        if (isRoot() && !Command.works("id", "postgres")) {
            return Optional.of("running as root, and there is no 'postgres' user to run the PostgreSQL server as");
        }
        return Optional.empty();
    }

    private static Optional<Path> binDir() {
        String configured = System.getenv("PG_BIN");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(PostgresServer::hasServerBinaries);
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(PostgresServer::hasServerBinaries)
                    .max(Comparator.comparing(
                            p -> p.getParent().getFileName().toString(),
                            Comparator.comparingInt(v -> v.matches("[0-9]+") ? Integer.parseInt(v) : 0)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasServerBinaries(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
