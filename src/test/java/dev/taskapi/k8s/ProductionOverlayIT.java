package dev.taskapi.k8s;

import static dev.taskapi.k8s.K8sManifests.APP;
import static dev.taskapi.k8s.K8sManifests.K8S;
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
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/overlays/production as {@code kubectl kustomize} renders it: images pinned by digest, the models from the
 * pinned models image, pulled by the kubelet (an image volume; or, with components/models-copy, an init container
 * that copies them) and verified before the service starts, 3 hardened replicas spread over nodes, the database
 * from the operator's Secret. Also the opt-in registry-auth patch and the example files.
 */
class ProductionOverlayIT {
    static final String OVERLAY = "overlays/production";
    static final Path DIR = K8S.resolve(OVERLAY);
    static final String MODELS_APP = "task-api-models";
    static final String VERIFIER = "verify-models";
    static final String COPIER = "copy-models";
    static final String DB_SECRET = "task-api-database";
    /** The CA bundle the operator provides (a ConfigMap, never rendered here), its key, and where it is mounted. */
    static final String DB_CA = "task-api-database-ca";

    static final String DB_CA_KEY = "ca.crt";
    static final Map<String, String> DB_SECRET_KEYS = Map.of(
            "PGHOST", "host", "PGPORT", "port", "PGDATABASE", "dbname", "PGUSER", "user", "PGPASSWORD", "password");
    static final Map<String, String> SELECTOR = ManifestIT.SELECTOR;
    static final Pattern PINNED = Pattern.compile("[a-z0-9.:-]+(/[a-z0-9._-]+)+@sha256:[0-9a-f]{64}");

    static List<HasMetadata> production;
    static List<HasMetadata> base;

    @BeforeAll
    static void render() {
        Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        production = load(K8sManifests.render(OVERLAY));
        base = load(K8sManifests.render("base"));
    }

    // --- images

    /** name -> newName@digest of the overlay's images: entries, checked for the shape the push rewrites. */
    static Map<String, String> pinnedImages(Path kustomization) {
        List<Map<String, Object>> images =
                yamlMap(kustomization).get("images") instanceof List<?> l ? cast(l) : List.of();
        assertEquals(
                Set.of(APP, MODELS_APP),
                images.stream().map(i -> i.get("name")).collect(Collectors.toSet()),
                "images: pins the service and the models image");
        return images.stream().collect(Collectors.toMap(i -> (String) i.get("name"), i -> {
            assertEquals(
                    Set.of("name", "newName", "digest"),
                    i.keySet(),
                    "images: entry " + i + " is name, newName, digest");
            assertTrue(((String) i.get("digest")).matches("sha256:[0-9a-f]{64}"), "digest of " + i);
            return i.get("newName") + "@" + i.get("digest");
        }));
    }

    @Test
    void everyImageIsPinnedByDigestAndPulledIfNotPresent() {
        Map<String, String> pinned = pinnedImages(DIR.resolve("kustomization.yaml"));
        String yaml = K8sManifests.render(OVERLAY);
        List<String> imageLines = yaml.lines()
                .map(String::strip)
                .filter(l -> l.matches("(- )?(image|reference): \\S+"))
                .toList();
        assertEquals(3, imageLines.size(), "the service, verify-models and the image volume: " + imageLines);
        for (String line : imageLines) {
            String image = line.substring(line.indexOf(':') + 1).strip();
            assertTrue(PINNED.matcher(image).matches(), "not pinned by digest: " + line);
        }
        for (Container c : containers(app(production))) {
            assertEquals(pinned.get(APP), c.getImage(), c.getName() + ": the pinned service image");
            assertEquals("IfNotPresent", c.getImagePullPolicy(), c.getName() + ": a digest never changes, pull once");
        }
        var models = volume(app(production).getSpec().getTemplate().getSpec(), "models")
                .getImage();
        assertEquals(pinned.get(MODELS_APP), models.getReference(), "the image volume: the pinned models image");
        assertEquals("IfNotPresent", models.getPullPolicy());
    }

