package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Command;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Shared by the manifest, podman and kind tests: renders the kustomize overlays, knows the project's facts. */
final class K8sManifests {
    /** Maven runs tests with the project directory as working directory. */
    static final Path ROOT = Path.of("").toAbsolutePath();

    static final Path K8S = ROOT.resolve("k8s");
    static final Path MODELS = ROOT.resolve("models");
    static final Path OPENAPI = ROOT.resolve("src/main/resources/openapi.json");
    static final List<String> OVERLAYS = List.of("base", "overlays/kind-memory", "overlays/kind", "overlays/podman");
    /** The overlays with the PostgreSQL component as a cluster runs it: a StatefulSet, credentials in a Secret. */
    static final List<String> CLUSTER_DATABASE_OVERLAYS = List.of("overlays/kind");

    static final String APP = "task-api";
    static final String MODELS_CLAIM = "task-api-models";
    static final int CONTAINER_PORT = 8080;
    static final long UID = 65532;

    private K8sManifests() {}

    static boolean commandWorks(String... command) {
        return Command.works(command);
    }

    /** Runs a command in the project directory; fails the test with its output unless it exits 0. */
    static String run(Map<String, String> env, String... command) {
        Command.Result result = Command.exec(ROOT.toFile(), env, Duration.ofMinutes(5), List.of(command))
                .check(String.join(" ", command));
        if (!result.err().isBlank()) {
            System.err.print(result.err());
        }
        return result.out();
    }

    /** Runs a command, returning stdout and stderr together whatever its exit status. */
    static String output(String... command) {
        Command.Result result = Command.exec(ROOT.toFile(), Map.of(), Duration.ofMinutes(2), List.of(command));
        return result.out() + result.err();
    }

    /**
     * The image has no shell and no tools, only its Java runtime (the image's entrypoint). To read a file of
     * the running container, exec that runtime with the file as an argument file ({@code @/proc/1/status}):
     * the launcher splits the file into arguments and {@code -XshowSettings:properties} prints them, whole, as the
     * property {@code sun.java.command} before the JVM gives up on the non-existent main class ({@code
     * -Xlog:arguments} would cut them at about 2,000 characters, and /proc/1/mounts is longer than that where layer
     * paths are long). Small heap: the exec'd JVM shares the container's memory limit with the service.
     */
    static final String IMAGE_JAVA = "/opt/java/bin/java";

    static List<String> readFileCommand(String path) {
        return List.of(
                IMAGE_JAVA,
                "-Xmx16m",
                "-Xss256k",
                "-XX:+UseSerialGC",
                "-XX:-UsePerfData",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:off",
                "-XshowSettings:properties",
                "@" + path);
    }

    /** The whitespace-separated words of the file read by {@link #readFileCommand}, from the JVM's output. */
    static List<String> wordsOf(String jvmOutput) {
        for (String line : jvmOutput.split("\n")) {
            int at = line.indexOf("sun.java.command = ");
            if (at >= 0) {
                return List.of(line.substring(at + "sun.java.command = ".length())
                        .trim()
                        .split("\\s+"));
            }
        }
        throw new AssertionError("no sun.java.command line in the exec'd JVM's output:\n" + jvmOutput);
    }

    /** /proc/PID/status words: the value after a key such as "Uid:". */
    static String statusValue(List<String> words, String key) {
        int i = words.indexOf(key);
        assertTrue(i >= 0 && i + 1 < words.size(), "no " + key + " in " + words);
        return words.get(i + 1);
    }

    /** /proc/PID/mounts words (device, mount point, type, options, 0, 0 per line): the options of a mount point. */
    static List<String> mountOptions(List<String> words, String mountPoint) {
        for (int i = 0; i + 3 < words.size(); i += 6) {
            if (words.get(i + 1).equals(mountPoint)) {
                return List.of(words.get(i + 3).split(","));
            }
        }
        throw new AssertionError("no mount at " + mountPoint + " in " + words);
    }

    // --- the database's TLS, checked from inside its container (podman exec, kubectl exec)

    /** From inside the database's container: loopback over TLS (pg_hba.conf admits no other network connection). */
    static final String DB_LOOPBACK_TLS = "host=127.0.0.1 port=5432 sslmode=require";
    /** Where the database's certificate and key are (components/postgres, overlays/podman). */
    static final String DB_TLS_DIR = "/etc/postgresql/tls";
    /** Every connection of task-api's (its application_name) and whether it is TLS, with the protocol version. */
    static final String TASK_API_CONNECTIONS_SQL = "SELECT s.ssl, coalesce(s.version, '-') FROM pg_stat_ssl s"
            + " JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'task-api'";
    /** Whether this very connection is TLS. */
    static final String THIS_CONNECTION_SSL_SQL = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

