package dev.taskapi.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the kind overlay needs to run on the test cluster that {@code make test-e2e} starts on this machine
 * (src/scripts/e2e-cluster.sh): Kubernetes v1.20, built from Debian's source package, a node with no registry to
 * pull from, no cluster DNS and no storage provisioner. The product's manifests target current Kubernetes and are
 * not downgraded; the deployment test applies exactly these adaptations there and nothing else
 * ({@code LocalClusterAdaptationsIT} holds the list to the rendered difference).
 */
enum LocalClusterAdaptations {
    /** Kubernetes 1.20 serves PodDisruptionBudget as policy/v1beta1 only (policy/v1 arrived in 1.21). */
    PDB_POLICY_V1BETA1("PodDisruptionBudget policy/v1 → policy/v1beta1 (policy/v1 is served from 1.21)"),
    /**
     * The node reaches no public registry: the database and its init container tls-cert run the PostgreSQL image
     * built here from Debian's postgresql-15 (src/scripts/bases.sh postgres15, the one podman kube play runs; its
     * entrypoint initialises PGDATA from the same POSTGRES_* variables as the upstream image's, and it carries
     * openssl as the upstream image does), loaded into the node.
     */
    DATABASE_IMAGE("the database image postgres:17-bookworm → " + LocalClusterAdaptations.DATABASE_IMAGE_NAME
            + ", imagePullPolicy Never, for the server and its init container (no registry reachable; loaded into"
            + " the node)"),
    /**
     * No cluster DNS (CoreDNS is not packaged for Debian): the database Service gets a cluster IP instead of
     * being headless, and task-api's pods resolve the Service's name to it through a hostAliases entry.
     */
    DATABASE_ADDRESS("the database Service headless → a cluster IP, which task-api's pods resolve the name "
            + "task-api-postgres to through hostAliases (no cluster DNS)"),
    /** The node is this machine: the models volume is the repository's models/ directory itself. */
    MODELS_PATH("the models PersistentVolume's hostPath /task-api/models (kind's node mount) → the repository's "
            + "models/ (the node is this machine)"),
    /** No storage provisioner: the database's claim binds to a static volume in the run's directory. */
    DATABASE_VOLUME("a hostPath PersistentVolume added for the database's claim (no storage provisioner)");

    static final String DATABASE = "task-api-postgres";
    static final String DATABASE_IMAGE_NAME = "localhost/task-api-base/postgres15:bookworm";

    final String description;

    LocalClusterAdaptations(String description) {
        this.description = description;
    }

    /** Where the adapted objects point: the node's paths and the database Service's cluster IP. */
    record Site(Path models, Path databaseData, String databaseIp) {}

    /**
     * {@code objects} (the rendered kind overlay, or kind-memory: then the database's adaptations have nothing to
     * apply to) with every adaptation applied; the input is left unchanged.
     */
    static List<HasMetadata> apply(List<HasMetadata> objects, Site site) {
        boolean database = objects.stream()
                .anyMatch(o -> o instanceof StatefulSet
                        && DATABASE.equals(o.getMetadata().getName()));
        List<HasMetadata> out = new ArrayList<>();
        for (HasMetadata original : objects) {
            HasMetadata o = copy(original);
            if (o instanceof PodDisruptionBudget pdb) {
                out.add(new PodDisruptionBudgetBuilder()
                        .withMetadata(pdb.getMetadata())
                        .withNewSpec()
                        .withMinAvailable(pdb.getSpec().getMinAvailable())
                        .withMaxUnavailable(pdb.getSpec().getMaxUnavailable())
                        .withSelector(pdb.getSpec().getSelector())
                        .endSpec()
                        .build());
                continue;
            }
            if (o instanceof StatefulSet sts
                    && DATABASE.equals(sts.getMetadata().getName())) {
                var pod = sts.getSpec().getTemplate().getSpec();
                java.util.stream.Stream.concat(pod.getContainers().stream(), pod.getInitContainers().stream())
                        .forEach(c -> {
                            c.setImage(DATABASE_IMAGE_NAME);
                            c.setImagePullPolicy("Never");
                        });
            } else if (o instanceof Service svc
                    && DATABASE.equals(svc.getMetadata().getName())) {
                svc.getSpec().setClusterIP(site.databaseIp());
            } else if (database
                    && o instanceof Deployment d
                    && K8sManifests.APP.equals(d.getMetadata().getName())) {
                d.getSpec()
                        .getTemplate()
                        .getSpec()
                        .setHostAliases(List.of(new HostAlias(List.of(DATABASE), site.databaseIp())));
            } else if (o instanceof PersistentVolume pv && pv.getSpec().getHostPath() != null) {
                pv.getSpec().getHostPath().setPath(site.models().toString());
            }
            out.add(o);
        }
        if (database) {
            out.add(databaseVolume(site.databaseData()));
        }
        return out;
    }

    /** The database claim's volume (data-task-api-postgres-0, no storage class): a directory of the run's. */
    static PersistentVolume databaseVolume(Path dir) {
        return new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("task-api-postgres-data")
                .withLabels(Map.of(
                        "app.kubernetes.io/name", "postgres",
                        "app.kubernetes.io/instance", DATABASE,
                        "app.kubernetes.io/part-of", "task-api"))
                .endMetadata()
                .withNewSpec()
                .withStorageClassName("")
                .withCapacity(Map.of("storage", new Quantity("1Gi")))
                .withAccessModes("ReadWriteOnce")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath()
                .withPath(dir.toString())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .endSpec()
                .build();
    }

    private static HasMetadata copy(HasMetadata o) {
        return Serialization.unmarshal(Serialization.asJson(o));
    }
}