    /**
     * The default: the kubelet mounts the models image as an image volume; verify-models (the service image) checks
     * it in place before the service starts; the service reads the image's /models read-only.
     */
    @Test
    void theModelsImageIsAnImageVolumeVerifiedBeforeTheServiceStarts() {
        Deployment d = app(production);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals(
                List.of(VERIFIER),
                pod.getInitContainers().stream().map(Container::getName).toList());
        Container verify = init(d, VERIFIER);
        assertEquals(service(d).getImage(), verify.getImage(), "verifier and service: the same image, the same digest");
        assertEquals(List.of("verify-models", "/app/models/models"), verify.getArgs());
        assertTrue(
                verify.getCommand() == null || verify.getCommand().isEmpty(), "the image's entrypoint, not a command");
        Map<String, String> config = config(production);
        assertEquals("/app/models/models", config.get("MODELS_DIR"), "the image keeps its files under /models");
        assertEquals("true", config.get("MODELS_REQUIRED"), "no models, not ready");
        for (Container c : List.of(verify, service(d))) {
            VolumeMount models = mountAt(c, "/app/models");
            assertEquals(Boolean.TRUE, models.getReadOnly(), c.getName() + " mounts the models read-only");
            assertNotNull(volume(pod, models.getName()).getImage(), "an image volume");
        }
        assertTrue(all(production, PersistentVolumeClaim.class).isEmpty(), "no models claim: replicas on any node");
        assertNotNull(volume(pod, mountAt(service(d), "/tmp").getName()).getEmptyDir());
    }

    /**
     * Without image volumes (components/models-copy): the kubelet runs the models image as an init container that
     * copies its files into the pod's own volume, verify-models checks and publishes them, and the service reads them
     * read-only through current.
     */
    @Test
    void withoutImageVolumesTheModelsImageCopiesItselfThenIsVerified(@TempDir Path tmp) throws IOException {
        Map<String, String> pinned = pinnedImages(DIR.resolve("kustomization.yaml"));
        List<HasMetadata> copied = load(kustomize(copyVariant(tmp)));
        Deployment d = app(copied);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals(
                List.of(COPIER, VERIFIER),
                pod.getInitContainers().stream().map(Container::getName).toList(),
                "copy, then verify, then the service");
        Container copy = init(d, COPIER);
        assertEquals(pinned.get(MODELS_APP), copy.getImage(), "the pinned models image copies itself");
        assertEquals(List.of("/bin/busybox", "cp", "-R", "/models/.", "/volume/.incoming"), copy.getCommand());
        Container verify = init(d, VERIFIER);
        assertEquals(service(d).getImage(), verify.getImage());
        assertEquals(List.of("verify-models", "--publish", "/volume"), verify.getArgs());
        assertEquals(
                mountAt(copy, "/volume").getName(), mountAt(verify, "/volume").getName(), "one volume");
        assertFalse(Boolean.TRUE.equals(mountAt(copy, "/volume").getReadOnly()), "the copy writes the volume");
        VolumeMount models = mountAt(service(d), "/app/models");
        assertEquals(Boolean.TRUE, models.getReadOnly(), "the service mounts the models read-only");
        assertEquals(mountAt(copy, "/volume").getName(), models.getName());
        Volume volume = volume(pod, models.getName());
        assertNotNull(volume.getEmptyDir(), "the pod's own models volume: replicas on any node");
        assertNotNull(volume.getEmptyDir().getSizeLimit(), "bounded");
        assertEquals("/app/models/current", config(copied).get("MODELS_DIR"));
        assertEquals("true", config(copied).get("MODELS_REQUIRED"));
        for (Container c : containers(d)) {
            assertEquals(
                    ManifestIT.container(ManifestIT.app(base)).getSecurityContext(),
                    c.getSecurityContext(),
                    c.getName() + ": hardened as the base's service container");
        }
        assertVerifiedTls(d, copied);
    }