    /**
     * psql in the database's container, as the superuser its image was initialised with (its POSTGRES_USER,
     * POSTGRES_DB and POSTGRES_PASSWORD, so no credential passes through the test), on {@code conninfo} (host, port,
     * sslmode), running {@code sql}; unaligned, tuples only.
     */
    static List<String> psqlInDatabase(String conninfo, String sql) {
        return List.of(
                "sh",
                "-c",
                "PGPASSWORD=\"$POSTGRES_PASSWORD\" exec psql -X -A -t -v ON_ERROR_STOP=1"
                        + " \"$1 dbname=$POSTGRES_DB user=$POSTGRES_USER connect_timeout=10\" -c \"$2\"",
                "psql",
                conninfo,
                sql);
    }

    /** The key's mode and owner, and the certificate's SHA-256 fingerprint, curve and names, as openssl reads them. */
    static List<String> certificateFactsCommand() {
        return List.of(
                "sh",
                "-c",
                "stat -c 'key %a %u' " + DB_TLS_DIR + "/tls.key && openssl x509 -in " + DB_TLS_DIR
                        + "/tls.crt -noout -fingerprint -sha256 -text -ext subjectAltName");
    }

    /** The certificate the server presents on {@code host}:5432, by its SHA-256 fingerprint (openssl's STARTTLS). */
    static List<String> presentedCertificateCommand(String host) {
        return List.of(
                "sh",
                "-c",
                "openssl s_client -starttls postgres -connect \"$1:5432\" </dev/null 2>/dev/null"
                        + " | openssl x509 -noout -fingerprint -sha256",
                "openssl",
                host);
    }

