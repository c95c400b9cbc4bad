package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard against fabric8's real kubeconfig loading, from generated kubeconfig files (no cluster). */
class KubeContextGuardTest {
    @TempDir
    Path dir;

    final String previous = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);

    @AfterEach
    void restoreKubeconfig() {
        if (previous == null) {
            System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
        } else {
            System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previous);
        }
    }

    /** Loads {@code kubeconfig} the way DeploymentIT does, asking for kind-task-api. */
    Config load(String kubeconfig) throws IOException {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, kubeconfig);
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, file.toString());
        return Config.autoConfigure("kind-task-api");
    }

    static String kubeconfig(String currentContext, String... contexts) {
        StringBuilder b = new StringBuilder("apiVersion: v1\nkind: Config\n");
        if (currentContext != null) {
            b.append("current-context: ").append(currentContext).append('\n');
        }
        b.append("clusters:\n");
        for (int i = 0; i < contexts.length; i++) {
            b.append("- name: ")
                    .append(contexts[i])
                    .append("\n  cluster:\n    server: https://10.0.0.")
                    .append(i + 1)
                    .append(":6443\n");
        }
        b.append("users:\n- name: someone\n  user:\n    token: t\ncontexts:\n");
        for (String c : contexts) {
            b.append("- name: ")
                    .append(c)
                    .append("\n  context:\n    cluster: ")
                    .append(c)
                    .append("\n    user: someone\n");
        }
        return b.toString();
    }

    @Test
    void aKubeconfigWithOnlyProdIsRefusedThoughFabric8FallsBackToIt() throws IOException {
        Config config = load(kubeconfig("prod", "prod"));
        assertEquals("prod", config.getCurrentContext().getName(), "fabric8 falls back to the current context");
        assertEquals("https://10.0.0.1:6443/", config.getMasterUrl());
        Optional<String> refusal = KubeContextGuard.refusal("kind-task-api", config, null);
        assertTrue(refusal.orElseThrow().contains("'kind-task-api' not found"), refusal.get());
        assertTrue(refusal.get().contains("context 'prod'"), refusal.get());
    }

    @Test
    void theRequestedContextIsUsedEvenWhenAnotherIsCurrent() throws IOException {
        Config config = load(kubeconfig("prod", "prod", "kind-task-api"));
        assertEquals(Optional.empty(), KubeContextGuard.refusal("kind-task-api", config, null));
        assertEquals("https://10.0.0.2:6443/", config.getMasterUrl());
    }

    @Test
    void anAbsentContextWithNoCurrentContextIsRefused() throws IOException {
        Config config = load(kubeconfig(null, "prod", "staging"));
        assertTrue(KubeContextGuard.refusal("kind-task-api", config, null)
                .orElseThrow()
                .contains("no context"));
    }

    @Test
    void anEmptyKubeconfigIsRefused() throws IOException {
        Config config = load("");
        assertTrue(KubeContextGuard.refusal("kind-task-api", config, null).isPresent());
    }

    @Test
    void aMasterUrlOverrideIsRefused() throws IOException {
        Config config = load(kubeconfig("kind-task-api", "kind-task-api"));
        assertTrue(KubeContextGuard.refusal("kind-task-api", config, "https://prod.example:6443")
                .orElseThrow()
                .contains("KUBERNETES_MASTER"));
    }
}
