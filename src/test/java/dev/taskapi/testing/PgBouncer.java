package dev.taskapi.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A throwaway PgBouncer (Debian's {@code pgbouncer}: {@code /usr/sbin/pgbouncer}, or on PATH) in front of a
 * {@link PostgresServer}, in transaction pooling mode: every database of the server under its own name, the test
 * user's password checked with SCRAM and used to log in to the server, a free loopback port, its own temporary
 * directory, stopped when the JVM exits. PgBouncer refuses to run as root, so as root it runs as the
 * {@code postgres} user, as the server does.
 */
public final class PgBouncer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static PgBouncer shared;

    private final Path dir;
    private final int port;
    private final Process process;
    private final StringBuffer log;

    /**
     * How this PgBouncer pools: {@code poolSize} server connections per database and user
     * ({@code default_pool_size}), and the startup parameters it ignores instead of refusing
     * ({@code ignore_startup_parameters}; none, as installed).
     */
    public record Settings(int poolSize, List<String> ignoredStartupParameters) {
        /** PgBouncer as installed, with fewer server connections than the service's pool has client connections. */
        public static final Settings DEFAULT = new Settings(4, List.of());
    }

    private PgBouncer(Path dir, int port, Process process, StringBuffer log) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Skips the calling test (fails it under CI=true) without PgBouncer, or without a PostgreSQL server to put behind it. */
    public static void require() {
        PostgresServer.require();
        Prerequisites.require(
                binary().isPresent(), "pgbouncer is not installed (/usr/sbin/pgbouncer): apt-get install pgbouncer");
    }

    /** One PgBouncer, {@link Settings#DEFAULT}, in front of {@link PostgresServer#shared()}, for the whole test run. */
    public static synchronized PgBouncer shared() {
        require();
        if (shared == null) {
            shared = start(PostgresServer.shared(), Settings.DEFAULT);
        }
        return shared;
    }

    /** A PgBouncer of the caller's own in front of {@code server}; stopped at JVM exit, or earlier by {@link #stop}. */
    public static PgBouncer start(PostgresServer server, Settings settings) {
        require();
        try {
            Path dir = Files.createTempDirectory("taskapi-pgbouncer");
            int port = FreePort.pick();
            Files.writeString(
                    dir.resolve("userlist.txt"),
                    "\"" + PostgresServer.USER + "\" \"" + PostgresServer.PASSWORD + "\"\n");
            Files.writeString(
                    dir.resolve("pgbouncer.ini"),
                    String.join(
                            "\n",
                            "[databases]",
                            "* = host=127.0.0.1 port=" + server.port(),
                            "[pgbouncer]",
                            "listen_addr = 127.0.0.1",
                            "listen_port = " + port,
                            "unix_socket_dir =",
                            "pool_mode = transaction",
                            "default_pool_size = " + settings.poolSize(),
                            "max_client_conn = 500",
                            "auth_type = scram-sha-256",
                            "auth_file = " + dir.resolve("userlist.txt"),
                            "ignore_startup_parameters = " + String.join(",", settings.ignoredStartupParameters()),
                            "pidfile = " + dir.resolve("pgbouncer.pid"),
                            ""));
            if (isRoot()) {
                Command.exec(Duration.ofSeconds(30), List.of("chown", "-R", "postgres:postgres", dir.toString()))
                        .check("chown of the PgBouncer directory");
            }
            List<String> command = new ArrayList<>();
            if (isRoot()) {
                command.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            command.addAll(List.of(
                    binary().orElseThrow().toString(),
                    dir.resolve("pgbouncer.ini").toString()));
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            StringBuffer log = new StringBuffer();
            CompletableFuture<Void> listening = new CompletableFuture<>();
            Thread reader = new Thread(() -> follow(process, log, listening), "pgbouncer-log-" + port);
            reader.setDaemon(true);
            reader.start();
            PgBouncer bouncer = new PgBouncer(dir, port, process, log);
            Runtime.getRuntime().addShutdownHook(new Thread(bouncer::stop));
            try {
                listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                bouncer.stop();
                throw new AssertionError("PgBouncer did not start listening on 127.0.0.1:" + port + ": " + log, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                bouncer.stop();
                throw new AssertionError("interrupted", e);
            }
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Collects PgBouncer's log (stderr); completes {@code listening} at its "listening on" line, fails it at exit. */
    private static void follow(Process process, StringBuffer log, CompletableFuture<Void> listening) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                log.append(line).append('\n');
                if (line.contains("listening on 127.0.0.1")) {
                    listening.complete(null);
                }
            }
        } catch (IOException e) {
            // the process is gone; what it wrote is in the log
        }
        listening.completeExceptionally(new IllegalStateException("pgbouncer exited"));
    }

    public int port() {
        return port;
    }

    /** What PgBouncer logged so far. */
    public String log() {
        return log.toString();
    }

    /** The service's environment for the postgres store on {@code database} of the server, through this PgBouncer. */
    public Map<String, String> environment(String database) {
        Map<String, String> env = new HashMap<>();
        env.put("STORE", "postgres");
        env.put(
                "DATABASE_URL",
                "postgresql://" + PostgresServer.USER + ":" + PostgresServer.PASSWORD + "@127.0.0.1:" + port + "/"
                        + database);
        return env;
    }

    /** {@link #environment}, with {@code DB_TRANSACTION_POOLER=true}: the service as configured behind PgBouncer. */
    public Map<String, String> poolerEnvironment(String database) {
        Map<String, String> env = environment(database);
        env.put("DB_TRANSACTION_POOLER", "true");
        return env;
    }

    /** Stops PgBouncer (and, as root, the runuser in front of it) and removes its directory; safe to call twice. */
    public void stop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }

    private static Optional<Path> binary() {
        Path debian = Path.of("/usr/sbin/pgbouncer");
        if (Files.isExecutable(debian)) {
            return Optional.of(debian);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(":"))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "pgbouncer"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
