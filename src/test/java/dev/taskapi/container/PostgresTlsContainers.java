package dev.taskapi.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Command;
import dev.taskapi.testing.Prerequisites;
import dev.taskapi.testing.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * PostgreSQL in containers of the engine, on a network of their own, admitting network connections with TLS only:
 * the Debian-built PostgreSQL 15 image ({@code src/scripts/bases.sh postgres15}: target/bases/postgres15.tar, its
 * entrypoint src/scripts/postgres-entrypoint.sh), with a server certificate and key that a {@link TestCa} of the
 * database's own issues for the container's name, mounted read-only, and a pg_hba.conf whose only network line is
 * {@code hostssl}. A client joins with {@link #clientArgs}: it reaches a database by its container name through the
 * engine's DNS where the network has it (docker's user-defined networks; podman's with netavark and aardvark-dns),
 * else through a hosts entry for the container's address (podman on CNI without the dnsname plugin, as on this
 * repository's machines: the podman overlay's hostAliases do the same), and finds the database's CA at
 * {@link #CA_IN_CLIENT}. {@link #close} removes the containers, their anonymous volumes and the network.
 */
final class PostgresTlsContainers implements AutoCloseable {
    static final Path TAR = Path.of("target", "bases", "postgres15.tar");
    static final String USER = "taskapi";
    static final String PASSWORD = "test-only-password";
    static final String DATABASE = "tasks";
    /** Where {@link #clientArgs} mounts the database's CA certificate (read-only): what PGSSLROOTCERT names. */
    static final String CA_IN_CLIENT = "/etc/task-api/db-ca.crt";

    private static final String TLS_DIR = "/etc/postgresql-tls";
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One database container: {@code name} is its container name and the one name its certificate carries;
     * {@code otherName} reaches the same server under a name the certificate does not carry.
     */
    record Database(String name, String otherName, String address, TestCa ca, TestCa.Keys keys) {}

    private final String engine;
    private final Path dir;
    private final String network;
    private final boolean dns;
    private final String image;
    private final List<Database> databases = new ArrayList<>();

    private PostgresTlsContainers(String engine, Path dir, String network, boolean dns, String image) {
        this.engine = engine;
        this.dir = dir;
        this.network = network;
        this.dns = dns;
        this.image = image;
    }

    /**
     * Loads the PostgreSQL image into {@code engine} unless it is there, and creates the network; skips the calling
     * test (fails it under CI=true) without the image's tar or openssl, before creating anything.
     */
    static PostgresTlsContainers create(String engine, Path dir) {
        Prerequisites.require(
                Files.isRegularFile(TAR),
                TAR + " (the PostgreSQL image of the TLS container tests) is missing: `make k8s-postgres-image` builds"
                        + " it (needs mmdebstrap; `make test` and `make container-test` build it first)");
        TestCa.require();
        String image = ImageTars.imageId(TAR);
        if (Engine.run(engine, Duration.ofSeconds(30), "image", "inspect", image)
                        .code()
                != 0) {
            Engine.run(engine, Duration.ofMinutes(5), "load", "-i", TAR.toString())
                    .check("loading " + TAR);
        }
        String network = "task-api-ctest-tls-" + UUID.randomUUID().toString().substring(0, 8);
        Engine.run(engine, Duration.ofMinutes(1), "network", "create", network)
                .check("creating the network " + network);
        boolean dns;
        try {
            JsonNode inspected = JSON.readTree(Engine.run(engine, Duration.ofSeconds(30), "network", "inspect", network)
                            .check("inspecting " + network)
                            .out())
                    .get(0);
            // podman says whether its network has DNS; docker's user-defined networks always have its embedded DNS.
            dns = !inspected.has("dns_enabled") || inspected.get("dns_enabled").asBoolean();
        } catch (IOException | RuntimeException | AssertionError e) {
            Engine.run(engine, Duration.ofMinutes(1), "network", "rm", network);
            throw new AssertionError("cannot read what " + network + " is: " + e.getMessage(), e);
        }
        System.out.println("[tls] " + engine + " network " + network + ": names resolve "
                + (dns ? "through the engine's DNS" : "through hosts entries (the network has no DNS)"));
        return new PostgresTlsContainers(engine, dir, network, dns, image);
    }

    /**
     * A new database container on the network, with a CA of its own whose keys are {@code keys}; returns once it
     * accepts connections.
     */
    Database start(TestCa.Keys keys) {
        String name = network + "-db" + (databases.size() + 1);
        String otherName = "other-" + name;
        try {
            Path files = Files.createDirectories(dir.resolve(name));
            TestCa ca = TestCa.create(files, "task-api test CA (" + keys + ")", keys);
            TestCa.Issued server = ca.server(List.of(name));
            Path hba = files.resolve("pg_hba.conf");
            Files.writeString(
                    hba,
                    "# the tests' psql, inside the container, over its socket\n"
                            + "local all all scram-sha-256\n"
                            + "# every network connection: TLS, and a password\n"
                            + "hostssl all all all scram-sha-256\n");
            // Readable by the server's user (uid 999) through the read-only mounts; the key is copied from there
            // into the container's /tmp with mode 0600 and the server's ownership, as PostgreSQL requires.
            for (Path f : List.of(server.cert(), server.key(), hba, ca.cert())) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
            List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", network));
            if (dns) {
                args.addAll(List.of("--network-alias", otherName));
            }
            args.addAll(List.of(
                    "--tmpfs",
                    "/tmp:rw,nosuid,nodev,mode=1777,size=256m",
                    "-e",
                    "POSTGRES_USER=" + USER,
                    "-e",
                    "POSTGRES_PASSWORD=" + PASSWORD,
                    "-e",
                    "POSTGRES_DB=" + DATABASE,
                    "-e",
                    "PGDATA=/tmp/pgdata",
                    "-v",
                    server.cert() + ":" + TLS_DIR + "/server.crt:ro",
                    "-v",
                    server.key() + ":" + TLS_DIR + "/server.key:ro",
                    "-v",
                    hba + ":" + TLS_DIR + "/pg_hba.conf:ro",
                    "--entrypoint",
                    "bash",
                    image,
                    "-c",
                    "install -m 600 " + TLS_DIR + "/server.key /tmp/server.key"
                            + " && exec /usr/local/bin/postgres-entrypoint \"$@\"",
                    "postgres-entrypoint",
                    "-c",
                    "ssl=on",
                    "-c",
                    "ssl_cert_file=" + TLS_DIR + "/server.crt",
                    "-c",
                    "ssl_key_file=/tmp/server.key",
                    "-c",
                    "hba_file=" + TLS_DIR + "/pg_hba.conf",
                    "-c",
                    "unix_socket_directories=/tmp"));
            Command.Result run = Engine.run(engine, Duration.ofMinutes(2), args.toArray(String[]::new));
            if (run.code() != 0) {
                Engine.run(engine, Duration.ofMinutes(1), "rm", "-f", "-v", name); // an engine may have created it
                run.check("starting PostgreSQL " + name);
            }
            Database database = new Database(name, otherName, awaitReady(name), ca, keys);
            databases.add(database);
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Polls pg_isready on the server's socket until it accepts connections; returns the container's address. The
     * container is removed if it never gets there (once ready, {@link #close} removes it).
     */
    private String awaitReady(String name) throws IOException {
        boolean ready = false;
        try {
            long deadline = System.nanoTime() + READY_WITHIN.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode state = inspect(name).get("State");
                if (!state.get("Running").asBoolean()) {
                    throw new AssertionError(name + " exited (" + state.get("ExitCode") + "):\n" + logs(name));
                }
                if (Engine.run(engine, Duration.ofSeconds(30), "exec", name, "pg_isready", "-q", "-h", "/tmp")
                                .code()
                        == 0) {
                    ready = true;
                    String address = inspect(name)
                            .get("NetworkSettings")
                            .get("Networks")
                            .get(network)
                            .get("IPAddress")
                            .asText();
                    System.out.println("[tls] PostgreSQL " + name + " ready at " + address);
                    return address;
                }
                Thread.sleep(200);
            }
            throw new AssertionError(name + " did not accept connections within " + READY_WITHIN + ":\n" + logs(name));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (!ready) {
                Engine.run(engine, Duration.ofMinutes(1), "rm", "-f", "-v", name);
            }
        }
    }

    /**
     * The `run` arguments of a client of {@code db}: the network, hosts entries for both of its names where the
     * network has no DNS, and its CA certificate read-only at {@link #CA_IN_CLIENT}.
     */
    List<String> clientArgs(Database db) {
        List<String> args = new ArrayList<>(List.of("--network", network));
        if (!dns) {
            args.addAll(List.of("--add-host", db.name() + ":" + db.address()));
            args.addAll(List.of("--add-host", db.otherName() + ":" + db.address()));
        }
        args.addAll(List.of("-v", db.ca().cert() + ":" + CA_IN_CLIENT + ":ro"));
        return args;
    }

    /** The service's environment for {@code db} reached as {@code host}: sslmode verify-full, its CA. */
    static Map<String, String> environment(Database db, String host) {
        return Map.of(
                "STORE",
                "postgres",
                "DATABASE_URL",
                "postgresql://" + USER + ":" + PASSWORD + "@" + host + ":5432/" + DATABASE,
                "PGSSLMODE",
                "verify-full",
                "PGSSLROOTCERT",
                CA_IN_CLIENT);
    }

    /** {@code sql} by psql inside {@code db}'s container, as the superuser; each row's columns. */
    List<List<String>> psql(Database db, String sql) {
        String out = Engine.run(
                        engine,
                        Duration.ofMinutes(1),
                        "exec",
                        "-e",
                        "PGPASSWORD=" + PASSWORD,
                        db.name(),
                        "psql",
                        "-h",
                        "/tmp",
                        "-U",
                        USER,
                        "-d",
                        DATABASE,
                        "-X",
                        "-A",
                        "-t",
                        "-F",
                        "|",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-c",
                        sql)
                .check("psql in " + db.name())
                .out();
        return out.lines()
                .filter(l -> !l.isEmpty())
                .map(l -> Arrays.asList(l.split("\\|", -1)))
                .toList();
    }

    String logs(String name) {
        Command.Result r = Engine.run(engine, Duration.ofSeconds(30), "logs", name);
        return r.out() + r.err();
    }

    private JsonNode inspect(String name) throws IOException {
        return JSON.readTree(Engine.run(engine, Duration.ofSeconds(30), "container", "inspect", name)
                        .check("inspect " + name)
                        .out())
                .get(0);
    }

    /** Removes the databases (with their anonymous volumes), then the network; clients must be gone first. */
    @Override
    public void close() {
        for (Database db : databases) {
            Engine.run(engine, Duration.ofMinutes(1), "rm", "-f", "-v", db.name());
        }
        Engine.run(engine, Duration.ofMinutes(1), "network", "rm", network)
                .check("removing the network " + network + " (a container still on it?)");
    }
}
