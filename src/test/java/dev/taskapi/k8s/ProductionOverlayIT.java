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
 * k8s/overlays/production as {@code kubectl kustomize} renders it: images pinned by digest, the models installed
 * from the pinned models image into each pod before the service starts, 3 hardened replicas spread over nodes,
 * the database from the operator's Secret. Also the opt-in registry-auth patch and the example files.
 */
class ProductionOverlayIT {
  static final String OVERLAY = "overlays/production";
  static final Path DIR = K8S.resolve(OVERLAY);
  static final String MODELS_APP = "task-api-models";
  static final String INSTALLER = "install-models";
  static final String DB_SECRET = "task-api-database";
  static final Map<String, String> DB_SECRET_KEYS =
      Map.of("PGHOST", "host", "PGPORT", "port", "PGDATABASE", "dbname", "PGUSER", "user", "PGPASSWORD", "password");
  static final Map<String, String> SELECTOR = ManifestIT.SELECTOR;
  static final Pattern PINNED = Pattern.compile("[a-z0-9.:-]+(/[a-z0-9._-]+)+@sha256:[0-9a-f]{64}");

  static List<HasMetadata> production;
  static List<HasMetadata> base;

  @BeforeAll
  static void render() {
    Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"),
        Prerequisites.NO_KUBECTL);
    production = load(K8sManifests.render(OVERLAY));
    base = load(K8sManifests.render("base"));
  }

  // --- images

  /** name -> newName@digest of the overlay's images: entries, checked for the shape the push rewrites. */
  static Map<String, String> pinnedImages(Path kustomization) {
    List<Map<String, Object>> images = yamlMap(kustomization).get("images") instanceof List<?> l ? cast(l) : List.of();
    assertEquals(Set.of(APP, MODELS_APP), images.stream().map(i -> i.get("name")).collect(Collectors.toSet()),
        "images: pins the service and the models image");
    return images.stream().collect(Collectors.toMap(i -> (String) i.get("name"), i -> {
      assertEquals(Set.of("name", "newName", "digest"), i.keySet(), "images: entry " + i + " is name, newName, digest");
      assertTrue(((String) i.get("digest")).matches("sha256:[0-9a-f]{64}"), "digest of " + i);
      return i.get("newName") + "@" + i.get("digest");
    }));
  }

  @Test
  void everyImageIsPinnedByDigestAndPulledIfNotPresent() {
    Map<String, String> pinned = pinnedImages(DIR.resolve("kustomization.yaml"));
    String yaml = K8sManifests.render(OVERLAY);
    List<String> imageLines = yaml.lines().map(String::strip).filter(l -> l.startsWith("image:") || l.startsWith("- image:")).toList();
    assertFalse(imageLines.isEmpty());
    for (String line : imageLines) {
      String image = line.substring(line.indexOf("image:") + "image:".length()).strip();
      assertTrue(PINNED.matcher(image).matches(), "not pinned by digest: " + line);
      assertFalse(image.contains(":latest"), line);
    }
    for (Container c : containers(app(production))) {
      assertEquals(pinned.get(APP), c.getImage(), c.getName() + ": the pinned service image");
      assertEquals("IfNotPresent", c.getImagePullPolicy(), c.getName() + ": a digest never changes, pull once");
    }
    assertTrue(all(production, io.fabric8.kubernetes.api.model.Pod.class).isEmpty(),
        "the models image placeholder (local-config) is never rendered");
  }

  @Test
  void theInstallerRunsTheServiceImageWithThePinnedModelsImage() {
    Map<String, String> pinned = pinnedImages(DIR.resolve("kustomization.yaml"));
    Deployment d = app(production);
    Container installer = installer(d);
    assertEquals(service(d).getImage(), installer.getImage(), "installer and service: the same image, the same digest");
    assertEquals(List.of(INSTALLER), installer.getArgs());
    assertTrue(installer.getCommand() == null || installer.getCommand().isEmpty(), "the image's entrypoint, not a command");
    Map<String, String> env = literalEnv(installer);
    assertEquals(pinned.get(MODELS_APP), env.get("MODELS_IMAGE"), "MODELS_IMAGE is the pinned models image");
    assertEquals("/models", env.get("MODELS_INSTALL_DIR"));
    VolumeMount target = mountAt(installer, "/models");
    assertFalse(Boolean.TRUE.equals(target.getReadOnly()), "the installer writes the models volume");
    assertEquals(1, d.getSpec().getTemplate().getSpec().getInitContainers().size(), "one init container");
  }

  /** What the push's rewrite does: new digests in images:, and service, installer and MODELS_IMAGE all follow. */
  @Test
  void repinningTheImagesMovesServiceInstallerAndModelsImageTogether(@TempDir Path tmp) throws IOException {
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
    assertEquals(service(d).getImage(), installer(d).getImage());
    assertEquals("registry.example.com/task-api-models@" + modelsDigest, literalEnv(installer(d)).get("MODELS_IMAGE"));
  }

  // --- models

  /**
   * The service sees only what the installer published after verifying it: the pod's own volume, written by
   * the init container (which must exit 0 before the service starts), read-only for the service, through the
   * link to the verified version.
   */
  @Test
  void theServiceReadsTheInstalledModelsReadOnlyThroughCurrent() {
    Deployment d = app(production);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container service = service(d);
    Map<String, String> config = config(production);
    assertEquals("/app/models/current", config.get("MODELS_DIR"));
    assertEquals("true", config.get("MODELS_REQUIRED"), "no models, not ready");

    VolumeMount models = mountAt(service, "/app/models");
    assertEquals(Boolean.TRUE, models.getReadOnly(), "the service mounts the models read-only");
    assertEquals(mountAt(installer(d), "/models").getName(), models.getName(), "the volume the installer writes");
    Volume volume = volume(pod, models.getName());
    assertNotNull(volume.getEmptyDir(), "the pod's own models volume: replicas on any node");
    assertNotNull(volume.getEmptyDir().getSizeLimit(), "bounded");
    assertNull(volume.getPersistentVolumeClaim());
    assertTrue(all(production, PersistentVolumeClaim.class).isEmpty(), "no models claim");
    assertEquals(Set.of("/app/models", "/tmp"),
        service.getVolumeMounts().stream().map(VolumeMount::getMountPath).collect(Collectors.toSet()));
    assertNotNull(volume(pod, mountAt(service, "/tmp").getName()).getEmptyDir());
    assertNotNull(volume(pod, mountAt(installer(d), "/tmp").getName()).getEmptyDir());
    assertFalse(mountAt(installer(d), "/tmp").getName().equals(mountAt(service, "/tmp").getName()),
        "the installer's scratch space is not the service's /tmp");
  }

  // --- the pod

  @Test
  void podServiceAndInstallerAreHardenedAsTheBase() {
    Deployment baseApp = ManifestIT.app(base);
    PodSpec want = baseApp.getSpec().getTemplate().getSpec();
    PodSpec pod = app(production).getSpec().getTemplate().getSpec();
    assertEquals(want.getSecurityContext(), pod.getSecurityContext(), "pod securityContext as the base's");
    assertEquals(UID, pod.getSecurityContext().getRunAsUser());
    assertEquals(UID, pod.getSecurityContext().getFsGroup(), "the volumes are group 65532");
    assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "no service-account token");
    assertEquals(APP, pod.getServiceAccountName());
    assertEquals(Boolean.FALSE, one(production, io.fabric8.kubernetes.api.model.ServiceAccount.class).getAutomountServiceAccountToken());
    assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
        || Boolean.TRUE.equals(pod.getHostIPC()), "no host namespaces");
    var hardened = ManifestIT.container(baseApp).getSecurityContext();
    assertEquals(List.of("ALL"), hardened.getCapabilities().getDrop());
    assertEquals(Boolean.TRUE, hardened.getReadOnlyRootFilesystem());
    for (Container c : containers(app(production))) {
      assertEquals(hardened, c.getSecurityContext(), c.getName() + ": securityContext as the base's service container");
    }
    // Probes, port and environment source: the base's, unchanged.
    Container service = service(app(production));
    Container baseService = ManifestIT.container(baseApp);
    assertEquals(baseService.getStartupProbe(), service.getStartupProbe());
    assertEquals(baseService.getLivenessProbe(), service.getLivenessProbe());
    assertEquals(baseService.getReadinessProbe(), service.getReadinessProbe());
    assertEquals(baseService.getPorts(), service.getPorts());
    assertEquals(one(production, ConfigMap.class).getMetadata().getName(),
        service.getEnvFrom().get(0).getConfigMapRef().getName());
  }

  @Test
  void resourcesAreSetWithMemoryRequestEqualToTheMeasuredLimit() {
    for (Container c : containers(app(production))) {
      var res = c.getResources();
      Quantity memory = res.getLimits().get("memory");
      assertNotNull(memory, c.getName() + ": memory limit");
      assertEquals(memory, res.getRequests().get("memory"), c.getName() + ": memory request = limit (the JVM's heap is sized from it)");
      assertTrue(Quantity.getAmountInBytes(memory).longValue() <= 256L * 1024 * 1024, c.getName() + ": within the measured 256Mi budget (docs/images.md)");
      assertNotNull(res.getRequests().get("cpu"), c.getName() + ": cpu request");
      assertNotNull(res.getLimits().get("cpu"), c.getName() + ": cpu limit (the JVM sizes itself from it)");
    }
  }

  @Test
  void threeReplicasSpreadOverNodesAndADisruptionBudgetThatLetsDrainsProceed() {
    Deployment d = app(production);
    int replicas = d.getSpec().getReplicas();
    assertEquals(3, replicas);
    assertEquals(new IntOrString(0), d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable());
    assertEquals(new IntOrString(1), d.getSpec().getStrategy().getRollingUpdate().getMaxSurge());
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertTrue(pod.getAffinity() == null || pod.getAffinity().getPodAffinity() == null,
        "no podAffinity: it would pin every replica to one node");

    Map<String, TopologySpreadConstraint> spread = pod.getTopologySpreadConstraints().stream()
        .collect(Collectors.toMap(TopologySpreadConstraint::getTopologyKey, t -> t));
    assertEquals(Set.of("kubernetes.io/hostname", "topology.kubernetes.io/zone"), spread.keySet());
    assertEquals("DoNotSchedule", spread.get("kubernetes.io/hostname").getWhenUnsatisfiable(), "never two on a node while one is free");
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
    assertTrue(evictable >= 1 && evictable < replicas,
        "a drain can proceed (" + evictable + " evictable) and a pod keeps serving, of " + replicas);
  }

  // --- the database

  @Test
  void theDatabaseComesFromTheOperatorsSecretAndNeverFromAConfigMap() {
    assertTrue(all(production, Secret.class).isEmpty(), "no credentials in the repository: the operator creates the Secret");
    assertTrue(all(production, StatefulSet.class).isEmpty(), "no in-cluster database: a managed or operator-run one");
    assertTrue(production.stream().noneMatch(o -> o.getMetadata().getName().startsWith(ManifestIT.DB)),
        "nothing of components/postgres");
    assertEquals("postgres", config(production).get("STORE"));
    for (ConfigMap cm : all(production, ConfigMap.class)) {
      for (String key : cm.getData().keySet()) {
        assertFalse(key.startsWith("PG") || key.equals("DATABASE_URL"), "ConfigMap " + cm.getMetadata().getName() + " sets " + key);
      }
    }
    Map<String, EnvVar> env = env(service(app(production)));
    DB_SECRET_KEYS.forEach((name, key) -> {
      EnvVar e = env.get(name);
      assertNotNull(e, name);
      assertNull(e.getValue(), name + " is not a literal");
      assertEquals(DB_SECRET, e.getValueFrom().getSecretKeyRef().getName(), name + " from the Secret");
      assertEquals(key, e.getValueFrom().getSecretKeyRef().getKey(), name);
      assertFalse(Boolean.TRUE.equals(e.getValueFrom().getSecretKeyRef().getOptional()), name + ": the pod waits for the Secret");
    });
    assertFalse(env.containsKey("DATABASE_URL"));
    assertTrue(env(installer(app(production))).keySet().stream().noneMatch(k -> k.startsWith("PG")),
        "the installer gets no database credentials");
  }

  // --- opt-in and example files

  @Test
  void registryAuthGivesThePullSecretAndTheInstallerItsAuthFileOnly(@TempDir Path tmp) throws IOException {
    Path overlay = copyOverlay(tmp);
    rewrite(overlay.resolve("kustomization.yaml"), text -> {
      assertTrue(text.contains("  # - path: registry-auth.yaml\n"), "the commented patch line");
      return text.replace("  # - path: registry-auth.yaml\n", "  - path: registry-auth.yaml\n");
    });
    Deployment d = app(load(kustomize(overlay)));
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertEquals(List.of("task-api-registry"), pod.getImagePullSecrets().stream().map(r -> r.getName()).toList());
    String authFile = literalEnv(installer(d)).get("MODELS_REGISTRY_AUTH_FILE");
    assertNotNull(authFile);
    VolumeMount auth = installer(d).getVolumeMounts().stream().filter(m -> authFile.startsWith(m.getMountPath() + "/"))
        .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + authFile));
    assertEquals(Boolean.TRUE, auth.getReadOnly());
    assertEquals(".dockerconfigjson", Path.of(authFile).getFileName().toString(), "the key of a dockerconfigjson Secret");
    var secret = volume(pod, auth.getName()).getSecret();
    assertEquals("task-api-registry", secret.getSecretName(), "the pull secret, also the installer's auth file");
    assertEquals(0440, secret.getDefaultMode(), "readable by the pod's group, 65532, only");
    assertTrue(service(d).getVolumeMounts().stream().noneMatch(m -> m.getName().equals(auth.getName())),
        "the service does not see the registry credentials");
  }

  @Test
  void ingressAndHttpRouteExamplesAreValidAndRouteToTheService() throws IOException {
    Service svc = ManifestIT.named(production, Service.class, APP);
    var port = svc.getSpec().getPorts().get(0);
    assertTrue(all(production, Ingress.class).isEmpty(), "examples are not rendered");

    Ingress ingress = one(load(Files.readString(DIR.resolve("ingress.example.yaml"))), Ingress.class);
    var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
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

  @Test
  void imageVolumeExampleMountsThePinnedModelsImage() throws IOException {
    Deployment patch = one(load(Files.readString(DIR.resolve("image-volume.example.yaml"))), Deployment.class);
    Volume models = volume(patch.getSpec().getTemplate().getSpec(), "models");
    assertNotNull(models.getImage(), "an image volume");
    String reference = models.getImage().getReference();
    assertTrue(PINNED.matcher(reference).matches(), "by digest: " + reference);
    String pinnedModels = pinnedImages(DIR.resolve("kustomization.yaml")).get(MODELS_APP);
    assertEquals(pinnedModels.substring(0, pinnedModels.indexOf('@')), reference.substring(0, reference.indexOf('@')));
    assertEquals("IfNotPresent", models.getImage().getPullPolicy());
  }

  // --- helpers

  static Deployment app(List<HasMetadata> objects) {
    return ManifestIT.app(objects);
  }

  static List<Container> containers(Deployment d) {
    return Stream.concat(Stream.of(service(d)), Stream.of(installer(d))).toList();
  }

  static Container service(Deployment d) {
    return ManifestIT.container(d);
  }

  static Container installer(Deployment d) {
    List<Container> init = d.getSpec().getTemplate().getSpec().getInitContainers();
    assertNotNull(init, "an init container installs the models");
    return init.stream().filter(c -> c.getName().equals(INSTALLER)).findFirst()
        .orElseThrow(() -> new AssertionError("no init container " + INSTALLER));
  }

  static Map<String, EnvVar> env(Container c) {
    return ManifestIT.env(c).stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  static Map<String, String> literalEnv(Container c) {
    return ManifestIT.env(c).stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  static Map<String, String> config(List<HasMetadata> objects) {
    return one(objects, ConfigMap.class).getData();
  }

  static VolumeMount mountAt(Container c, String path) {
    return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing at " + path));
  }

  static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
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

  /** k8s/base and k8s/overlays/production under tmp, in the same layout; returns the overlay's copy. */
  static Path copyOverlay(Path tmp) throws IOException {
    for (String dir : List.of("base", OVERLAY)) {
      Path from = K8S.resolve(dir);
      Path to = tmp.resolve("k8s").resolve(dir);
      Files.createDirectories(to);
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
    return tmp.resolve("k8s").resolve(OVERLAY);
  }

  static void rewrite(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
    Files.writeString(file, edit.apply(Files.readString(file)));
  }

  static String kustomize(Path dir) {
    return K8sManifests.run(Map.of(), "kubectl", "kustomize", dir.toString());
  }
}
