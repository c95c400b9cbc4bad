package dev.taskapi.k8s;

import static dev.taskapi.k8s.K8sManifests.APP;
import static dev.taskapi.k8s.K8sManifests.CONTAINER_PORT;
import static dev.taskapi.k8s.K8sManifests.MODELS_CLAIM;
import static dev.taskapi.k8s.K8sManifests.UID;
import static dev.taskapi.k8s.K8sManifests.all;
import static dev.taskapi.k8s.K8sManifests.load;
import static dev.taskapi.k8s.K8sManifests.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Prerequisites;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests as rendered by {@code kubectl kustomize}, loaded with fabric8, held to the invariants the
 * service and its images depend on. Runs in {@code make test} (no cluster needed, only kubectl).
 */
class ManifestIT {
    static final Map<String, String> SELECTOR =
            Map.of("app.kubernetes.io/name", APP, "app.kubernetes.io/instance", APP);
    static final Set<String> STABLE_SELECTOR_KEYS = SELECTOR.keySet();
    /** The database's objects: their name prefix and their labels. */
    static final String DB = "task-api-postgres";

    static final Map<String, String> DB_SELECTOR =
            Map.of("app.kubernetes.io/name", "postgres", "app.kubernetes.io/instance", DB);

    static final Map<String, List<HasMetadata>> rendered = new HashMap<>();

    @BeforeAll
    static void renderAll() {
        Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        for (String overlay : K8sManifests.OVERLAYS) {
            rendered.put(overlay, load(K8sManifests.render(overlay)));
        }
    }

    static List<HasMetadata> objects(String overlay) {
        return rendered.get(overlay);
    }

    static List<String> overlays() {
        return K8sManifests.OVERLAYS;
    }

    static List<String> clusterDatabaseOverlays() {
        return K8sManifests.CLUSTER_DATABASE_OVERLAYS;
    }

    static boolean clusterDatabase(String overlay) {
        return K8sManifests.CLUSTER_DATABASE_OVERLAYS.contains(overlay);
    }

