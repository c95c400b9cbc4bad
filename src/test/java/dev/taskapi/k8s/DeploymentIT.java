package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Prerequisites;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL overlay (k8s/overlays/kind) deployed on a real API server and a real kubelet, in a namespace of its
 * own, through kube context {@code -Dkube.context} (default kind-task-api; the test refuses any other cluster, see
 * {@link KubeContextGuard}), applied server-side, then checked through loopback port-forwards, the API server's
 * service proxy and exec, and removed. On the Kubernetes v1.20 test cluster that {@code make test-e2e} starts on
 * this machine ({@code -Dk8s.adapt=local-v1.20}) the overlay gets {@link LocalClusterAdaptations} and nothing else.
 * Tag {@code cluster}: not part of {@code make test}; {@code make test-e2e} and {@code make kind-test} run it with
 * {@code -Dcluster.required=true}: without the cluster it fails instead of skipping.
 *
 * <p>The deployment is set up once, before all tests; each test starts from a rolled-out deployment and opens its
 * own port-forward to a pod that is ready then, so the tests run in any order or alone
 * ({@code -Dit.test=DeploymentIT#crudThroughAPortForward}).
 */
@Tag("cluster")
class DeploymentIT {
    private static final Logger LOG = Logger.getLogger(DeploymentIT.class.getName());
    static final String APP = K8sManifests.APP;
    static final String DATABASE = LocalClusterAdaptations.DATABASE;
    static final String FIELD_MANAGER = "task-api-test";
    static final Map<String, String> SELECTOR =
            Map.of("app.kubernetes.io/name", APP, "app.kubernetes.io/instance", APP);
    static final long WAIT_MINUTES = 3;
    /** The run's scratch space on this machine (the local cluster's node is this machine). */
    static final Path WORK = Path.of("target", "e2e-volumes").toAbsolutePath();

    static final ObjectMapper json = new ObjectMapper();
    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Config config;
    static KubernetesClient client;
    static String namespace;
    /** The cluster-scoped volumes this run created (their names carry the namespace). */
    static final List<String> volumes = new ArrayList<>();
    /** Every object of the overlay as applied (adapted on the local cluster). */
    static List<HasMetadata> applied = List.of();
    /** The namespaces this run created. */
    static final List<String> namespaces = new ArrayList<>();
    /** This test's port-forward, opened by its first request through one. */
    LocalPortForward forward;

    /** Prerequisites.require, but a failure whenever the run asked for the cluster (-Dcluster.required=true). */
    static void require(boolean present, String reason) {
        if (!present && Boolean.getBoolean("cluster.required")) {
            fail("the cluster is required (-Dcluster.required=true), but " + reason);
        }
        Prerequisites.require(present, reason);
    }

    @BeforeAll
    static void deploy() {
        require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        String context = KubeContextGuard.requested();
        config = Config.autoConfigure(context);
        Optional<String> refusal = KubeContextGuard.refusal(context, config);
        require(refusal.isEmpty(), refusal.orElse(null));
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(30_000);
        config.setRequestRetryBackoffLimit(1);
        String unreachable = null;
        try {
            KubernetesClient probe =
                    new KubernetesClientBuilder().withConfig(config).build();
            probe.getKubernetesVersion();
            client = probe;
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            unreachable = "no Kubernetes cluster reachable through kube context '" + context + "' at "
                    + config.getMasterUrl() + " (" + root + "): create one with make kind-up";
        }
        require(unreachable == null, unreachable);

        String suffix = HexFormat.of()
                .toHexDigits(ThreadLocalRandom.current().nextInt())
                .substring(0, 6);
        namespace = "task-api-test-" + suffix;
        createNamespace(namespace);
        applied = applyOverlay("overlays/kind", namespace);
        awaitAvailable("initial rollout");
    }

    static boolean local() {
        return "local-v1.20".equals(System.getProperty("k8s.adapt", ""));
    }

    static void createNamespace(String name) {
        namespaces.add(name);
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels("app.kubernetes.io/part-of", "task-api-test")
                        .endMetadata()
                        .build())
                .create();
    }

    /**
     * Renders {@code overlay}, gives its cluster-scoped volume a name of this namespace's (pre-bound both ways to its
     * claim, on the same node path), adapts it to the local cluster where that is the cluster, and applies every
     * object server-side; returns what it applied.
     */
    static List<HasMetadata> applyOverlay(String overlay, String ns) {
        List<HasMetadata> objects = K8sManifests.load(K8sManifests.render(overlay));
        String modelsVolume = "task-api-models-" + ns;
        if (local()) {
            Service database = objects.stream()
                    .filter(o -> o instanceof Service svc
                            && DATABASE.equals(svc.getMetadata().getName()))
                    .map(Service.class::cast)
                    .findFirst()
                    .orElse(null);
            String databaseIp = null;
            if (database != null) {
                // The cluster IP is the API server's to allocate: the Service goes first, task-api points at its IP.
                database.getSpec().setClusterIP(null);
                databaseIp = serverSideApply(database, ns).getSpec().getClusterIP();
            }
            Path data = WORK.resolve(ns + "-postgres");
            K8sManifests.run(Map.of(), "install", "-d", "-o", "999", "-g", "999", "-m", "700", data.toString());
            objects = LocalClusterAdaptations.apply(
                    objects, new LocalClusterAdaptations.Site(K8sManifests.MODELS, data, databaseIp));
        }
        for (HasMetadata o : objects) {
            if (o instanceof PersistentVolume pv) {
                String name = pv.getMetadata().getName().equals("task-api-postgres-data")
                        ? "task-api-postgres-data-" + ns
                        : modelsVolume;
                pv.getMetadata().setName(name);
                String claim = name.equals(modelsVolume) ? K8sManifests.MODELS_CLAIM : "data-" + DATABASE + "-0";
                pv.getSpec()
                        .setClaimRef(new ObjectReferenceBuilder()
                                .withKind("PersistentVolumeClaim")
                                .withNamespace(ns)
                                .withName(claim)
                                .build());
                volumes.add(name);
            } else if (o instanceof PersistentVolumeClaim pvc
                    && K8sManifests.MODELS_CLAIM.equals(pvc.getMetadata().getName())) {
                pvc.getSpec().setVolumeName(modelsVolume);
            }
        }
        List<HasMetadata> result = new ArrayList<>();
        for (HasMetadata o : objects) {
            result.add(serverSideApply(o, o instanceof PersistentVolume ? null : ns));
        }
        return result;
    }

    static <T extends HasMetadata> T serverSideApply(T o, String ns) {
        var resource = ns == null ? client.resource(o) : client.resource(o).inNamespace(ns);
        return resource.fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    /** Whatever ran before (a rollout restart), the deployment is rolled out when a test starts. */
    @BeforeEach
    void rolledOutDeployment() {
        awaitAvailable("before the test");
    }

    @AfterEach
    void closeForward() throws Exception {
        if (forward != null) {
            forward.close();
        }
    }

    /** The database ready and the service's Deployment rolled out, or the test fails with the reasons. */
    static void awaitAvailable(String what) {
        awaitAvailable(what, namespace);
    }

    static void awaitAvailable(String what, String ns) {
        try {
            if (client.apps().statefulSets().inNamespace(ns).withName(DATABASE).get() != null) {
                client.apps()
                        .statefulSets()
                        .inNamespace(ns)
                        .withName(DATABASE)
                        .waitUntilCondition(
                                s -> s != null
                                        && s.getStatus() != null
                                        && n(s.getStatus().getReadyReplicas()) >= 1,
                                WAIT_MINUTES,
                                TimeUnit.MINUTES);
            }
            client.apps()
                    .deployments()
                    .inNamespace(ns)
                    .withName(APP)
                    .waitUntilCondition(DeploymentIT::rolledOut, WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            fail(what + ": " + APP + " not available within " + WAIT_MINUTES + " min: " + e.getMessage() + "\n"
                    + diagnostics());
        }
    }

    /** All replicas updated, available, and no old ones left (what kubectl rollout status waits for). */
    static boolean rolledOut(Deployment d) {
        if (d == null || d.getStatus() == null || d.getMetadata().getGeneration() == null) {
            return false;
        }
        var s = d.getStatus();
        int want = d.getSpec().getReplicas();
        return s.getObservedGeneration() != null
                && s.getObservedGeneration() >= d.getMetadata().getGeneration()
                && n(s.getUpdatedReplicas()) == want
                && n(s.getReplicas()) == want
                && n(s.getAvailableReplicas()) == want;
    }

    static int n(Integer i) {
        return i == null ? 0 : i;
    }

    static List<Pod> pods() {
        return client.pods().inNamespace(namespace).withLabels(SELECTOR).list().getItems();
    }

    static Pod readyPod() {
        return pods().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null)
                .filter(p -> p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ready pod\n" + diagnostics()));
    }

    /** Pod phases, container states and the namespace's events: why a rollout did not finish. */
    static String diagnostics() {
        StringBuilder b = new StringBuilder();
        try {
            for (Pod p : pods()) {
                b.append("pod ")
                        .append(p.getMetadata().getName())
                        .append(' ')
                        .append(p.getStatus().getPhase());
                if (p.getStatus().getContainerStatuses() != null) {
                    p.getStatus()
                            .getContainerStatuses()
                            .forEach(cs -> b.append(' ').append(cs.getState()));
                }
                b.append('\n');
            }
            client.v1()
                    .events()
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .forEach(e -> b.append("event ")
                            .append(e.getInvolvedObject().getKind())
                            .append('/')
                            .append(e.getInvolvedObject().getName())
                            .append(' ')
                            .append(e.getReason())
                            .append(": ")
                            .append(e.getMessage())
                            .append('\n'));
        } catch (RuntimeException e) {
            b.append("(diagnostics failed: ").append(e.getMessage()).append(")");
        }
        return b.toString();
    }

    /**
     * Removes what {@link #deploy} and the tests created, as far as they got; cleanup only: what cannot be removed is
     * logged (the namespaces and volumes have names of their own, so a leftover does not disturb the next run).
     */
    @AfterAll
    static void removeEverything() {
        if (client == null) {
            return;
        }
        try {
            for (String ns : namespaces) {
                cleanUp(
                        "namespace " + ns,
                        () -> client.namespaces().withName(ns).delete(),
                        () -> client.namespaces().withName(ns).get());
            }
            for (String volume : volumes) {
                cleanUp(
                        "PersistentVolume " + volume,
                        () -> client.persistentVolumes().withName(volume).delete(),
                        () -> client.persistentVolumes().withName(volume).get());
            }
            K8sManifests.output("rm", "-rf", WORK.toString());
        } finally {
            client.close();
        }
    }

    /** Deletes, then waits up to WAIT_MINUTES for the object to be gone; logs what went wrong instead of failing. */
    static void cleanUp(String what, Runnable delete, Supplier<HasMetadata> current) {
        try {
            delete.run();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
            while (current.get() != null) {
                if (System.nanoTime() > deadline) {
                    LOG.warning(what + " still exists " + WAIT_MINUTES + " min after delete; remove it by hand");
                    return;
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warning("interrupted while removing " + what);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove " + what + "; remove it by hand", e);
        }
    }

    /** A request to a pod that is ready, through this test's loopback port-forward. */
    HttpResponse<String> viaForward(String method, String path, String body) throws Exception {
        if (forward == null) {
            String pod = readyPod().getMetadata().getName();
            forward = LoopbackPortForward.open(
                    client.pods().inNamespace(namespace).withName(pod), K8sManifests.CONTAINER_PORT);
        }
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + forward.getLocalPort() + path))
                .timeout(Duration.ofSeconds(10));
        r = body == null
                ? r.method(method, HttpRequest.BodyPublishers.noBody())
                : r.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every object of the overlay is in the cluster, applied by this test's field manager (server-side apply). */
    @Test
    void theOverlayIsAppliedServerSide() {
        assertFalse(applied.isEmpty());
        for (HasMetadata o : applied) {
            var resource = o instanceof PersistentVolume
                    ? client.resource(o)
                    : client.resource(o).inNamespace(namespace);
            HasMetadata live = resource.get();
            assertNotNull(live, o.getKind() + " " + o.getMetadata().getName() + " is not in the cluster");
            assertTrue(
                    live.getMetadata().getManagedFields().stream()
                            .anyMatch(f -> FIELD_MANAGER.equals(f.getManager()) && "Apply".equals(f.getOperation())),
                    o.getKind() + " " + o.getMetadata().getName() + ": applied server-side by " + FIELD_MANAGER);
        }
    }

    /** The models claim is bound, both ways, to its volume on the node's models/ directory. */
    @Test
    void theModelsClaimIsBoundToItsVolume() {
        PersistentVolumeClaim claim = client.persistentVolumeClaims()
                .inNamespace(namespace)
                .withName(K8sManifests.MODELS_CLAIM)
                .get();
        assertEquals("Bound", claim.getStatus().getPhase(), "claim " + K8sManifests.MODELS_CLAIM);
        PersistentVolume volume = client.persistentVolumes()
                .withName(claim.getSpec().getVolumeName())
                .get();
        assertEquals("Bound", volume.getStatus().getPhase());
        assertEquals(namespace, volume.getSpec().getClaimRef().getNamespace());
        assertEquals(K8sManifests.MODELS_CLAIM, volume.getSpec().getClaimRef().getName());
    }

    /**
     * The rollout completed because the kubelet ran the probes: every pod's containers started, and each pod turned
     * Ready only after its container was running (the readiness probe's first success), with no restart.
     */
    @Test
    void theRolloutCompletedWithTheKubeletsProbes() {
        Deployment d =
                client.apps().deployments().inNamespace(namespace).withName(APP).get();
        assertTrue(rolledOut(d), "rolled out: " + d.getStatus());
        List<Pod> running = pods().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
        assertEquals(d.getSpec().getReplicas(), running.size(), "one pod per replica");
        for (Pod p : running) {
            var status = p.getStatus().getContainerStatuses().get(0);
            assertTrue(status.getReady() && Boolean.TRUE.equals(status.getStarted()), "started and ready: " + status);
            assertEquals(0, status.getRestartCount(), p.getMetadata().getName() + ": no restart");
            Instant startedAt = Instant.parse(status.getState().getRunning().getStartedAt());
            Instant readyAt = Instant.parse(p.getStatus().getConditions().stream()
                    .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                    .findFirst()
                    .orElseThrow()
                    .getLastTransitionTime());
            assertFalse(readyAt.isBefore(startedAt), p.getMetadata().getName() + ": Ready after the container started");
        }
    }

    /** /health/ready, as the kubelet reads it, is UP once the models are listed and the store answers. */
    @Test
    void readyMeansTheModelsAreListedAndTheStoreAnswers() throws Exception {
        HttpResponse<String> ready = viaForward("GET", "/health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
        Map<String, JsonNode> checks = new TreeMap<>();
        json.readTree(ready.body())
                .path("checks")
                .forEach(c -> checks.put(c.path("id").asText(), c));
        assertEquals("UP", checks.get("tasks").path("status").asText(), ready.body());
        assertEquals("UP", checks.get("models").path("status").asText(), ready.body());
        assertEquals(
                K8sManifests.modelFiles().size(),
                checks.get("models").path("data").path("count").asInt(),
                ready.body());
    }

    /**
     * With the database gone, the kubelet's readiness probe takes every task-api pod out of the Service (the store
     * does not answer), and puts them back once it is there again.
     */
    @Test
    void aPodIsNotReadyWhileItsStoreDoesNotAnswer() {
        var database = client.apps().statefulSets().inNamespace(namespace).withName(DATABASE);
        try {
            database.scale(0);
            awaitPods(
                    "no task-api pod ready while the database is down",
                    pods -> pods.stream().noneMatch(DeploymentIT::ready));
        } finally {
            database.scale(1);
        }
        awaitPods(
                "every task-api pod ready again with the database back",
                pods -> !pods.isEmpty() && pods.stream().allMatch(DeploymentIT::ready));
    }

    @Test
    void crudThroughAPortForward() throws Exception {
        HttpResponse<String> created = viaForward("POST", "/tasks", "{\"title\":\"ship it\",\"priority\":2}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json.readTree(created.body()).path("id").asText();
        assertTrue(created.headers().firstValue("Location").orElseThrow().endsWith("/tasks/" + id));

        HttpResponse<String> fetched = viaForward("GET", "/tasks/" + id, null);
        assertEquals(200, fetched.statusCode(), fetched.body());
        assertEquals("ship it", json.readTree(fetched.body()).path("title").asText());

        HttpResponse<String> listed = viaForward("GET", "/tasks?limit=100", null);
        assertEquals(200, listed.statusCode(), listed.body());
        assertTrue(listed.body().contains("\"id\":\"" + id + "\""), "listed: " + listed.body());

        HttpResponse<String> completed = viaForward("PATCH", "/tasks/" + id + "/complete", null);
        assertEquals(200, completed.statusCode(), completed.body());
        assertTrue(json.readTree(completed.body()).path("completed").asBoolean(), completed.body());

        HttpResponse<String> deleted = viaForward("DELETE", "/tasks/" + id, null);
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertEquals(404, viaForward("GET", "/tasks/" + id, null).statusCode());
    }

    /** On the PostgreSQL overlay the tasks are the database's: deleting every task-api pod loses none. */
    @Test
    void tasksSurviveTheDeletionOfEveryTaskApiPod() throws Exception {
        HttpResponse<String> created = viaForward("POST", "/tasks", "{\"title\":\"outlive the pods\"}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json.readTree(created.body()).path("id").asText();
        forward.close();
        forward = null;
        List<String> before =
                pods().stream().map(p -> p.getMetadata().getName()).toList();
        client.pods().inNamespace(namespace).withLabels(SELECTOR).delete();
        awaitPods(
                "new task-api pods, all ready",
                pods -> !pods.isEmpty()
                        && pods.stream()
                                .allMatch(p -> ready(p)
                                        && !before.contains(p.getMetadata().getName())));
        awaitAvailable("after deleting every pod");
        HttpResponse<String> fetched = viaForward("GET", "/tasks/" + id, null);
        assertEquals(200, fetched.statusCode(), fetched.body());
        assertEquals(
                "outlive the pods", json.readTree(fetched.body()).path("title").asText());
    }

    @Test
    void theModelsAreTheFilesOfTheRepositoryModelsDirectory() throws Exception {
        HttpResponse<String> res = viaForward("GET", "/models", null);
        assertEquals(200, res.statusCode(), res.body());
        Map<String, String> served = new TreeMap<>();
        for (JsonNode m : json.readTree(res.body())) {
            assertEquals("verified", m.path("status").asText(), "model " + m);
            served.put(m.path("name").asText(), m.path("sha256").asText());
        }
        assertEquals(K8sManifests.modelFiles(), served, "/models = models/ (through the node's path and the PV)");
    }

    /**
     * Deleting what the overlay applied leaves its namespace with nothing of task-api's: in a namespace of its own,
     * the in-memory overlay is applied, rolled out, deleted object by object, and the namespace is then empty.
     */
    @Test
    void deletingTheOverlayLeavesTheNamespaceEmpty() {
        String ns = namespace + "-delete";
        createNamespace(ns);
        List<HasMetadata> objects = applyOverlay("overlays/kind-memory", ns);
        awaitAvailable("the in-memory overlay", ns);
        for (HasMetadata o : objects) {
            (o instanceof PersistentVolume
                            ? client.resource(o)
                            : client.resource(o).inNamespace(ns))
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND)
                    .delete();
        }
        Map<String, String> ours = Map.of("app.kubernetes.io/part-of", "task-api");
        List<String> left = new ArrayList<>();
        left.addAll(awaitEmpty(client.pods().inNamespace(ns)));
        left.addAll(awaitEmpty(client.apps().replicaSets().inNamespace(ns)));
        left.addAll(awaitEmpty(client.apps().deployments().inNamespace(ns)));
        left.addAll(awaitEmpty(client.services().inNamespace(ns)));
        left.addAll(awaitEmpty(client.persistentVolumeClaims().inNamespace(ns)));
        left.addAll(awaitEmpty(client.network().networkPolicies().inNamespace(ns)));
        left.addAll(awaitEmpty(client.configMaps().inNamespace(ns).withLabels(ours)));
        left.addAll(awaitEmpty(client.serviceAccounts().inNamespace(ns).withLabels(ours)));
        assertEquals(List.of(), left, "left in namespace " + ns);
    }

    /** Read from /proc inside the running container (see {@link K8sManifests#readFileCommand}). */
    @Test
    void theRunningServiceIsUser65532OnAReadOnlyRoot() throws Exception {
        String pod = readyPod().getMetadata().getName();
        List<String> status = K8sManifests.wordsOf(exec(pod, K8sManifests.readFileCommand("/proc/1/status")));
        int uid = status.indexOf("Uid:");
        assertTrue(uid >= 0, "no Uid: in " + status);
        assertEquals(
                List.of("65532", "65532", "65532", "65532"),
                status.subList(uid + 1, uid + 5),
                "real, effective, saved, fs uid");
        assertEquals("0000000000000000", K8sManifests.statusValue(status, "CapEff:"), "no effective capability");
        assertEquals("1", K8sManifests.statusValue(status, "NoNewPrivs:"), "no privilege escalation");
        assertEquals("2", K8sManifests.statusValue(status, "Seccomp:"), "seccomp filter (RuntimeDefault)");

        List<String> mounts = K8sManifests.wordsOf(exec(pod, K8sManifests.readFileCommand("/proc/1/mounts")));
        assertTrue(K8sManifests.mountOptions(mounts, "/").contains("ro"), "root filesystem read-only");
        assertTrue(K8sManifests.mountOptions(mounts, "/app/models").contains("ro"), "models read-only");
        assertTrue(K8sManifests.mountOptions(mounts, "/tmp").contains("rw"), "/tmp writable");
        assertFalse(
                mounts.contains("/var/run/secrets/kubernetes.io/serviceaccount"), "no service-account token mounted");
    }

    /**
     * The database admits task-api over TLS only (components/postgres, postgres-store): read in the database's
     * container, every connection of task-api's is TLS and there is at least one; a connection without TLS to the
     * pod's address is refused by pg_hba.conf while the same one with TLS is admitted; the certificate the server
     * presents is the one its init container generated (EC P-256, the pod's name under the headless Service), with
     * the key 0600 and owned by 999.
     */
    @Test
    void taskApiReachesTheDatabaseOverTlsOnly() throws Exception {
        String pod = DATABASE + "-0";
        String ip = client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .get()
                .getStatus()
                .getPodIP();
        assertNotNull(ip, pod + " has an address");
        String connections = execIn(
                        pod,
                        "postgres",
                        K8sManifests.psqlInDatabase(
                                K8sManifests.DB_LOOPBACK_TLS, K8sManifests.TASK_API_CONNECTIONS_SQL))
                .check("psql in " + pod)
                .out();
        dev.taskapi.testing.Command.Result plaintext = execIn(
                pod,
                "postgres",
                K8sManifests.psqlInDatabase(
                        "host=" + ip + " port=5432 sslmode=disable", K8sManifests.THIS_CONNECTION_SSL_SQL));
        String encrypted = execIn(
                        pod,
                        "postgres",
                        K8sManifests.psqlInDatabase(
                                "host=" + ip + " port=5432 sslmode=require", K8sManifests.THIS_CONNECTION_SSL_SQL))
                .check("psql with sslmode=require to " + ip)
                .out();
        String facts = execIn(pod, "postgres", K8sManifests.certificateFactsCommand())
                .check("openssl in " + pod)
                .out();
        String presented = execIn(pod, "postgres", K8sManifests.presentedCertificateCommand(ip))
                .check("openssl s_client in " + pod)
                .out();
        K8sManifests.assertDatabaseTls(
                connections, plaintext, encrypted, facts, presented, pod + "." + DATABASE + "." + namespace + ".svc");
        LOG.info("task-api's connections to the database (ssl|version): "
                + connections.lines().toList());
    }

    /** Runs {@code command} in {@code container} of {@code pod}: its exit code, stdout and stderr. */
    static dev.taskapi.testing.Command.Result execIn(String pod, String container, List<String> command)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (ExecWatch watch = client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer(container)
                .writingOutput(out)
                .writingError(err)
                .exec(command.toArray(String[]::new))) {
            code = watch.exitCode().get(1, TimeUnit.MINUTES);
        }
        return new dev.taskapi.testing.Command.Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String exec(String pod, List<String> command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer(APP)
                .writingOutput(out)
                .writingError(out)
                .exec(command.toArray(String[]::new))) {
            watch.exitCode().get(1, TimeUnit.MINUTES); // nonzero by design: the JVM finds no main class "Name:"
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * A rollout restart while requests keep coming through the Service (the API server's service proxy picks
     * a ready endpoint per request): readiness gating, maxUnavailable 0 and the service's drain must mean not
     * one failed request, from before the restart until the old pod is gone. The requests are what a user
     * sends (GET /tasks; a draining pod's /health/ready answers 503 by design), each sent once
     * ({@link StrictPoller}: no client retry hides a 5xx or a reset).
     */
    @Test
    void aRolloutRestartKeepsAnswering() throws Exception {
        List<String> before =
                pods().stream().map(p -> p.getMetadata().getName()).toList();
        Vertx vertx = Vertx.vertx();
        try (StrictPoller poller = StrictPoller.ofApiServer(
                vertx, config, "/api/v1/namespaces/" + namespace + "/services/" + APP + ":http/proxy/tasks")) {
            poller.pollOnce().await();
            assertEquals(List.of(), poller.failures(), "GET /tasks through the service proxy before the restart");
            client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withName(APP)
                    .rolling()
                    .restart();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                poller.pollOnce().await();
                Thread.sleep(200);
                Deployment d = client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(APP)
                        .get();
                List<String> now =
                        pods().stream().map(p -> p.getMetadata().getName()).toList();
                done = rolledOut(d) && before.stream().noneMatch(now::contains);
            }
            assertTrue(
                    done,
                    "rollout restart did not finish (old pods gone) within " + WAIT_MINUTES + " min\n" + diagnostics());
            assertTrue(poller.requests() >= 20, "only " + poller.requests() + " requests during the rollout");
            assertEquals(
                    List.of(),
                    poller.failures().stream().limit(10).collect(Collectors.toList()),
                    poller.failures().size() + " of " + poller.requests()
                            + " requests failed during the rollout restart");
        } finally {
            vertx.close().await();
        }
    }

    /** Waits (an informer: the API's watch events) until the list is empty; what is left after WAIT_MINUTES. */
    static <T extends HasMetadata> List<String> awaitEmpty(io.fabric8.kubernetes.client.dsl.Informable<T> objects) {
        try {
            objects.informOnCondition(List::isEmpty).get(WAIT_MINUTES, TimeUnit.MINUTES);
            return List.of();
        } catch (Exception e) {
            return List.of("still listed after " + WAIT_MINUTES + " min (" + e + ")");
        }
    }

    static boolean ready(Pod p) {
        return p.getMetadata().getDeletionTimestamp() == null
                && p.getStatus() != null
                && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Waits (an informer on the task-api pods) until the pods not being deleted satisfy {@code condition}. */
    static void awaitPods(String what, java.util.function.Predicate<List<Pod>> condition) {
        try {
            client.pods()
                    .inNamespace(namespace)
                    .withLabels(SELECTOR)
                    .informOnCondition(pods -> condition.test(pods.stream()
                            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                            .toList()))
                    .get(WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (Exception e) {
            fail(what + " within " + WAIT_MINUTES + " min (" + e + ")\n" + diagnostics());
        }
    }
}
