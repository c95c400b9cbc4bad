package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.time.Duration;
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
 * The kind overlay deployed through kube context kind-task-api ({@code -Dkube.context=...} names another; the
 * test refuses any other cluster, see {@link KubeContextGuard}), in a namespace of its own, then checked
 * through a loopback port-forward and the API server's service proxy, and removed. Tag {@code kind}: not part
 * of {@code make test}; {@code make kind-test} runs it after loading the slim image into kind, with
 * {@code -Dkind.required=true}: without the cluster it fails instead of skipping.
 *
 * <p>The deployment is set up once, before all tests; each test starts from a rolled-out deployment and
 * opens its own port-forward to a pod that is ready then, so the tests run in any order or alone
 * ({@code -Dit.test=KindDeploymentIT#taskRoundTrip}).
 */
@Tag("kind")
class KindDeploymentIT {
    private static final Logger LOG = Logger.getLogger(KindDeploymentIT.class.getName());
    static final String APP = K8sManifests.APP;
    static final Map<String, String> SELECTOR =
            Map.of("app.kubernetes.io/name", APP, "app.kubernetes.io/instance", APP);
    static final long WAIT_MINUTES = 3;

    static final ObjectMapper json = new ObjectMapper();
    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Config config;
    static KubernetesClient client;
    static String namespace;
    static String pvName;
    /** This test's port-forward, opened by its first request through one. */
    LocalPortForward forward;

    /** Prerequisites.require, but a failure whenever the run asked for the cluster (-Dkind.required=true). */
    static void require(boolean present, String reason) {
        if (!present && Boolean.getBoolean("kind.required")) {
            fail("the kind cluster is required (-Dkind.required=true), but " + reason);
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
        pvName = "task-api-models-" + namespace;
        List<HasMetadata> objects = K8sManifests.load(K8sManifests.render("overlays/kind"));
        // The PV is cluster-scoped: one of our own, pre-bound both ways to this namespace's claim, on the same
        // node path (the repository's models/, mounted by k8s/kind/cluster.yaml).
        for (HasMetadata o : objects) {
            if (o instanceof PersistentVolume pv) {
                pv.getMetadata().setName(pvName);
                pv.getSpec()
                        .setClaimRef(new ObjectReferenceBuilder()
                                .withKind("PersistentVolumeClaim")
                                .withNamespace(namespace)
                                .withName(K8sManifests.MODELS_CLAIM)
                                .build());
            } else if (o instanceof PersistentVolumeClaim pvc) {
                pvc.getSpec().setVolumeName(pvName);
            }
        }
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .addToLabels("app.kubernetes.io/part-of", "task-api-test")
                        .endMetadata()
                        .build())
                .create();
        for (HasMetadata o : objects) {
            if (o instanceof PersistentVolume) {
                client.resource(o).create();
            } else {
                client.resource(o).inNamespace(namespace).create();
            }
        }
        awaitAvailable("initial rollout");
        try {
            client.persistentVolumeClaims()
                    .inNamespace(namespace)
                    .withName(K8sManifests.MODELS_CLAIM)
                    .waitUntilCondition(
                            p -> p != null
                                    && p.getStatus() != null
                                    && "Bound".equals(p.getStatus().getPhase()),
                            1,
                            TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            fail("PVC " + K8sManifests.MODELS_CLAIM + " not Bound: " + e.getMessage() + "\n" + diagnostics());
        }
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

    static void awaitAvailable(String what) {
        try {
            client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withName(APP)
                    .waitUntilCondition(KindDeploymentIT::rolledOut, WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            fail(what + ": Deployment " + APP + " not available within " + WAIT_MINUTES + " min: " + e.getMessage()
                    + "\n" + diagnostics());
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
     * Removes what {@link #deploy} created, as far as it got; cleanup only: what cannot be removed is logged
     * (the namespace and the PV have names of their own, so a leftover does not disturb the next run).
     */
    @AfterAll
    static void removeEverything() {
        if (client == null) {
            return;
        }
        try {
            if (namespace != null) {
                cleanUp(
                        "namespace " + namespace,
                        () -> client.namespaces().withName(namespace).delete(),
                        () -> client.namespaces().withName(namespace).get());
            }
            if (pvName != null) {
                cleanUp(
                        "PersistentVolume " + pvName,
                        () -> client.persistentVolumes().withName(pvName).delete(),
                        () -> client.persistentVolumes().withName(pvName).get());
            }
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

    @Test
    void readyThroughAPortForward() throws Exception {
        HttpResponse<String> ready = viaForward("GET", "/health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
    }

    @Test
    void modelsAreTheFilesOfTheRepositoryModelsDirectory() throws Exception {
        HttpResponse<String> res = viaForward("GET", "/models", null);
        assertEquals(200, res.statusCode(), res.body());
        Map<String, String> served = new TreeMap<>();
        for (JsonNode m : json.readTree(res.body())) {
            assertEquals("verified", m.path("status").asText(), "model " + m);
            served.put(m.path("name").asText(), m.path("sha256").asText());
        }
        assertEquals(K8sManifests.modelFiles(), served, "/models = models/ (through the kind node mount and the PV)");
    }

    @Test
    void taskRoundTrip() throws Exception {
        HttpResponse<String> created = viaForward("POST", "/tasks", "{\"title\":\"ship it\",\"priority\":2}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json.readTree(created.body()).path("id").asText();
        assertTrue(created.headers().firstValue("Location").orElseThrow().endsWith("/tasks/" + id));
        HttpResponse<String> fetched = viaForward("GET", "/tasks/" + id, null);
        assertEquals(200, fetched.statusCode(), fetched.body());
        assertEquals("ship it", json.readTree(fetched.body()).path("title").asText());
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
}
