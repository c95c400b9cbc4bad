package dev.taskapi.k8s;

import io.fabric8.kubernetes.client.Config;
import java.util.Optional;

/**
 * Whether a test may deploy through a kube config: only into the context it asked for. fabric8's
 * {@code Config.autoConfigure(context)} falls back to the kubeconfig's current context (or, with no
 * kubeconfig, to in-cluster settings) when the asked-for context does not exist, and KUBERNETES_MASTER
 * replaces the context's server after the context is chosen: either would send the test somewhere else.
 */
final class KubeContextGuard {
    /** What {@code make kind-test} passes as -Dkube.context, and the default without it. */
    static final String DEFAULT_CONTEXT = "kind-task-api";

    private KubeContextGuard() {}

    /** The context the test asks for: -Dkube.context, else {@link #DEFAULT_CONTEXT}. */
    static String requested() {
        String context = System.getProperty("kube.context", "");
        return context.isBlank() ? DEFAULT_CONTEXT : context;
    }

    /** Empty when {@code config} talks to the cluster of context {@code requested}; else why not. */
    static Optional<String> refusal(String requested, Config config, String masterOverride) {
        String resolved = config.getCurrentContext() == null
                ? null
                : config.getCurrentContext().getName();
        if (!requested.equals(resolved)) {
            return Optional.of("kube context '" + requested + "' not found in " + Config.getKubeconfigFilenames()
                    + " (the client would use " + (resolved == null ? "no context" : "context '" + resolved + "'")
                    + " at "
                    + config.getMasterUrl() + "): create it with make kind-up, or pass -Dkube.context=<context>");
        }
        if (masterOverride != null && !masterOverride.isBlank()) {
            return Optional.of("KUBERNETES_MASTER (or -Dkubernetes.master) = " + masterOverride
                    + " replaces the server of kube context '" + requested + "': unset it");
        }
        return Optional.empty();
    }

    /** {@link #refusal} with the master override as fabric8 reads it (system property, then environment). */
    static Optional<String> refusal(String requested, Config config) {
        String override =
                System.getProperty(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, System.getenv("KUBERNETES_MASTER"));
        return refusal(requested, config, override);
    }
}