    static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = all(objects, type).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .toList();
        assertEquals(
                1, found.size(), "exactly one " + type.getSimpleName() + " named " + name + ", found " + found.size());
        return found.get(0);
    }

    /** The service's Deployment (an overlay may hold the database's too). */
    static Deployment app(List<HasMetadata> objects) {
        return named(objects, Deployment.class, APP);
    }

    static Container container(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), "one container per pod");
        return containers.get(0);
    }

    /** The service's generated ConfigMap (task-api-<hash>); an overlay with the database has the database's too. */
    static ConfigMap appConfig(List<HasMetadata> objects) {
        List<ConfigMap> found = all(objects, ConfigMap.class).stream()
                .filter(c ->
                        K8sManifests.generatedName(c.getMetadata().getName()).equals(APP))
                .toList();
        assertEquals(1, found.size(), "exactly one ConfigMap task-api-<hash>, found " + found.size());
        return found.get(0);
    }

    static Map<String, String> config(List<HasMetadata> objects) {
        return appConfig(objects).getData();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyObjectIsAKnownTypedKindWithStableLabels(String overlay) {
        Map<String, Integer> kinds = new TreeMap<>();
        for (HasMetadata o : objects(overlay)) {
            assertFalse(o instanceof GenericKubernetesResource, overlay + ": fabric8 does not know " + o.getKind());
            kinds.merge(o.getKind(), 1, Integer::sum);
            Map<String, String> labels = o.getMetadata().getLabels();
            assertNotNull(labels, overlay + ": " + o.getKind() + " has no labels");
            assertEquals(
                    "task-api",
                    labels.get("app.kubernetes.io/part-of"),
                    overlay + ": " + o.getKind() + " part-of label");
            String what = overlay + ": " + o.getKind() + " " + o.getMetadata().getName();
            Map<String, String> expected = o.getMetadata().getName().startsWith(DB) ? DB_SELECTOR : SELECTOR;
            expected.forEach((k, v) -> assertEquals(v, labels.get(k), what + " label " + k));
        }
        Map<String, Integer> expected = new TreeMap<>(
                Map.of("ConfigMap", 1, "Deployment", 1, "NetworkPolicy", 1, "Service", 1, "ServiceAccount", 1));
        if (!overlay.equals("base")) {
            expected.put("PersistentVolumeClaim", 1); // components/models-pvc
        }
        if (overlay.startsWith("overlays/kind")) {
            expected.put("PersistentVolume", 1);
        }
        if (overlay.equals("overlays/podman")) {
            expected.merge("Deployment", 1, Integer::sum); // the database as a Deployment of one pod
            expected.merge("ConfigMap", 1, Integer::sum); // its pg_hba.conf
        }
        if (clusterDatabase(overlay)) {
            // The database: its Secret, StatefulSet, headless Service, NetworkPolicy and pg_hba.conf ConfigMap;
            // task-api's PodDisruptionBudget.
            expected.merge("ConfigMap", 1, Integer::sum);
            expected.merge("Service", 1, Integer::sum);
            expected.merge("NetworkPolicy", 1, Integer::sum);
            expected.put("Secret", 1);
            expected.put("StatefulSet", 1);
            expected.put("PodDisruptionBudget", 1);
        }
        assertEquals(expected, kinds, overlay + ": objects per kind");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void replicasRolledWithoutDroppingRequests(String overlay) {
        Deployment d = app(objects(overlay));
        if (clusterDatabase(overlay)) {
            assertTrue(d.getSpec().getReplicas() >= 2, overlay + ": at least two replicas on the shared database");
        } else {
            assertEquals(1, d.getSpec().getReplicas(), overlay + ": one replica while the store is in memory");
        }
        assertEquals("RollingUpdate", d.getSpec().getStrategy().getType());
        assertEquals(
                new IntOrString(1), d.getSpec().getStrategy().getRollingUpdate().getMaxSurge());
        assertEquals(
                new IntOrString(0), d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable());

        // The kubelet must not SIGKILL before the service's shutdown delay plus its drain bound have passed.
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Map<String, String> env = config(objects(overlay));
        long delayMs = Long.parseLong(env.get("SHUTDOWN_DELAY_MS"));
        long drainMs = Long.parseLong(env.get("SHUTDOWN_TIMEOUT_MS"));
        assertTrue(delayMs >= 1000, "SHUTDOWN_DELAY_MS lets endpoint removal propagate before the listener closes");
        assertTrue(
                pod.getTerminationGracePeriodSeconds() * 1000 >= delayMs + drainMs + 5000,
                "terminationGracePeriodSeconds " + pod.getTerminationGracePeriodSeconds() + " < SHUTDOWN_DELAY_MS "
                        + delayMs + " + SHUTDOWN_TIMEOUT_MS " + drainMs + " + 5 s for the JVM to exit");

        // A RWO volume and a surge pod: the surge pod must land on the old pod's node (components/models-pvc); the
        // base, with no claim, constrains nothing.
        if (overlay.equals("base")) {
            assertNull(pod.getAffinity(), "base: no affinity");
            return;
        }
        var affinity = pod.getAffinity().getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertEquals(1, affinity.size());
        assertEquals("kubernetes.io/hostname", affinity.get(0).getTopologyKey());
        assertEquals(SELECTOR, affinity.get(0).getLabelSelector().getMatchLabels());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void selectorsUseOnlyStableKeysAndAgree(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        Deployment d = app(objects);
        assertEquals(SELECTOR, d.getSpec().getSelector().getMatchLabels(), "Deployment selector");
        var expressions = d.getSpec().getSelector().getMatchExpressions();
        assertTrue(expressions == null || expressions.isEmpty(), "no matchExpressions in the Deployment selector");
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        SELECTOR.forEach((k, v) -> assertEquals(v, podLabels.get(k), "pod template label " + k));
        // The version is an overlay's, set beside its image tag; the base names no version.
        assertEquals(
                overlay.equals("base") ? null : K8sManifests.pomVersion(),
                podLabels.get("app.kubernetes.io/version"),
                "version label = pom version");

        Service svc = named(objects, Service.class, APP);
        assertEquals(SELECTOR, svc.getSpec().getSelector(), "Service selector");
        NetworkPolicy np = named(objects, NetworkPolicy.class, APP);
        assertEquals(SELECTOR, np.getSpec().getPodSelector().getMatchLabels(), "NetworkPolicy podSelector");
        assertTrue(STABLE_SELECTOR_KEYS.containsAll(svc.getSpec().getSelector().keySet()));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void podIsHardened(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        Deployment d = app(objects);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        PodSecurityContext psc = pod.getSecurityContext();
        assertEquals(Boolean.TRUE, psc.getRunAsNonRoot(), "runAsNonRoot");
        assertEquals(UID, psc.getRunAsUser(), "runAsUser");
        assertEquals("RuntimeDefault", psc.getSeccompProfile().getType(), "pod seccomp");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "pod: no service-account token");
        ServiceAccount sa = one(objects, ServiceAccount.class);
        assertEquals(sa.getMetadata().getName(), pod.getServiceAccountName(), "pod runs as its own service account");
        assertEquals(Boolean.FALSE, sa.getAutomountServiceAccountToken(), "service account: no token");
        assertFalse(
                Boolean.TRUE.equals(pod.getHostNetwork())
                        || Boolean.TRUE.equals(pod.getHostPID())
                        || Boolean.TRUE.equals(pod.getHostIPC()),
                "no host namespaces");

        SecurityContext sc = container(d).getSecurityContext();
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), "capabilities dropped");
        assertTrue(
                sc.getCapabilities().getAdd() == null
                        || sc.getCapabilities().getAdd().isEmpty(),
                "no capability added");
        assertFalse(Boolean.TRUE.equals(sc.getPrivileged()), "not privileged");
        assertFalse(Boolean.FALSE.equals(sc.getRunAsNonRoot()), "container does not undo runAsNonRoot");
        assertTrue(sc.getRunAsUser() == null || sc.getRunAsUser() == UID, "container user");
        assertTrue(sc.getSeccompProfile() == null
                || "RuntimeDefault".equals(sc.getSeccompProfile().getType()));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void probesUseRealHealthRoutesOnTheHttpPort(String overlay) {
        Container c = container(app(objects(overlay)));
        List<String> routes = K8sManifests.openApiGetPaths();
        Map<String, HTTPGetAction> probes = Map.of(
                "startup", c.getStartupProbe().getHttpGet(),
                "liveness", c.getLivenessProbe().getHttpGet(),
                "readiness", c.getReadinessProbe().getHttpGet());
        assertEquals("/health/live", probes.get("startup").getPath());
        assertEquals("/health/live", probes.get("liveness").getPath());
        assertEquals("/health/ready", probes.get("readiness").getPath());
        probes.forEach((name, get) -> {
            assertTrue(
                    routes.contains(get.getPath()),
                    name + " probe path " + get.getPath() + " is not a GET route of the service's openapi.json: "
                            + routes);
            assertEquals(CONTAINER_PORT, resolvePort(c, get.getPort()), name + " probe port");
        });
    }

    static int resolvePort(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .mapToInt(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void portsAgreeFromConfigToServiceToNetworkPolicy(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        Container c = container(app(objects));
        assertEquals(1, c.getPorts().size());
        ContainerPort cp = c.getPorts().get(0);
        assertEquals("http", cp.getName());
        assertEquals(CONTAINER_PORT, cp.getContainerPort());
        assertEquals(String.valueOf(CONTAINER_PORT), config(objects).get("PORT"), "ConfigMap PORT = container port");

        Service svc = named(objects, Service.class, APP);
        assertEquals("ClusterIP", svc.getSpec().getType());
        assertEquals(1, svc.getSpec().getPorts().size());
        ServicePort sp = svc.getSpec().getPorts().get(0);
        assertEquals("http", sp.getName());
        assertEquals(80, sp.getPort());
        assertEquals(CONTAINER_PORT, resolvePort(c, sp.getTargetPort()), "Service targetPort");

        NetworkPolicy np = named(objects, NetworkPolicy.class, APP);
        assertEquals(List.of("Ingress"), np.getSpec().getPolicyTypes());
        List<NetworkPolicyIngressRule> rules = np.getSpec().getIngress();
        assertEquals(1, rules.size(), "one ingress rule");
        List<NetworkPolicyPort> ports = rules.get(0).getPorts();
        assertEquals(1, ports.size(), "ingress admitted to one port only");
        assertEquals(CONTAINER_PORT, resolvePort(c, ports.get(0).getPort()), "NetworkPolicy port");
        assertEquals("TCP", ports.get(0).getProtocol());

        // Loopback publishing exists only for podman kube play; real clusters never get a hostPort.
        if (overlay.equals("overlays/podman")) {
            assertEquals("127.0.0.1", cp.getHostIP(), "podman publishes on loopback only");
            assertNotNull(cp.getHostPort());
        } else {
            assertNull(cp.getHostPort(), overlay + ": no hostPort outside overlays/podman");
            assertNull(cp.getHostIP(), overlay + ": no hostIP outside overlays/podman");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void modelsAreMountedReadOnlyAtModelsDirAndTmpIsAnEmptyDir(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        Deployment d = app(objects);
        Container c = container(d);
        Map<String, String> env = config(objects);
        assertEquals("/app/models", env.get("MODELS_DIR"), "MODELS_DIR is the image's models directory");

        String cmName = appConfig(objects).getMetadata().getName();
        assertEquals(
                List.of(cmName),
                c.getEnvFrom().stream().map(e -> e.getConfigMapRef().getName()).toList(),
                "the container takes its environment from the generated ConfigMap");

        Map<String, Volume> volumes = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, v -> v));
        Map<String, VolumeMount> mounts =
                c.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
        if (overlay.equals("base")) {
            assertEquals(Set.of("/tmp"), mounts.keySet(), "base: /tmp only, the models volume is a component's");
        } else {
            assertEquals(
                    Set.of(env.get("MODELS_DIR"), "/tmp"), mounts.keySet(), "only the models and /tmp are mounted");
            VolumeMount models = mounts.get(env.get("MODELS_DIR"));
            assertEquals(Boolean.TRUE, models.getReadOnly(), "models mounted read-only");
            Volume mv = volumes.get(models.getName());
            assertEquals(MODELS_CLAIM, mv.getPersistentVolumeClaim().getClaimName());
            assertEquals(Boolean.TRUE, mv.getPersistentVolumeClaim().getReadOnly(), "models claim used read-only");
            assertEquals(
                    MODELS_CLAIM,
                    one(objects, PersistentVolumeClaim.class).getMetadata().getName());
        }

        VolumeMount tmp = mounts.get("/tmp");
        assertNotNull(volumes.get(tmp.getName()).getEmptyDir(), "/tmp is an emptyDir");
        assertFalse(Boolean.TRUE.equals(tmp.getReadOnly()), "/tmp writable");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void imageIsTheSlimJibImageWithMeasuredResources(String overlay) {
        Container c = container(app(objects(overlay)));
        assertEquals(
                overlay.equals("base") ? APP : K8sManifests.slimImage(),
                c.getImage(),
                "the image the Jib build produces (the base names it, each overlay's images: sets the tag)");
        assertEquals(
                overlay.equals("base") ? "IfNotPresent" : "Never",
                c.getImagePullPolicy(),
                overlay + ": the image comes from kind load / local storage, never from a registry");

        var res = c.getResources();
        Quantity limit = res.getLimits().get("memory");
        assertNotNull(limit, "memory limit");
        assertEquals(limit, res.getRequests().get("memory"), "memory request = limit (the JVM sizes its heap from it)");
        assertNotNull(res.getRequests().get("cpu"), "cpu request");
        assertTrue(
                Quantity.getAmountInBytes(limit).longValue() <= 256L * 1024 * 1024,
                "within the measured 256Mi budget (docs/images.md)");
    }

    /** The image, user, port and MODELS_DIR the manifests assume are the ones the Jib build (pom.xml) produces. */
    @Test
    void manifestsMatchTheJibSlimImage() throws Exception {
        var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(K8sManifests.ROOT.resolve("pom.xml").toFile());
        var xpath = javax.xml.xpath.XPathFactory.newInstance().newXPath();
        String jib = "/project/build/plugins/plugin[artifactId='jib-maven-plugin']";
        assertEquals("1", xpath.evaluate("count(" + jib + ")", doc), "pom.xml builds the images with jib-maven-plugin");
        String to = xpath.evaluate(jib + "/executions/execution[id='slim']/configuration/to/image", doc)
                .trim();
        String repo = xpath.evaluate("/project/properties/*[local-name()='image.repo']", doc)
                .trim();
        String image = to.replace("${image.repo}", repo).replace("${project.version}", K8sManifests.pomVersion());
        assertEquals(K8sManifests.slimImage(), image, "Jib's slim execution <to> image (" + to + ")");

        String user = xpath.evaluate(jib + "/configuration/container/user", doc).trim();
        String port =
                xpath.evaluate(jib + "/configuration/container/ports/port", doc).trim();
        String modelsDir = xpath.evaluate(jib + "/configuration/container/environment/MODELS_DIR", doc)
                .trim();
        for (String overlay : K8sManifests.OVERLAYS) {
            List<HasMetadata> objects = objects(overlay);
            Deployment d = app(objects);
            assertEquals(overlay.equals("base") ? APP : image, container(d).getImage(), overlay);
            assertEquals(
                    user,
                    String.valueOf(d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getSecurityContext()
                            .getRunAsUser()),
                    overlay + ": runAsUser = the image's user");
            assertEquals(
                    port,
                    String.valueOf(container(d).getPorts().get(0).getContainerPort()),
                    overlay + ": the image's port");
            assertEquals(modelsDir, config(objects).get("MODELS_DIR"), overlay + ": the image's MODELS_DIR");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/kind-memory", "overlays/kind"})
    void kindOverlayBindsTheClaimToTheNodeMountOfModels(String overlay) throws Exception {
        List<HasMetadata> objects = objects(overlay);
        PersistentVolume pv = one(objects, PersistentVolume.class);
        PersistentVolumeClaim pvc = one(objects, PersistentVolumeClaim.class);
        assertEquals(pv.getMetadata().getName(), pvc.getSpec().getVolumeName(), "claim pre-bound to the static PV");
        assertEquals("", pvc.getSpec().getStorageClassName(), "claim bypasses the default StorageClass");
        assertEquals("", pv.getSpec().getStorageClassName());
        assertTrue(
                pv.getSpec().getAccessModes().containsAll(pvc.getSpec().getAccessModes()),
                "PV offers the claim's modes");
        assertTrue(Quantity.getAmountInBytes(pv.getSpec().getCapacity().get("storage"))
                        .compareTo(Quantity.getAmountInBytes(
                                pvc.getSpec().getResources().getRequests().get("storage")))
                >= 0);
        assertEquals("Retain", pv.getSpec().getPersistentVolumeReclaimPolicy(), "never delete the user's models");

        // The PV's node path is where k8s/kind/cluster.yaml mounts the repository's models/.
        @SuppressWarnings("unchecked")
        Map<String, Object> cluster =
                Serialization.unmarshal(Files.readString(K8sManifests.K8S.resolve("kind/cluster.yaml")), Map.class);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) cluster.get("nodes");
        assertEquals(1, nodes.size(), "one node: the hostPath PV and the RWO claim live on it");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> mounts =
                (List<Map<String, Object>>) nodes.get(0).get("extraMounts");
        Map<String, Object> mount = mounts.stream()
                .filter(m -> pv.getSpec().getHostPath().getPath().equals(m.get("containerPath")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("cluster.yaml mounts nothing at "
                        + pv.getSpec().getHostPath().getPath()));
        assertEquals(
                "./models",
                mount.get("hostPath"),
                "the node path is the repository's models/ (made absolute by make kind-up)");
        assertEquals("Directory", pv.getSpec().getHostPath().getType());
    }

    /**
     * Every overlay is the base plus additions: each field the base sets is in the overlay with the same value, but
     * for the replacements listed here, each for a reason of its runtime. Nothing of the base is removed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"overlays/kind-memory", "overlays/kind", "overlays/podman", "overlays/production"})
    void overlaysOnlyAddToTheBase(String overlay) {
        String image = "Deployment/task-api.spec.template.spec.containers[task-api].image";
        String pullPolicy = "Deployment/task-api.spec.template.spec.containers[task-api].imagePullPolicy";
        String replicas = "Deployment/task-api.spec.replicas";
        Map<String, Set<String>> replaced = Map.of(
                "overlays/kind-memory", Set.of(image, pullPolicy),
                "overlays/kind", Set.of(image, pullPolicy, replicas),
                "overlays/podman", Set.of(image, pullPolicy),
                "overlays/production",
                        Set.of(
                                image,
                                replicas,
                                "Deployment/task-api.spec.template.spec.containers[task-api].resources.requests.cpu",
                                "ConfigMap/task-api.data.MODELS_DIR",
                                "ConfigMap/task-api.data.MODELS_REQUIRED"));
        List<HasMetadata> rendered =
                overlay.equals("overlays/production") ? load(K8sManifests.render(overlay)) : objects(overlay);
        Set<String> changed = new TreeSet<>();
        for (HasMetadata base : objects("base")) {
            String name = K8sManifests.generatedName(base.getMetadata().getName());
            HasMetadata mine = rendered.stream()
                    .filter(o -> o.getKind().equals(base.getKind())
                            && K8sManifests.generatedName(o.getMetadata().getName())
                                    .equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + " lost the base's " + base.getKind() + " " + name));
            K8sManifests.contains(
                    K8sManifests.normalized(base), K8sManifests.normalized(mine), base.getKind() + "/" + name, changed);
        }
        assertEquals(replaced.get(overlay), changed, overlay + ": the base's fields it replaces");
    }

    /** No overlay or component deletes: no {@code $patch: delete}, JSON-patch {@code remove} or null-ing of a field. */
    @Test
    void noKustomizationDeletesAnything() throws Exception {
        List<String> found = new ArrayList<>();
        try (var files = Files.walk(K8sManifests.K8S)) {
            for (var file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).replaceFirst("#.*", "");
                    if (line.matches(".*\\$patch:\\s*(delete|replace|deleteFromPrimitiveList).*")
                            || line.matches(".*op:\\s*remove.*")
                            || line.matches("\\s*[\\w.-]+:\\s*null\\s*")) {
                        found.add(K8sManifests.K8S.relativize(file) + ":" + (i + 1) + ": "
                                + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }

    // --- the database (k8s/components/postgres), on every overlay that runs it as a cluster would

    static final Set<String> SECRET_ENV = Set.of("PGPASSWORD", "POSTGRES_PASSWORD", "DATABASE_URL");

    static Map<String, String> secretData(Secret secret) {
        Map<String, String> data = new TreeMap<>();
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        if (secret.getData() != null) {
            secret.getData()
                    .forEach(
                            (k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        return data;
    }

    static List<EnvVar> env(Container c) {
        return c.getEnv() == null ? List.of() : c.getEnv();
    }

    static Container dbContainer(StatefulSet sts) {
        List<Container> containers = sts.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), "one container in the database pod");
        return containers.get(0);
    }

    /** The password lives in the Secret only: no ConfigMap holds it, every container reads it by secretKeyRef. */
    @ParameterizedTest
    @MethodSource("clusterDatabaseOverlays")
    void theDatabasePasswordIsOnlyInTheSecret(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        Secret secret = named(objects, Secret.class, DB);
        String password = secretData(secret).get("password");
        assertNotNull(password, overlay + ": the Secret has a password key");
        for (ConfigMap cm : all(objects, ConfigMap.class)) {
            Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
            data.forEach((k, v) -> {
                assertFalse(
                        v.contains(password),
                        overlay + ": ConfigMap " + cm.getMetadata().getName() + " key " + k + " holds the password");
                assertFalse(
                        SECRET_ENV.contains(k),
                        overlay + ": ConfigMap " + cm.getMetadata().getName() + " sets " + k);
            });
        }
        List<Container> containers = new java.util.ArrayList<>();
        containers.add(container(app(objects)));
        containers.add(dbContainer(named(objects, StatefulSet.class, DB)));
        for (Container c : containers) {
            Set<String> names = new TreeSet<>();
            for (EnvVar e : env(c)) {
                names.add(e.getName());
                assertFalse(
                        e.getValue() != null && e.getValue().contains(password),
                        overlay + ": " + c.getName() + " env " + e.getName() + " holds the password");
                if (SECRET_ENV.contains(e.getName())) {
                    assertNull(e.getValue(), overlay + ": " + c.getName() + " " + e.getName() + " is not a literal");
                    var ref = e.getValueFrom().getSecretKeyRef();
                    assertNotNull(ref, overlay + ": " + c.getName() + " " + e.getName() + " comes from a secretKeyRef");
                    assertEquals(DB, ref.getName(), overlay + ": " + c.getName() + " " + e.getName() + " secret");
                    assertEquals("password", ref.getKey());
                }
            }
            assertTrue(
                    names.contains("PGPASSWORD") || names.contains("POSTGRES_PASSWORD"),
                    overlay + ": " + c.getName() + " gets the password");
        }
        // The app reads the rest of its connection from the Secret too, and reaches the database by its Service.
        Map<String, EnvVar> appEnv =
                env(container(app(objects))).stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals("postgres", appEnv.get("STORE").getValue(), overlay + ": STORE=postgres");
        assertEquals(DB, appEnv.get("PGHOST").getValue(), overlay + ": PGHOST is the database's Service");
        named(objects, Service.class, DB);
        for (String key : List.of("PGUSER", "PGDATABASE")) {
            assertEquals(
                    DB,
                    appEnv.get(key).getValueFrom().getSecretKeyRef().getName(),
                    overlay + ": " + key + " from the Secret");
        }
    }

    @ParameterizedTest
    @MethodSource("clusterDatabaseOverlays")
    void twoReplicasKeptAvailableByADisruptionBudget(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        Deployment d = app(objects);
        int replicas = d.getSpec().getReplicas();
        assertTrue(replicas >= 2, overlay + ": replicas " + replicas);
        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
        assertEquals(
                SELECTOR,
                pdb.getSpec().getSelector().getMatchLabels(),
                overlay + ": the budget selects task-api's pods");
        IntOrString min = pdb.getSpec().getMinAvailable();
        assertNotNull(min, overlay + ": minAvailable");
        assertTrue(
                min.getIntVal() != null && min.getIntVal() >= 1 && min.getIntVal() < replicas,
                overlay + ": minAvailable " + min + " keeps a pod serving and still lets a drain proceed");
    }

    @ParameterizedTest
    @MethodSource("clusterDatabaseOverlays")
    void theDatabasePortIsReachableFromTaskApiPodsOnly(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        StatefulSet sts = named(objects, StatefulSet.class, DB);
        Map<String, String> dbPodLabels =
                sts.getSpec().getTemplate().getMetadata().getLabels();
        NetworkPolicy np = named(objects, NetworkPolicy.class, DB);
        np.getSpec()
                .getPodSelector()
                .getMatchLabels()
                .forEach((k, v) -> assertEquals(
                        v, dbPodLabels.get(k), overlay + ": the policy selects the database pod (" + k + ")"));
        assertEquals(List.of("Ingress"), np.getSpec().getPolicyTypes());
        assertEquals(1, np.getSpec().getIngress().size(), overlay + ": one ingress rule");
        NetworkPolicyIngressRule rule = np.getSpec().getIngress().get(0);
        assertEquals(1, rule.getFrom().size(), overlay + ": one source");
        var from = rule.getFrom().get(0);
        assertNull(from.getIpBlock(), "no address block");
        assertNull(from.getNamespaceSelector(), "no other namespace");
        assertEquals(SELECTOR, from.getPodSelector().getMatchLabels(), overlay + ": only task-api pods");
        assertEquals(1, rule.getPorts().size());
        Container db = dbContainer(sts);
        assertEquals(5432, resolvePort(db, rule.getPorts().get(0).getPort()), overlay + ": the database port");
        assertEquals("TCP", rule.getPorts().get(0).getProtocol());
        // The app's own policy still admits only its HTTP port.
        assertEquals(
                1,
                named(objects, NetworkPolicy.class, APP).getSpec().getIngress().size());
    }

    @ParameterizedTest
    @MethodSource("clusterDatabaseOverlays")
    void theDatabaseStatefulSetIsHardened(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        StatefulSet sts = named(objects, StatefulSet.class, DB);
        assertEquals(DB_SELECTOR, sts.getSpec().getSelector().getMatchLabels(), overlay + ": StatefulSet selector");
        Service headless = named(objects, Service.class, sts.getSpec().getServiceName());
        assertEquals("None", headless.getSpec().getClusterIP(), overlay + ": the StatefulSet's Service is headless");
        assertEquals(DB_SELECTOR, headless.getSpec().getSelector());
        assertEquals(1, sts.getSpec().getReplicas(), overlay + ": one database instance");

        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "no service-account token");
        PodSecurityContext psc = pod.getSecurityContext();
        assertEquals(Boolean.TRUE, psc.getRunAsNonRoot(), overlay + ": runAsNonRoot");
        assertNotNull(psc.getRunAsUser(), overlay + ": a numeric user");
        assertTrue(psc.getRunAsUser() > 0, overlay + ": not root");
        assertEquals("RuntimeDefault", psc.getSeccompProfile().getType(), overlay + ": pod seccomp");
        assertFalse(
                Boolean.TRUE.equals(pod.getHostNetwork())
                        || Boolean.TRUE.equals(pod.getHostPID())
                        || Boolean.TRUE.equals(pod.getHostIPC()),
                "no host namespaces");

        Container c = dbContainer(sts);
        SecurityContext sc = c.getSecurityContext();
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), overlay + ": allowPrivilegeEscalation");
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), overlay + ": capabilities dropped");
        assertTrue(
                sc.getCapabilities().getAdd() == null
                        || sc.getCapabilities().getAdd().isEmpty(),
                "no capability added");
        assertFalse(Boolean.TRUE.equals(sc.getPrivileged()), "not privileged");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), overlay + ": readOnlyRootFilesystem");
        assertFalse(Boolean.FALSE.equals(sc.getRunAsNonRoot()), "container does not undo runAsNonRoot");
        assertTrue(sc.getSeccompProfile() == null
                || "RuntimeDefault".equals(sc.getSeccompProfile().getType()));

        var res = c.getResources();
        for (String r : List.of("cpu", "memory")) {
            assertNotNull(res.getRequests().get(r), overlay + ": database " + r + " request");
            assertNotNull(res.getLimits().get(r), overlay + ": database " + r + " limit");
        }
        assertNotNull(c.getStartupProbe(), overlay + ": startup probe");
        assertNotNull(c.getLivenessProbe(), overlay + ": liveness probe");
        assertNotNull(c.getReadinessProbe(), overlay + ": readiness probe");

        // The data lives on the claim template's volume, and PGDATA is inside it.
        assertEquals(1, sts.getSpec().getVolumeClaimTemplates().size(), overlay + ": one volumeClaimTemplate");
        String claim =
                sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        VolumeMount data = c.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(claim))
                .findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": the claim template's volume is not mounted"));
        String pgdata = env(c).stream()
                .filter(e -> e.getName().equals("PGDATA"))
                .map(EnvVar::getValue)
                .findFirst()
                .orElseThrow();
        assertTrue(
                pgdata.startsWith(data.getMountPath() + "/"),
                overlay + ": PGDATA " + pgdata + " on the claim's volume");
        // Everything else it writes is an emptyDir (the root filesystem is read-only); its pg_hba.conf is a
        // ConfigMap, mounted read-only.
        for (VolumeMount m : c.getVolumeMounts()) {
            if (!m.getName().equals(claim)) {
                Volume v = pod.getVolumes().stream()
                        .filter(x -> x.getName().equals(m.getName()))
                        .findFirst()
                        .orElseThrow();
                if (v.getConfigMap() != null) {
                    assertEquals(Boolean.TRUE, m.getReadOnly(), overlay + ": " + m.getMountPath() + " read-only");
                } else {
                    assertNotNull(v.getEmptyDir(), overlay + ": " + m.getMountPath() + " is an emptyDir");
                }
            }
        }
        // The init containers (tls-cert) as hardened as the server, with bounded resources.
        assertFalse(pod.getInitContainers().isEmpty(), overlay + ": the init container tls-cert");
        for (Container init : pod.getInitContainers()) {
            assertEquals(sc, init.getSecurityContext(), overlay + ": " + init.getName() + " hardened as the server");
            for (String r : List.of("cpu", "memory")) {
                assertNotNull(init.getResources().getRequests().get(r), init.getName() + " " + r + " request");
                assertNotNull(init.getResources().getLimits().get(r), init.getName() + " " + r + " limit");
            }
        }
    }

    // --- TLS to the database (k8s/components/postgres, postgres-store and the podman overlay's copy)

    static final String TLS_INIT = "tls-cert";

    /** postgres's {@code -c name=value} arguments, by name; anything else in {@code args} fails the test. */
    static Map<String, String> postgresSettings(List<String> args) {
        assertNotNull(args, "postgres arguments");
        assertEquals(0, args.size() % 2, "pairs of -c name=value: " + args);
        Map<String, String> settings = new TreeMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            assertEquals("-c", args.get(i), "postgres arguments are -c name=value: " + args);
            String[] kv = args.get(i + 1).split("=", 2);
            assertEquals(2, kv.length, args.get(i + 1));
            assertNull(settings.put(kv[0], kv[1]), kv[0] + " set twice");
        }
        return settings;
    }

    static VolumeMount mountOf(Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(m -> path.startsWith(m.getMountPath() + "/"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing that holds " + path));
    }

    static Volume volumeNamed(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** The server's TLS and pg_hba.conf settings, each file on the volume the server mounts read-only for it. */
    static void assertServesTls(String what, PodSpec pod, Container server, List<HasMetadata> objects) {
        Map<String, String> settings = postgresSettings(server.getArgs());
        assertEquals(
                Set.of("ssl", "ssl_cert_file", "ssl_key_file", "hba_file"), settings.keySet(), what + ": " + settings);
        assertEquals("on", settings.get("ssl"), what + ": ssl=on");
        VolumeMount tls = mountOf(server, settings.get("ssl_key_file"));
        assertEquals(tls, mountOf(server, settings.get("ssl_cert_file")), what + ": key and certificate together");
        assertNotNull(volumeNamed(pod, tls.getName()).getEmptyDir(), what + ": the certificate lives in the pod");
        VolumeMount hba = mountOf(server, settings.get("hba_file"));
        assertEquals(Boolean.TRUE, hba.getReadOnly(), what + ": pg_hba.conf mounted read-only");
        var configMap = volumeNamed(pod, hba.getName()).getConfigMap();
        assertNotNull(configMap, what + ": pg_hba.conf from a ConfigMap");
        String key = settings.get("hba_file").substring(hba.getMountPath().length() + 1);
        ConfigMap cm = named(objects, ConfigMap.class, configMap.getName());
        assertNotNull(cm.getData().get(key), what + ": the ConfigMap holds " + key);
        assertHostSslOnly(what, cm.getData().get(key));
    }

    /** Network connections need TLS and a password: only local and hostssl lines, every one scram-sha-256. */
    static void assertHostSslOnly(String what, String hba) {
        List<String[]> lines = hba.lines()
                .map(l -> l.replaceFirst("#.*", "").strip())
                .filter(l -> !l.isEmpty())
                .map(l -> l.split("\\s+"))
                .toList();
        assertTrue(lines.stream().anyMatch(l -> l[0].equals("hostssl")), what + ": a hostssl line");
        for (String[] l : lines) {
            assertTrue(
                    Set.of("local", "hostssl").contains(l[0]),
                    what + ": pg_hba.conf line " + String.join(" ", l) + " (only local and hostssl)");
            assertEquals("scram-sha-256", l[l.length - 1], what + ": " + String.join(" ", l));
        }
    }

    /** The script that writes the certificate: EC P-256, the names as subject alternative names, the key 0600. */
    static void assertCertificateScript(String what, String script, String tlsDir) {
        for (String part : List.of(
                "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256",
                "-addext \"subjectAltName=$san\"",
                "-keyout " + tlsDir + "/tls.key -out " + tlsDir + "/tls.crt",
                "chmod 0600 " + tlsDir + "/tls.key",
                "san=\"DNS:$svc,DNS:$POD_NAME\"",
                "svc=" + DB + "\n")) {
            assertTrue(script.contains(part), what + ": the certificate script has " + part + ":\n" + script);
        }
    }

    static Map<String, String> fieldRefs(Container c) {
        Map<String, String> refs = new TreeMap<>();
        for (EnvVar e : env(c)) {
            if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
                refs.put(e.getName(), e.getValueFrom().getFieldRef().getFieldPath());
            }
        }
        return refs;
    }

    /**
     * The database serves TLS only: the init container tls-cert (the database's image, hardened as it) writes a new
     * certificate into the pod's memory-backed emptyDir at every start; postgres serves it read-only, with a
     * pg_hba.conf from a ConfigMap that admits network connections over TLS with a password only; task-api asks for
     * TLS (require: the certificate has no CA a client could trust).
     */
    @ParameterizedTest
    @MethodSource("clusterDatabaseOverlays")
    void theDatabaseServesTlsOnlyWithACertificateGeneratedPerPod(String overlay) {
        List<HasMetadata> objects = objects(overlay);
        StatefulSet sts = named(objects, StatefulSet.class, DB);
        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        Container server = dbContainer(sts);
        assertServesTls(overlay, pod, server, objects);

        assertEquals(
                List.of(TLS_INIT),
                pod.getInitContainers().stream().map(Container::getName).toList());
        Container init = pod.getInitContainers().get(0);
        assertEquals(server.getImage(), init.getImage(), "tls-cert runs the database's image (its openssl)");
        assertEquals(server.getImagePullPolicy(), init.getImagePullPolicy());
        assertEquals(List.of("sh", "-c"), init.getCommand().subList(0, 2));
        assertEquals(3, init.getCommand().size(), "sh -c SCRIPT");
        String tlsDir = mountOf(server, postgresSettings(server.getArgs()).get("ssl_key_file"))
                .getMountPath();
        assertCertificateScript(overlay, init.getCommand().get(2), tlsDir);
        assertEquals(
                Map.of("POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace"),
                fieldRefs(init),
                "the names the certificate carries");
        VolumeMount written = init.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(tlsDir))
                .findFirst()
                .orElseThrow(() -> new AssertionError("tls-cert mounts nothing at " + tlsDir));
        assertFalse(Boolean.TRUE.equals(written.getReadOnly()), "tls-cert writes the certificate");
        VolumeMount served = mountOf(server, tlsDir + "/tls.key");
        assertEquals(written.getName(), served.getName(), "the server serves what tls-cert wrote");
        assertEquals(Boolean.TRUE, served.getReadOnly(), "the server mounts its certificate read-only");
        assertEquals(1, init.getVolumeMounts().size(), "tls-cert sees nothing but the certificate's volume");
        var emptyDir = volumeNamed(pod, written.getName()).getEmptyDir();
        assertEquals("Memory", emptyDir.getMedium(), "the key is never written to the node's disk");
        assertNotNull(emptyDir.getSizeLimit());

        Map<String, EnvVar> appEnv =
                env(container(app(objects))).stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals("require", appEnv.get("PGSSLMODE").getValue(), overlay + ": task-api connects over TLS");
        assertFalse(appEnv.containsKey("PGSSLROOTCERT"), "no CA to verify a per-pod certificate against");
    }

    /**
     * Not rendered: the cert-manager route to verify-full issues the server's certificate for the host task-api
     * connects to, from a CA of the namespace's own, into the Secret the documented edits mount.
     */
    @Test
    void theCertManagerExampleIssuesTheCertificateForTheHostTaskApiConnectsTo() throws Exception {
        var file = K8sManifests.K8S.resolve("components/postgres/cert-manager.example.yaml");
        List<HasMetadata> example = load(Files.readString(file));
        Map<String, GenericKubernetesResource> byName = new TreeMap<>();
        for (HasMetadata o : example) {
            assertTrue(o instanceof GenericKubernetesResource, o.getKind());
            assertEquals("cert-manager.io/v1", o.getApiVersion());
            byName.put(o.getKind() + "/" + o.getMetadata().getName(), (GenericKubernetesResource) o);
        }
        for (String overlay : overlays()) {
            assertTrue(
                    objects(overlay).stream().noneMatch(o -> o.getApiVersion().startsWith("cert-manager.io/")),
                    overlay + ": the example is not rendered");
        }
        Map<String, Object> server = spec(byName.get("Certificate/" + DB + "-tls"));
        String pgHost = env(container(app(objects("overlays/kind")))).stream()
                .filter(e -> e.getName().equals("PGHOST"))
                .findFirst()
                .orElseThrow()
                .getValue();
        assertTrue(((List<?>) server.get("dnsNames")).contains(pgHost), "dnsNames hold PGHOST " + pgHost);
        assertEquals(DB + "-tls", server.get("secretName"));
        String issuer = (String) ((Map<?, ?>) server.get("issuerRef")).get("name");
        Map<String, Object> caIssuer = spec(byName.get("Issuer/" + issuer));
        String caSecret = (String) ((Map<?, ?>) caIssuer.get("ca")).get("secretName");
        Map<String, Object> ca = byName.values().stream()
                .filter(o -> o.getKind().equals("Certificate"))
                .map(ManifestIT::spec)
                .filter(c -> caSecret.equals(c.get("secretName")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Certificate makes the CA " + caSecret));
        assertEquals(Boolean.TRUE, ca.get("isCA"), "the server's issuer is a CA of the namespace's own");
        assertNotNull(
                spec(byName.get("Issuer/" + ((Map<?, ?>) ca.get("issuerRef")).get("name")))
                        .get("selfSigned"),
                "the CA is self-signed");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource o) {
        assertNotNull(o, "missing object in the example");
        return (Map<String, Object>) o.getAdditionalProperties().get("spec");
    }

    // --- the database under podman kube play (k8s/overlays/podman)

    static final String PODMAN_DB_POD = DB + "-pod-0";

    /** kube play ignores StatefulSets: the component's database as a one-pod Deployment, as hardened. */
    @Test
    void podmanRunsTheDatabaseAsAHardenedDeploymentOfOnePod() {
        List<HasMetadata> podman = objects("overlays/podman");
        assertTrue(all(podman, StatefulSet.class).isEmpty(), "no StatefulSet: kube play would silently run nothing");
        assertTrue(
                all(podman, Secret.class).isEmpty(),
                "no Secret: kube play cannot read a secretKeyRef, and leaves the secret behind");
        Deployment db = named(podman, Deployment.class, DB);
        assertEquals(1, db.getSpec().getReplicas(), "one database pod");
        assertEquals("Recreate", db.getSpec().getStrategy().getType(), "never two servers on one data directory");
        assertEquals(DB_SELECTOR, db.getSpec().getSelector().getMatchLabels());

        // As the cluster's StatefulSet: same pod and container security, resources, mounts and PGDATA.
        StatefulSet sts = named(objects("overlays/kind"), StatefulSet.class, DB);
        PodSpec want = sts.getSpec().getTemplate().getSpec();
        PodSpec got = db.getSpec().getTemplate().getSpec();
        assertEquals(want.getSecurityContext(), got.getSecurityContext(), "pod securityContext as the StatefulSet's");
        assertEquals(want.getAutomountServiceAccountToken(), got.getAutomountServiceAccountToken());
        Container wc = dbContainer(sts);
        Container gc = got.getContainers().get(0);
        assertEquals(1, got.getContainers().size());
        assertEquals(
                wc.getSecurityContext(), gc.getSecurityContext(), "container securityContext as the StatefulSet's");
        assertEquals(wc.getResources(), gc.getResources(), "resources as the StatefulSet's");
        assertTrue(
                gc.getPorts() == null || gc.getPorts().isEmpty(),
                "no ports declared: kube play would publish them on every host interface");
        assertEquals(
                wc.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList(),
                gc.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList(),
                "same mounts");
        Map<String, EnvVar> env = env(gc).stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals(
                env(wc).stream()
                        .filter(e -> e.getName().equals("PGDATA"))
                        .findFirst()
                        .orElseThrow(),
                env.get("PGDATA"));
        assertEquals("Never", gc.getImagePullPolicy(), "the image built here (bases.sh postgres15), never pulled");
        assertTrue(gc.getImage().startsWith("localhost/task-api-base/postgres15:"), gc.getImage());

        // The data on a claim (kube play: a podman volume of the claim's name); the rest emptyDirs with unique names.
        String dataMount = wc.getVolumeMounts().stream()
                .filter(m -> m.getName()
                        .equals(sts.getSpec()
                                .getVolumeClaimTemplates()
                                .get(0)
                                .getMetadata()
                                .getName()))
                .findFirst()
                .orElseThrow()
                .getMountPath();
        for (VolumeMount m : gc.getVolumeMounts()) {
            Volume v = got.getVolumes().stream()
                    .filter(x -> x.getName().equals(m.getName()))
                    .findFirst()
                    .orElseThrow();
            if (m.getMountPath().equals(dataMount)) {
                assertEquals(DB + "-data", v.getPersistentVolumeClaim().getClaimName(), "the database's data volume");
            } else if (v.getConfigMap() != null) {
                assertEquals(Boolean.TRUE, m.getReadOnly(), m.getMountPath() + " read-only");
                assertEquals(DB + "-hba", v.getConfigMap().getName(), "the fixed name podman-deploy.sh removes");
            } else {
                assertNotNull(v.getEmptyDir(), m.getMountPath() + " is an emptyDir");
                assertTrue(
                        v.getName().startsWith(DB + "-"),
                        "emptyDir " + v.getName() + " named for its pod (a host-wide podman volume)");
            }
        }
    }

    /**
     * TLS under kube play as in the component: the postgres container runs the component's tls-cert script, then
     * the image's entrypoint with the component's arguments; pg_hba.conf is the component's, under a fixed name.
     */
    @Test
    void podmanServesTlsAsTheComponentDoes() {
        List<HasMetadata> podman = objects("overlays/podman");
        Deployment db = named(podman, Deployment.class, DB);
        PodSpec pod = db.getSpec().getTemplate().getSpec();
        assertTrue(
                pod.getInitContainers() == null || pod.getInitContainers().isEmpty(),
                "no init container: kube play 4.3 restarts it under the Deployment's restartPolicy Always");
        Container server = pod.getContainers().get(0);
        assertServesTls("overlays/podman", pod, server, podman);

        List<HasMetadata> kind = objects("overlays/kind");
        StatefulSet sts = named(kind, StatefulSet.class, DB);
        Container component = dbContainer(sts);
        assertEquals(component.getArgs(), server.getArgs(), "the component's postgres arguments");
        String init = sts.getSpec()
                .getTemplate()
                .getSpec()
                .getInitContainers()
                .get(0)
                .getCommand()
                .get(2);
        List<String> command = server.getCommand();
        assertEquals(List.of("sh", "-c"), command.subList(0, 2));
        assertEquals(4, command.size(), "sh -c SCRIPT NAME, then the arguments");
        assertEquals(
                init + "exec /usr/local/bin/postgres-entrypoint \"$@\"\n",
                command.get(2),
                "the component's tls-cert script, then the image's entrypoint (bases.sh postgres15) with the arguments");
        assertEquals(Map.of("POD_NAME", "metadata.name"), fieldRefs(server), "kube play has no metadata.namespace");
        VolumeMount tls = mountOf(server, postgresSettings(server.getArgs()).get("ssl_key_file"));
        assertFalse(Boolean.TRUE.equals(tls.getReadOnly()), "the container writes its own certificate here");
        assertTrue(tls.getName().startsWith(DB + "-"), "a host-wide podman volume, named for its pod");

        ConfigMap hba = named(podman, ConfigMap.class, DB + "-hba");
        ConfigMap componentHba = all(kind, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith(DB + "-hba-"))
                .findFirst()
                .orElseThrow();
        assertEquals(componentHba.getData(), hba.getData(), "overlays/podman/pg_hba.conf = components/postgres's");

        Map<String, EnvVar> appEnv =
                env(container(app(podman))).stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals("require", appEnv.get("PGSSLMODE").getValue(), "task-api connects over TLS");
    }

    /** task-api under kube play: one replica (one hostPort), the database by its pod's name, the same credentials. */
    @Test
    void podmanRunsOneTaskApiPodOnTheDatabasePod() {
        List<HasMetadata> podman = objects("overlays/podman");
        Deployment d = app(podman);
        assertEquals(1, d.getSpec().getReplicas(), "one replica: two would publish the same hostPort and collide");
        assertTrue(all(podman, PodDisruptionBudget.class).isEmpty(), "no disruption budget for one pod");
        Map<String, EnvVar> appEnv = env(container(d)).stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        Map<String, EnvVar> dbEnv =
                env(named(podman, Deployment.class, DB)
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0))
                        .stream()
                        .collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals("postgres", appEnv.get("STORE").getValue());
        assertEquals(
                PODMAN_DB_POD, appEnv.get("PGHOST").getValue(), "kube play pods resolve each other by pod name only");
        // Without DNS on the podman network the name resolves through /etc/hosts: the script fills in the address.
        var aliases = d.getSpec().getTemplate().getSpec().getHostAliases();
        assertEquals(1, aliases.size());
        assertEquals(List.of(PODMAN_DB_POD), aliases.get(0).getHostnames());
        assertEquals("192.0.2.1", aliases.get(0).getIp(), "the placeholder src/scripts/podman-deploy.sh replaces");
        assertEquals("5432", appEnv.get("PGPORT").getValue());
        assertEquals(dbEnv.get("POSTGRES_USER").getValue(), appEnv.get("PGUSER").getValue());
        assertEquals(
                dbEnv.get("POSTGRES_DB").getValue(), appEnv.get("PGDATABASE").getValue());
        assertEquals(
                dbEnv.get("POSTGRES_PASSWORD").getValue(),
                appEnv.get("PGPASSWORD").getValue());
        for (EnvVar e : appEnv.values()) {
            assertNull(e.getValueFrom(), e.getName() + ": kube play cannot resolve valueFrom");
        }
        String password = dbEnv.get("POSTGRES_PASSWORD").getValue();
        assertNotNull(password);
        assertFalse(
                password.equals(secretData(named(objects("overlays/kind"), Secret.class, DB))
                        .get("password")),
                "the local throwaway password is not the clusters' Secret's");
        config(podman)
                .forEach((k, v) ->
                        assertFalse(v.contains(password), "the ConfigMap does not hold the password (" + k + ")"));
    }
}
