package dev.taskapi.k8s;

import static dev.taskapi.k8s.K8sManifests.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Prerequisites;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The test cluster of {@code make test-e2e} runs the kind overlay with {@link LocalClusterAdaptations} and nothing
 * else: every field that differs between the rendered overlay and what the deployment test applies there is one
 * of these, each adaptation is documented in docs/kubernetes.md, and the product's manifests stay as they are.
 */
class LocalClusterAdaptationsIT {
    static final LocalClusterAdaptations.Site SITE =
            new LocalClusterAdaptations.Site(Path.of("/repo/models"), Path.of("/run/postgres-data"), "10.96.0.53");

    @Test
    void theAdaptedOverlayDiffersFromTheKindOverlayOnlyByTheStatedAdaptations() {
        Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        List<HasMetadata> kind = load(K8sManifests.render("overlays/kind"));
        List<HasMetadata> adapted = LocalClusterAdaptations.apply(kind, SITE);

        Set<String> differences = new TreeSet<>();
        for (HasMetadata o : adapted) {
            String id = o.getKind() + "/" + o.getMetadata().getName();
            HasMetadata before = kind.stream()
                    .filter(k -> k.getKind().equals(o.getKind())
                            && k.getMetadata().getName().equals(o.getMetadata().getName()))
                    .findFirst()
                    .orElse(null);
            if (before == null) {
                differences.add("added " + id);
                continue;
            }
            K8sManifests.contains(K8sManifests.normalized(before), K8sManifests.normalized(o), id, differences);
            K8sManifests.contains(K8sManifests.normalized(o), K8sManifests.normalized(before), id, differences);
        }
        assertEquals(kind.size() + 1, adapted.size(), "one object added, none removed");
        assertEquals(
                Set.of(
                        // PDB_POLICY_V1BETA1
                        "PodDisruptionBudget/task-api.apiVersion",
                        // DATABASE_IMAGE
                        "StatefulSet/task-api-postgres.spec.template.spec.containers[postgres].image",
                        "StatefulSet/task-api-postgres.spec.template.spec.containers[postgres].imagePullPolicy",
                        "StatefulSet/task-api-postgres.spec.template.spec.initContainers[tls-cert].image",
                        "StatefulSet/task-api-postgres.spec.template.spec.initContainers[tls-cert].imagePullPolicy",
                        // DATABASE_ADDRESS
                        "Service/task-api-postgres.spec.clusterIP",
                        "Deployment/task-api.spec.template.spec.hostAliases",
                        // MODELS_PATH
                        "PersistentVolume/task-api-models.spec.hostPath.path",
                        // DATABASE_VOLUME
                        "added PersistentVolume/task-api-postgres-data"),
                differences);
    }

    /** The in-memory overlay has no database: only its volume's path and nothing of the database's adaptations. */
    @Test
    void theInMemoryOverlayGetsOnlyTheModelsPath() {
        Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        List<HasMetadata> memory = load(K8sManifests.render("overlays/kind-memory"));
        List<HasMetadata> adapted = LocalClusterAdaptations.apply(memory, SITE);
        assertEquals(memory.size(), adapted.size(), "nothing added");
        Set<String> differences = new TreeSet<>();
        for (int i = 0; i < memory.size(); i++) {
            String id =
                    memory.get(i).getKind() + "/" + memory.get(i).getMetadata().getName();
            K8sManifests.contains(
                    K8sManifests.normalized(memory.get(i)), K8sManifests.normalized(adapted.get(i)), id, differences);
            K8sManifests.contains(
                    K8sManifests.normalized(adapted.get(i)), K8sManifests.normalized(memory.get(i)), id, differences);
        }
        assertEquals(Set.of("PersistentVolume/task-api-models.spec.hostPath.path"), differences);
    }

    @Test
    void theAdaptationsAreWhatTheyClaim() {
        Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        List<HasMetadata> adapted = LocalClusterAdaptations.apply(load(K8sManifests.render("overlays/kind")), SITE);
        String yaml = adapted.stream()
                .map(io.fabric8.kubernetes.client.utils.Serialization::asYaml)
                .collect(Collectors.joining());
        assertTrue(
                yaml.contains("apiVersion: \"policy/v1beta1\"") || yaml.contains("apiVersion: policy/v1beta1"), yaml);
        assertTrue(yaml.contains(LocalClusterAdaptations.DATABASE_IMAGE_NAME));
        assertTrue(yaml.contains("10.96.0.53"));
        assertTrue(yaml.contains("/repo/models") && yaml.contains("/run/postgres-data"));
    }

    @Test
    void everyAdaptationIsDocumented() throws Exception {
        String docs = Files.readString(K8sManifests.ROOT.resolve("docs/kubernetes.md"));
        for (String name :
                Arrays.stream(LocalClusterAdaptations.values()).map(Enum::name).toList()) {
            assertTrue(docs.contains("`" + name + "`"), "docs/kubernetes.md lists " + name);
        }
    }
}
