package dev.taskapi.k8s;

import static dev.taskapi.k8s.K8sManifests.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Command;
import dev.taskapi.testing.DeploymentLimits;
import dev.taskapi.testing.Prerequisites;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Kubernetes manifests actually running here: {@code src/scripts/podman-deploy.sh} (what
 * {@code make podman-deploy} runs) fills the models volume from models/ and plays k8s/overlays/podman: the
 * PostgreSQL pod (the Debian-built image, {@code src/scripts/bases.sh postgres15}), then the slim image on it.
 * The service is checked from the host; its pod is replaced with the database kept and the tasks must still
 * be there; {@code down} must leave no pod, container, volume or secret. Tagged podman: it needs podman whatever
 * ENGINE is, and the Makefile leaves it out when ENGINE is docker.
 */
@Tag("container")
@Tag("podman")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodmanKubePlayIT {
    static final String POD = "task-api-pod-0";
    static final String CONTAINER = POD + "-task-api";
    static final String VOLUME = "task-api-models";
    static final String DB_POD = "task-api-postgres-pod-0";
    static final String DB_CONTAINER = DB_POD + "-postgres";
    static final String DATA_VOLUME = "task-api-postgres-data";
    static final List<String> EMPTY_DIRS =
            List.of("task-api-tmp", "task-api-postgres-run", "task-api-postgres-tmp", "task-api-postgres-tls");
    /** The volume kube play makes of the database's pg_hba.conf ConfigMap (kube down leaves it; the script does not). */
    static final String HBA_VOLUME = "task-api-postgres-hba";

    static final String PG_IMAGE_TAR = "target/bases/postgres15.tar";
    static final String PG_IMG = "localhost/task-api-base/postgres15:bookworm";
    /** Not make podman-deploy's 18080, so a developer's own deployment port is never taken by the test. */
    static final int PORT = Integer.getInteger("podman.test.port", 18089);
    /** The slim image; -Dpodman.test.image=... runs the same checks against another build of it. */
    static final Map<String, String> ENV = Map.of(
            "IMG",
            System.getProperty("podman.test.image", K8sManifests.slimImage()),
            // With another image asked for, the build's tar is not loaded (it would retag the slim image).
            "IMAGE_TAR",
            System.getProperty("podman.test.image") == null ? "target/jib/task-api-slim.tar" : "none",
            "PG_IMAGE_TAR",
            PG_IMAGE_TAR,
            "PG_IMG",
            PG_IMG,
            "HOST_PORT",
            String.valueOf(PORT),
            "READY_TIMEOUT",
            "90");

    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper json = new ObjectMapper();
    static boolean deployed;

    @BeforeAll
    static void deploy() {
        Prerequisites.require(
                K8sManifests.commandWorks("podman", "version"),
                "podman is not installed (src/scripts/podman-setup.sh)");
        Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        Prerequisites.require(
                Files.isRegularFile(ROOT.resolve(ENV.get("IMAGE_TAR")))
                        || K8sManifests.commandWorks("podman", "image", "exists", ENV.get("IMG")),
                "the slim image is not built: neither " + ENV.get("IMAGE_TAR") + " nor " + ENV.get("IMG")
                        + " in podman (make k8s-image)");
        Prerequisites.require(
                Files.isRegularFile(ROOT.resolve(PG_IMAGE_TAR))
                        || K8sManifests.commandWorks("podman", "image", "exists", PG_IMG),
                "the PostgreSQL image is not built: neither " + PG_IMAGE_TAR + " nor " + PG_IMG
                        + " in podman (make k8s-postgres-image)");
        Prerequisites.require(
                !K8sManifests.commandWorks("podman", "pod", "exists", POD)
                        && !K8sManifests.commandWorks("podman", "pod", "exists", DB_POD)
                        && !K8sManifests.commandWorks("podman", "volume", "exists", VOLUME)
                        && !K8sManifests.commandWorks("podman", "volume", "exists", DATA_VOLUME),
                "a podman deployment of task-api already exists (pods " + POD + ", " + DB_POD + " or volumes " + VOLUME
                        + ", " + DATA_VOLUME + "): make podman-down");
        deployed = true;
        K8sManifests.run(ENV, "src/scripts/podman-deploy.sh", "up");
    }

    @AfterAll
    static void cleanUp() {
        if (deployed
                && (K8sManifests.commandWorks("podman", "pod", "exists", POD)
                        || K8sManifests.commandWorks("podman", "pod", "exists", DB_POD)
                        || K8sManifests.commandWorks("podman", "volume", "exists", VOLUME)
                        || K8sManifests.commandWorks("podman", "volume", "exists", DATA_VOLUME))) {
            K8sManifests.run(ENV, "src/scripts/podman-deploy.sh", "down");
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode inspect() throws Exception {
        return inspect(CONTAINER);
    }

    static JsonNode inspect(String container) throws Exception {
        return json.readTree(K8sManifests.run(Map.of(), "podman", "container", "inspect", container))
                .get(0);
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void readyFromTheHost() throws Exception {
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("UP", json.readTree(ready.body()).path("status").asText(), ready.body());
        // Ready includes the task store's check: the database answered.
        JsonNode tasks = null;
        for (JsonNode check : json.readTree(ready.body()).path("checks")) {
            if ("tasks".equals(check.path("id").asText())) {
                tasks = check;
            }
        }
        assertNotNull(tasks, "a tasks check in " + ready.body());
        assertEquals("UP", tasks.path("status").asText(), ready.body());
        // ... and the service runs on PostgreSQL, with the database pod's name as its host.
        String env = inspect().path("Config").path("Env").toString();
        assertTrue(env.contains("STORE=postgres"), "STORE=postgres: " + env);
        assertTrue(env.contains("PGHOST=" + DB_POD), "PGHOST=" + DB_POD + ": " + env);
    }

    @Test
    @Order(2)
    void modelsAreTheRepositoryModelsWithTheirChecksums() throws Exception {
        HttpResponse<String> res = get("/models");
        assertEquals(200, res.statusCode(), res.body());
        Map<String, String> served = new TreeMap<>();
        for (JsonNode m : json.readTree(res.body())) {
            assertEquals("verified", m.path("status").asText(), "model " + m + " is checked against models/SHA256SUMS");
            served.put(m.path("name").asText(), m.path("sha256").asText());
        }
        Map<String, String> expected = K8sManifests.modelFiles();
        assertFalse(expected.isEmpty(), "models/ holds at least the example model");
        assertEquals(expected, served, "/models lists exactly the files of models/ with their sha256");
    }

    @Test
    @Order(3)
    void taskRoundTrip() throws Exception {
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/tasks"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"ship it\",\"priority\":2}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        JsonNode task = json.readTree(created.body());
        assertTrue(location.endsWith("/tasks/" + task.path("id").asText()), location);

        HttpResponse<String> fetched = get("/tasks/" + task.path("id").asText());
        assertEquals(200, fetched.statusCode(), fetched.body());
        JsonNode back = json.readTree(fetched.body());
        assertEquals("ship it", back.path("title").asText());
        assertEquals(2, back.path("priority").asInt());
        assertEquals(task.path("id").asText(), back.path("id").asText());
    }

    /** kube play applied the pod's securityContext, volumes and loopback-only publishing. */
    @Test
    @Order(4)
    void thePodRunsAsTheManifestsSay() throws Exception {
        JsonNode c = inspect();
        Map<String, JsonNode> mounts = assertHardened(c, "65532");
        assertEquals(
                DeploymentLimits.memoryBytes(),
                c.path("HostConfig").path("Memory").asLong(),
                "memory limit from the manifest");

        JsonNode models = mounts.get("/app/models");
        assertNotNull(models, "models mounted at MODELS_DIR: " + c.path("Mounts"));
        assertEquals(VOLUME, models.path("Name").asText(), "the PVC's claimName is the podman volume");
        assertFalse(models.path("RW").asBoolean(), "models mounted read-only");
        assertTrue(mounts.get("/tmp").path("RW").asBoolean(), "writable /tmp (emptyDir)");

        JsonNode bindings = c.path("NetworkSettings").path("Ports").path("8080/tcp");
        assertEquals(1, bindings.size(), "published once: " + bindings);
        assertEquals("127.0.0.1", bindings.get(0).path("HostIp").asText(), "published on loopback only");
        assertEquals(String.valueOf(PORT), bindings.get(0).path("HostPort").asText());
    }

    /** What the service's own process (pid 1 of the container) runs with, read from /proc inside it. */
    @Test
    @Order(5)
    void theServiceProcessIsUnprivilegedOnAReadOnlyRoot() {
        List<String> status = K8sManifests.wordsOf(exec(K8sManifests.readFileCommand("/proc/1/status")));
        assertEquals("65532", K8sManifests.statusValue(status, "Uid:"), "real uid");
        assertEquals(
                List.of("65532", "65532", "65532", "65532"),
                status.subList(status.indexOf("Uid:") + 1, status.indexOf("Uid:") + 5),
                "real, effective, saved, fs uid");
        assertEquals("0000000000000000", K8sManifests.statusValue(status, "CapEff:"), "no effective capability");
        assertEquals(
                "0000000000000000",
                K8sManifests.statusValue(status, "CapBnd:"),
                "capability bounding set empty (drop ALL)");
        assertEquals("1", K8sManifests.statusValue(status, "NoNewPrivs:"), "no privilege escalation");

        List<String> mounts = K8sManifests.wordsOf(exec(K8sManifests.readFileCommand("/proc/1/mounts")));
        assertTrue(K8sManifests.mountOptions(mounts, "/").contains("ro"), "root filesystem read-only");
        assertTrue(K8sManifests.mountOptions(mounts, "/app/models").contains("ro"), "models read-only");
        assertTrue(K8sManifests.mountOptions(mounts, "/tmp").contains("rw"), "/tmp writable");
    }

    /** The container runs as {@code uid}, read-only, with no capability added and no privilege escalation; its mounts by path. */
    private static Map<String, JsonNode> assertHardened(JsonNode container, String uid) {
        assertTrue(
                container.path("Config").path("User").asText().startsWith(uid),
                "user: " + container.path("Config").path("User"));
        JsonNode host = container.path("HostConfig");
        assertTrue(host.path("ReadonlyRootfs").asBoolean(), "read-only root filesystem");
        assertTrue(host.path("CapAdd").isEmpty(), "no capability added: " + host.path("CapAdd"));
        assertTrue(
                host.path("SecurityOpt").toString().contains("no-new-privileges"),
                "no-new-privileges: " + host.path("SecurityOpt"));
        Map<String, JsonNode> mounts = new HashMap<>();
        container.path("Mounts").forEach(m -> mounts.put(m.path("Destination").asText(), m));
        return mounts;
    }

    static String exec(List<String> command) {
        List<String> full = new java.util.ArrayList<>(List.of("podman", "exec", CONTAINER));
        full.addAll(command);
        return K8sManifests.output(full.toArray(String[]::new));
    }

    /** The database pod as the overlay says: its user, a read-only root, no capability, its data on the claim's volume. */
    @Test
    @Order(6)
    void theDatabasePodRunsAsTheManifestsSay() throws Exception {
        JsonNode c = inspect(DB_CONTAINER);
        Map<String, JsonNode> mounts = assertHardened(c, "999");
        JsonNode data = mounts.get("/var/lib/postgresql/data");
        assertNotNull(data, "data volume mounted: " + c.path("Mounts"));
        assertEquals(DATA_VOLUME, data.path("Name").asText(), "the PVC's claimName is the podman volume");
        assertTrue(data.path("RW").asBoolean(), "data writable");
        JsonNode published = c.path("NetworkSettings").path("Ports").path("5432/tcp");
        assertTrue(
                published.isMissingNode() || published.isNull() || published.isEmpty(),
                "the database is not published on the host: " + published);
        String status = K8sManifests.output("podman", "exec", DB_CONTAINER, "cat", "/proc/1/status");
        List<String> words = List.of(status.trim().split("\\s+"));
        assertEquals("999", K8sManifests.statusValue(words, "Uid:"), "postgres runs as uid 999");
        assertEquals("0000000000000000", K8sManifests.statusValue(words, "CapEff:"), "no effective capability");
        assertEquals(
                "0000000000000000",
                K8sManifests.statusValue(words, "CapBnd:"),
                "capability bounding set empty (drop ALL)");
    }

    /**
     * The database admits task-api over TLS only: every connection of task-api's is TLS (pg_stat_ssl, read inside
     * the database's container), a connection without TLS to the pod's address is refused by its
     * pg_hba.conf while the same one with TLS is admitted, and the certificate is the one generated at start.
     */
    @Test
    @Order(7)
    void taskApiReachesTheDatabaseOverTlsOnly() throws Exception {
        String ip = inspect(DB_CONTAINER)
                .path("NetworkSettings")
                .path("Networks")
                .elements()
                .next()
                .path("IPAddress")
                .asText();
        assertFalse(ip.isBlank(), "the database container's address");
        String connections = dbExec(K8sManifests.psqlInDatabase(
                        K8sManifests.DB_LOOPBACK_TLS, K8sManifests.TASK_API_CONNECTIONS_SQL))
                .check("psql in " + DB_CONTAINER)
                .out();
        Command.Result plaintext = dbExec(K8sManifests.psqlInDatabase(
                "host=" + ip + " port=5432 sslmode=disable", K8sManifests.THIS_CONNECTION_SSL_SQL));
        String encrypted = dbExec(K8sManifests.psqlInDatabase(
                        "host=" + ip + " port=5432 sslmode=require", K8sManifests.THIS_CONNECTION_SSL_SQL))
                .check("psql with sslmode=require to " + ip)
                .out();
        String facts =
                dbExec(K8sManifests.certificateFactsCommand()).check("openssl").out();
        String presented = dbExec(K8sManifests.presentedCertificateCommand(ip))
                .check("openssl s_client")
                .out();
        K8sManifests.assertDatabaseTls(connections, plaintext, encrypted, facts, presented, DB_POD);
        String env = inspect().path("Config").path("Env").toString();
        assertTrue(env.contains("PGSSLMODE=require"), "task-api asks for TLS: " + env);
    }

    static Command.Result dbExec(List<String> command) {
        List<String> full = new java.util.ArrayList<>(List.of("podman", "exec", DB_CONTAINER));
        full.addAll(command);
        return Command.exec(Duration.ofMinutes(1), full);
    }

    /**
     * A rollout: the task-api pod replaced (removed and played again), the database pod and its volume kept;
     * the tasks created before are served by the new pod.
     */
    @Test
    @Order(8)
    void tasksSurviveReplacingTheServicePod() throws Exception {
        Map<String, String> created = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> res = post("/tasks", "{\"title\":\"survive " + i + "\",\"priority\":" + (i + 1) + "}");
            assertEquals(201, res.statusCode(), res.body());
            created.put(json.readTree(res.body()).path("id").asText(), "survive " + i);
        }
        String dbBefore = inspect(DB_CONTAINER).path("Id").asText();
        String apiBefore = inspect().path("Id").asText();

        K8sManifests.run(ENV, "src/scripts/podman-deploy.sh", "replace-api");

        assertEquals(dbBefore, inspect(DB_CONTAINER).path("Id").asText(), "the database container was kept");
        assertFalse(apiBefore.equals(inspect().path("Id").asText()), "the service container was replaced");
        for (Map.Entry<String, String> task : created.entrySet()) {
            HttpResponse<String> res = get("/tasks/" + task.getKey());
            assertEquals(200, res.statusCode(), "task " + task.getKey() + " after the pod was replaced: " + res.body());
            assertEquals(
                    task.getValue(), json.readTree(res.body()).path("title").asText());
        }
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
    }

    @Test
    @Order(9)
    void downLeavesNoPodContainerVolumeOrSecret() {
        K8sManifests.run(ENV, "src/scripts/podman-deploy.sh", "down");
        for (String pod : List.of(POD, DB_POD)) {
            assertFalse(K8sManifests.commandWorks("podman", "pod", "exists", pod), "pod " + pod + " removed");
        }
        for (String container : List.of(CONTAINER, DB_CONTAINER)) {
            assertFalse(
                    K8sManifests.commandWorks("podman", "container", "exists", container),
                    "container " + container + " removed");
        }
        assertFalse(K8sManifests.commandWorks("podman", "volume", "exists", VOLUME), "models volume removed");
        assertFalse(K8sManifests.commandWorks("podman", "volume", "exists", DATA_VOLUME), "database volume removed");
        assertFalse(
                K8sManifests.commandWorks("podman", "volume", "exists", HBA_VOLUME), "pg_hba.conf's volume removed");
        for (String v : EMPTY_DIRS) {
            assertFalse(
                    K8sManifests.commandWorks("podman", "volume", "exists", v), "emptyDir volume " + v + " removed");
        }
        String secrets = K8sManifests.run(Map.of(), "podman", "secret", "ls", "--format", "{{.Name}}");
        assertFalse(secrets.contains("task-api"), "no podman secret left: " + secrets);
    }
}