    /** What the push's rewrite does: new digests in images:, and service, verifier and models image all follow. */
    @Test
    void repinningTheImagesMovesServiceVerifierAndModelsImageTogether(@TempDir Path tmp) throws IOException {
        Path overlay = copyOverlay(tmp);
        String appDigest = "sha256:" + "a1".repeat(32);
        String modelsDigest = "sha256:" + "b2".repeat(32);
        rewrite(overlay.resolve("kustomization.yaml"), text -> {
            List<String> out = new ArrayList<>();
            String name = "";
            for (String line : text.split("\n", -1)) {
                if (line.strip().startsWith("- name: ")) {
                    name = line.strip().substring("- name: ".length());
                }
                if (line.strip().startsWith("digest: sha256:")) {
                    line = line.replaceAll("sha256:[0-9a-f]{64}", name.equals(APP) ? appDigest : modelsDigest);
                }
                out.add(line);
            }
            return String.join("\n", out);
        });
        Deployment d = app(load(kustomize(overlay)));
        assertEquals("registry.example.com/task-api@" + appDigest, service(d).getImage());
        assertEquals(service(d).getImage(), init(d, VERIFIER).getImage());
        assertEquals(
                "registry.example.com/task-api-models@" + modelsDigest,
                volume(d.getSpec().getTemplate().getSpec(), "models").getImage().getReference());
    }

    // --- the pod