    /** The SHA-256 fingerprint line openssl prints ({@code sha256 Fingerprint=AB:CD...}). */
    static String fingerprint(String opensslOutput) {
        return opensslOutput
                .lines()
                .filter(l -> l.contains("Fingerprint="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no fingerprint in: " + opensslOutput))
                .strip();
    }

    /**
     * What proves the database runs as components/postgres says: {@code connections} (TASK_API_CONNECTIONS_SQL's
     * rows) holds at least one task-api connection and every one is TLS; the connection without TLS to the pod's
     * address ({@code plaintext}, exit code and output) was refused by pg_hba.conf for having no encryption, while
     * the same one with TLS ({@code encrypted}) was admitted and is TLS; the key is 0600 and owned by 999; the
     * certificate is EC P-256, names {@code name}, and is the one the server presents ({@code presented}).
     */
    static void assertDatabaseTls(
            String connections,
            Command.Result plaintext,
            String encrypted,
            String facts,
            String presented,
            String name) {
        List<String> rows = connections.lines().filter(l -> !l.isBlank()).toList();
        assertTrue(
                !rows.isEmpty(), "at least one connection of task-api's (application_name task-api): " + connections);
        for (String row : rows) {
            assertTrue(row.startsWith("t|TLS"), "task-api's connection is not TLS: " + row + " (of " + rows + ")");
        }
        assertTrue(plaintext.code() != 0, "a connection without TLS was admitted: " + plaintext);
        String refusal = plaintext.out() + plaintext.err();
        assertTrue(
                refusal.contains("no pg_hba.conf entry for host") && refusal.contains("no encryption"),
                "refused by pg_hba.conf for having no encryption: " + refusal);
        assertEquals("t", encrypted.strip(), "the same connection with sslmode=require is admitted, over TLS");
        assertTrue(facts.contains("key 600 999"), "the key is mode 0600, owned by 999: " + facts);
        assertTrue(facts.contains("ASN1 OID: prime256v1"), "an EC P-256 key: " + facts);
        assertTrue(facts.contains("DNS:" + name), "the certificate names " + name + ": " + facts);
        assertEquals(
                fingerprint(facts), fingerprint(presented), "the server presents the certificate generated at start");
    }

    /** `kubectl kustomize k8s/<overlay>`: the YAML the overlay renders. */
    static String render(String overlay) {
        return run(Map.of(), "kubectl", "kustomize", K8S.resolve(overlay).toString());
    }

    /** Every object of a multi-document YAML stream, as fabric8's typed model objects. */
    static List<HasMetadata> load(String yaml) {
        Object parsed = Serialization.unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof KubernetesList list) {
            objects.addAll(list.getItems());
        } else if (parsed instanceof List<?> list) {
            list.forEach(o -> objects.add((HasMetadata) o));
        } else {
            objects.add((HasMetadata) parsed);
        }
        return objects;
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        assertEquals(1, found.size(), "exactly one " + type.getSimpleName() + " expected, found " + found.size());
        return found.get(0);
    }

    /** The project version, as the build reads it from pom.xml (src/scripts/lib.sh version). */
    static String pomVersion() {
        String version = run(Map.of(), "bash", "src/scripts/lib.sh", "version").strip();
        assertTrue(version.matches("[0-9][0-9A-Za-z.+-]*"), "lib.sh version: '" + version + "'");
        return version;
    }

    /** The slim image the Jib build produces (Makefile: IMG = task-api:$(VERSION)-slim). */
    static String slimImage() {
        return APP + ":" + pomVersion() + "-slim";
    }

    /** Paths with a GET operation in the service's OpenAPI document. */
    static List<String> openApiGetPaths() {
        assertTrue(Files.isRegularFile(OPENAPI), "the service's route list " + OPENAPI + " is missing");
        try {
            JsonNode paths = new ObjectMapper().readTree(OPENAPI.toFile()).path("paths");
            List<String> get = new ArrayList<>();
            paths.fields().forEachRemaining(e -> {
                if (e.getValue().has("get")) {
                    get.add(e.getKey());
                }
            });
            return get;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * relative name -> sha256 of the model files under models/, as the service counts them: every regular
     * file at any depth except hidden ones, and at the root the SHA256SUMS manifest and README files.
     */
    static Map<String, String> modelFiles() {
        Map<String, String> files = new TreeMap<>();
        try (var stream = Files.walk(MODELS)) {
            for (Path p : stream.filter(Files::isRegularFile).toList()) {
                Path rel = MODELS.relativize(p);
                boolean hidden = false;
                for (Path part : rel) {
                    hidden |= part.toString().startsWith(".");
                }
                String name = rel.toString().replace('\\', '/');
                boolean rootDoc = rel.getNameCount() == 1
                        && Set.of("SHA256SUMS", "README", "README.md", "README.txt")
                                .contains(name);
                if (!hidden && !rootDoc) {
                    files.put(name, sha256(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
    /** Kustomize's generated names (task-api-<hash>) compared without their hash, which changes with the data. */
    static String generatedName(String name) {
        return name.replaceAll("^(task-api)-[a-z0-9]{10}$", "$1");
    }

    static com.fasterxml.jackson.databind.JsonNode normalized(HasMetadata o) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(Serialization.asJson(o).replaceAll("\"(task-api)-[a-z0-9]{10}\"", "\"$1\""));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Adds to {@code changed} each path where {@code base} sets a value that {@code overlay} lacks or differs from. */
    static void contains(
            com.fasterxml.jackson.databind.JsonNode base,
            com.fasterxml.jackson.databind.JsonNode overlay,
            String path,
            Set<String> changed) {
        if (base.isObject() && overlay != null && overlay.isObject()) {
            base.fields()
                    .forEachRemaining(
                            f -> contains(f.getValue(), overlay.get(f.getKey()), path + "." + f.getKey(), changed));
        } else if (base.isArray() && overlay != null && overlay.isArray() && keyed(base) != null) {
            String key = keyed(base);
            for (var element : base) {
                var match = java.util.stream.StreamSupport.stream(overlay.spliterator(), false)
                        .filter(o -> element.get(key).equals(o.get(key)))
                        .findFirst()
                        .orElse(null);
                contains(element, match, path + "[" + element.get(key).asText() + "]", changed);
            }
        } else if (!base.equals(overlay)) {
            changed.add(path);
        }
    }

    /** The merge key of a list of objects (name, mountPath), as strategic merge patches match elements; else null. */
    static String keyed(com.fasterxml.jackson.databind.JsonNode array) {
        for (String key : List.of("name", "mountPath")) {
            boolean all = array.size() > 0;
            for (var element : array) {
                all &= element.isObject() && element.has(key);
            }
            if (all) {
                return key;
            }
        }
        return null;
    }
}