    @Test
    void podServiceAndVerifierAreHardenedAsTheBase() {
        Deployment baseApp = ManifestIT.app(base);
        PodSpec want = baseApp.getSpec().getTemplate().getSpec();
        PodSpec pod = app(production).getSpec().getTemplate().getSpec();
        assertEquals(want.getSecurityContext(), pod.getSecurityContext(), "pod securityContext as the base's");
        assertEquals(UID, pod.getSecurityContext().getRunAsUser());
        assertEquals(UID, pod.getSecurityContext().getFsGroup(), "the volumes are group 65532");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "no service-account token");
        assertEquals(APP, pod.getServiceAccountName());
        assertEquals(
                Boolean.FALSE,
                one(production, io.fabric8.kubernetes.api.model.ServiceAccount.class)
                        .getAutomountServiceAccountToken());
        assertFalse(
                Boolean.TRUE.equals(pod.getHostNetwork())
                        || Boolean.TRUE.equals(pod.getHostPID())
                        || Boolean.TRUE.equals(pod.getHostIPC()),
                "no host namespaces");
        var hardened = ManifestIT.container(baseApp).getSecurityContext();
        assertEquals(List.of("ALL"), hardened.getCapabilities().getDrop());
        assertEquals(Boolean.TRUE, hardened.getReadOnlyRootFilesystem());
        for (Container c : containers(app(production))) {
            assertEquals(
                    hardened,
                    c.getSecurityContext(),
                    c.getName() + ": securityContext as the base's service container");
        }
        // Probes, port and environment source: the base's, unchanged.
        Container service = service(app(production));
        Container baseService = ManifestIT.container(baseApp);
        assertEquals(baseService.getStartupProbe(), service.getStartupProbe());
        assertEquals(baseService.getLivenessProbe(), service.getLivenessProbe());
        assertEquals(baseService.getReadinessProbe(), service.getReadinessProbe());
        assertEquals(baseService.getPorts(), service.getPorts());
        assertEquals(
                one(production, ConfigMap.class).getMetadata().getName(),
                service.getEnvFrom().get(0).getConfigMapRef().getName());
    }

    @Test
    void resourcesAreSetWithMemoryRequestEqualToTheMeasuredLimit() {
        for (Container c : containers(app(production))) {
            var res = c.getResources();
            Quantity memory = res.getLimits().get("memory");
            assertNotNull(memory, c.getName() + ": memory limit");
            assertEquals(
                    memory,
                    res.getRequests().get("memory"),
                    c.getName() + ": memory request = limit (the JVM's heap is sized from it)");
            assertTrue(
                    Quantity.getAmountInBytes(memory).longValue() <= 256L * 1024 * 1024,
                    c.getName() + ": within the measured 256Mi budget (docs/images.md)");
            assertNotNull(res.getRequests().get("cpu"), c.getName() + ": cpu request");
            assertNotNull(res.getLimits().get("cpu"), c.getName() + ": cpu limit (the JVM sizes itself from it)");
        }
    }

    @Test
    void threeReplicasSpreadOverNodesAndADisruptionBudgetThatLetsDrainsProceed() {
        Deployment d = app(production);
        int replicas = d.getSpec().getReplicas();
        assertEquals(3, replicas);
        assertEquals(
                new IntOrString(0), d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable());
        assertEquals(
                new IntOrString(1), d.getSpec().getStrategy().getRollingUpdate().getMaxSurge());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertTrue(
                pod.getAffinity() == null || pod.getAffinity().getPodAffinity() == null,
                "no podAffinity: it would pin every replica to one node");

        Map<String, TopologySpreadConstraint> spread = pod.getTopologySpreadConstraints().stream()
                .collect(Collectors.toMap(TopologySpreadConstraint::getTopologyKey, t -> t));
        assertEquals(Set.of("kubernetes.io/hostname", "topology.kubernetes.io/zone"), spread.keySet());
        assertEquals(
                "DoNotSchedule",
                spread.get("kubernetes.io/hostname").getWhenUnsatisfiable(),
                "never two on a node while one is free");
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        for (TopologySpreadConstraint t : spread.values()) {
            assertEquals(1, t.getMaxSkew());
            assertEquals(SELECTOR, t.getLabelSelector().getMatchLabels());
            SELECTOR.forEach((k, v) -> assertEquals(v, podLabels.get(k), "the spread counts these pods"));
        }

        PodDisruptionBudget pdb = one(production, PodDisruptionBudget.class);
        assertEquals(SELECTOR, pdb.getSpec().getSelector().getMatchLabels());
        IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
        IntOrString minAvailable = pdb.getSpec().getMinAvailable();
        int evictable = maxUnavailable != null ? maxUnavailable.getIntVal() : replicas - minAvailable.getIntVal();
        assertTrue(
                evictable >= 1 && evictable < replicas,
                "a drain can proceed (" + evictable + " evictable) and a pod keeps serving, of " + replicas);
    }

    // --- the database

    @Test
    void theDatabaseComesFromTheOperatorsSecretAndNeverFromAConfigMap() {
        assertTrue(
                all(production, Secret.class).isEmpty(),
                "no credentials in the repository: the operator creates the Secret");
        assertTrue(
                all(production, StatefulSet.class).isEmpty(), "no in-cluster database: a managed or operator-run one");
        assertTrue(
                production.stream().noneMatch(o -> o.getMetadata().getName().startsWith(ManifestIT.DB)),
                "nothing of components/postgres");
        assertEquals("postgres", config(production).get("STORE"));
        for (ConfigMap cm : all(production, ConfigMap.class)) {
            for (String key : cm.getData().keySet()) {
                assertFalse(
                        key.startsWith("PG") || key.equals("DATABASE_URL"),
                        "ConfigMap " + cm.getMetadata().getName() + " sets " + key);
            }
        }
        Map<String, EnvVar> env = env(service(app(production)));
        DB_SECRET_KEYS.forEach((name, key) -> {
            EnvVar e = env.get(name);
            assertNotNull(e, name);
            assertNull(e.getValue(), name + " is not a literal");
            assertEquals(DB_SECRET, e.getValueFrom().getSecretKeyRef().getName(), name + " from the Secret");
            assertEquals(key, e.getValueFrom().getSecretKeyRef().getKey(), name);
            assertFalse(
                    Boolean.TRUE.equals(e.getValueFrom().getSecretKeyRef().getOptional()),
                    name + ": the pod waits for the Secret");
        });
        assertFalse(env.containsKey("DATABASE_URL"));
        assertTrue(
                env(init(app(production), VERIFIER)).keySet().stream().noneMatch(k -> k.startsWith("PG")),
                "the verifier gets no database credentials");
    }

    /**
     * The database connection is TLS, verified (verify-full: the chain against the operator's CA bundle, the host
     * against the certificate's names), with PGSSLROOTCERT the file of the bundle's read-only, whole-directory
     * mount under /etc. Losing any of these fails here.
     */
    @Test
    void theDatabaseConnectionIsVerifiedTlsAgainstTheOperatorsCaBundle() {
        assertVerifiedTls(app(production), production);
    }

    static void assertVerifiedTls(Deployment d, List<HasMetadata> objects) {
        Container service = service(d);
        Map<String, EnvVar> env = env(service);
        assertEquals("verify-full", literal(env, "PGSSLMODE"), "chain and host name checked");
        String rootCert = literal(env, "PGSSLROOTCERT");
        assertTrue(rootCert.startsWith("/etc/"), "PGSSLROOTCERT " + rootCert + " under /etc");
        List<VolumeMount> holding = service.getVolumeMounts().stream()
                .filter(m -> rootCert.startsWith(m.getMountPath() + "/"))
                .toList();
        assertEquals(1, holding.size(), "one mount holds PGSSLROOTCERT " + rootCert + ": " + holding);
        VolumeMount mount = holding.get(0);
        assertEquals(Boolean.TRUE, mount.getReadOnly(), "the CA bundle is mounted read-only");
        assertNull(mount.getSubPath(), "no subPath: a replaced ConfigMap reaches the file");
        assertNull(mount.getSubPathExpr());
        var configMap =
                volume(d.getSpec().getTemplate().getSpec(), mount.getName()).getConfigMap();
        assertNotNull(configMap, "the CA bundle comes from a ConfigMap");
        assertEquals(DB_CA, configMap.getName(), "the ConfigMap the operator creates");
        assertFalse(Boolean.TRUE.equals(configMap.getOptional()), "the pod waits for the bundle");
        String file = rootCert.substring(mount.getMountPath().length() + 1);
        assertEquals(
                List.of(DB_CA_KEY + "->" + file),
                configMap.getItems().stream()
                        .map(i -> i.getKey() + "->" + i.getPath())
                        .toList(),
                "the key " + DB_CA_KEY + " is the file PGSSLROOTCERT names");
        assertTrue(
                all(objects, ConfigMap.class).stream()
                        .noneMatch(c -> c.getMetadata().getName().equals(DB_CA)),
                "the operator's ConfigMap is not rendered");
        assertFalse(env.containsKey("PGSSLCERT") || env.containsKey("PGSSLKEY"), "no client certificate");
        for (Container init : d.getSpec().getTemplate().getSpec().getInitContainers()) {
            assertTrue(
                    init.getVolumeMounts().stream().noneMatch(m -> m.getName().equals(mount.getName())),
                    init.getName() + " does not see the CA bundle");
        }
    }

    static String literal(Map<String, EnvVar> env, String name) {
        EnvVar e = env.get(name);
        assertNotNull(e, name + " is set");
        assertNull(e.getValueFrom(), name + " is a literal in deployment.yaml");
        return e.getValue();
    }

    // --- opt-in and example files

    @Test
    void registryAuthGivesThePullSecretToTheKubeletOnly(@TempDir Path tmp) throws IOException {
        Path overlay = copyOverlay(tmp);
        rewrite(overlay.resolve("kustomization.yaml"), text -> {
            assertTrue(text.contains("  # - path: registry-auth.yaml\n"), "the commented patch line");
            return text.replace("  # - path: registry-auth.yaml\n", "  - path: registry-auth.yaml\n");
        });
        Deployment d = app(load(kustomize(overlay)));
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals(
                List.of("task-api-registry"),
                pod.getImagePullSecrets().stream().map(r -> r.getName()).toList());
        assertTrue(
                pod.getVolumes().stream().noneMatch(v -> v.getSecret() != null),
                "no container sees the registry credentials");
    }

    @Test
    void ingressAndHttpRouteExamplesAreValidAndRouteToTheService() throws IOException {
        Service svc = ManifestIT.named(production, Service.class, APP);
        var port = svc.getSpec().getPorts().get(0);
        assertTrue(all(production, Ingress.class).isEmpty(), "examples are not rendered");

        Ingress ingress = one(load(Files.readString(DIR.resolve("ingress.example.yaml"))), Ingress.class);
        var backend = ingress.getSpec()
                .getRules()
                .get(0)
                .getHttp()
                .getPaths()
                .get(0)
                .getBackend()
                .getService();
        assertEquals(APP, backend.getName());
        assertEquals(port.getName(), backend.getPort().getName(), "the Service's port");
        assertFalse(ingress.getSpec().getTls().isEmpty(), "TLS");

        HTTPRoute route = one(load(Files.readString(DIR.resolve("httproute.example.yaml"))), HTTPRoute.class);
        assertEquals("gateway.networking.k8s.io/v1", route.getApiVersion());
        var ref = route.getSpec().getRules().get(0).getBackendRefs().get(0);
        assertEquals(APP, ref.getName());
        assertEquals(port.getPort(), ref.getPort(), "the Service's port");
        assertFalse(route.getSpec().getParentRefs().isEmpty(), "attached to a Gateway");
    }

    // --- helpers

    static Deployment app(List<HasMetadata> objects) {
        return ManifestIT.app(objects);
    }

    /** The service's container and every init container. */
    static List<Container> containers(Deployment d) {
        return Stream.concat(Stream.of(service(d)), d.getSpec().getTemplate().getSpec().getInitContainers().stream())
                .toList();
    }

    static Container service(Deployment d) {
        return ManifestIT.container(d);
    }

    static Container init(Deployment d, String name) {
        List<Container> init = d.getSpec().getTemplate().getSpec().getInitContainers();
        assertNotNull(init, "init containers verify the models");
        return init.stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no init container " + name));
    }

    static Map<String, EnvVar> env(Container c) {
        return ManifestIT.env(c).stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    static Map<String, String> literalEnv(Container c) {
        return ManifestIT.env(c).stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    static Map<String, String> config(List<HasMetadata> objects) {
        return one(objects, ConfigMap.class).getData();
    }

    static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing at " + path));
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yamlMap(Path file) {
        try {
            return Serialization.unmarshal(Files.readString(file), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cast(List<?> list) {
        return (List<Map<String, Object>>) list;
    }

    /** k8s/ under tmp, in the same layout; returns the production overlay's copy. */
    static Path copyOverlay(Path tmp) throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.toList()) {
                Path to = tmp.resolve("k8s").resolve(K8S.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return tmp.resolve("k8s").resolve(OVERLAY);
    }

    /** The production overlay as its comment says to use it without image volumes: components/models-copy instead. */
    static Path copyVariant(Path tmp) throws IOException {
        Path overlay = copyOverlay(tmp);
        rewrite(overlay.resolve("kustomization.yaml"), text -> {
            assertTrue(text.contains("  - ../../components/models-image\n"), "the models component line");
            return text.replace("  - ../../components/models-image\n", "  - ../../components/models-copy\n");
        });
        return overlay;
    }

    static void rewrite(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
        Files.writeString(file, edit.apply(Files.readString(file)));
    }

    static String kustomize(Path dir) {
        return K8sManifests.run(Map.of(), "kubectl", "kustomize", dir.toString());
    }
}
