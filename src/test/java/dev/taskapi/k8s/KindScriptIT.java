package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Command.Result;
import dev.taskapi.testing.Prerequisites;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the kind targets (mk/k8s.mk, src/scripts/kind.sh) do before and around a cluster, checked without one:
 * the overlay kind-deploy applies (rendered by kubectl), `make kind-test` failing fast when no cluster
 * answers, the node-mount check against containers of the real engine, and the deploy's order of kubectl
 * calls, recorded by a stand-in kubectl (the only way to see it without a cluster).
 */
class KindScriptIT {
    static final String ANNOTATION = "task-api.dev/image-archive-sha256";

    @TempDir
    Path dir;

    static void requireKubectl() {
        Prerequisites.require(K8sManifests.commandWorks("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
    }

    static Result kindSh(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", KindScriptTest.SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return Command.exec(null, env, Duration.ofMinutes(2), cmd);
    }

    Path script(String name, String body) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path file = Files.writeString(bin.resolve(name), "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    Path archive(String content) throws IOException {
        return Files.writeString(dir.resolve("task-api-slim-" + content + ".tar"), content);
    }

    String generated(String overlay, Path tar) {
        String out = kindSh(
                        Map.of(),
                        "overlay",
                        overlay,
                        tar.toString(),
                        dir.resolve("kind-deploy").toString())
                .check("kind.sh overlay")
                .out()
                .strip();
        return K8sManifests.output("kubectl", "kustomize", out);
    }

    static String annotation(List<HasMetadata> objects) {
        return K8sManifests.one(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ANNOTATION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kind", "kind-memory"})
    void theAppliedOverlayIsTheChosenOneWithTheArchiveDigestOnThePodTemplate(String overlay) throws Exception {
        requireKubectl();
        Path tar = archive("image-1");
        List<HasMetadata> applied = K8sManifests.load(generated(overlay, tar));
        String sha256 = HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tar)));
        assertEquals(sha256, annotation(applied));

        K8sManifests.one(applied, Deployment.class)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .remove(ANNOTATION);
        assertEquals(
                K8sManifests.load(K8sManifests.render("overlays/" + overlay)),
                applied,
                "nothing but the annotation changes");
    }

    @Test
    void onlyANewArchiveChangesThePodTemplate() throws IOException {
        requireKubectl();
        String first = annotation(K8sManifests.load(generated("kind", archive("image-1"))));
        assertEquals(first, annotation(K8sManifests.load(generated("kind", archive("image-1")))));
        assertNotEquals(first, annotation(K8sManifests.load(generated("kind", archive("image-2")))));
    }

    /** A stand-in kind that lists the cluster (or creates it), an engine whose daemon answers, and mvn: nothing more may be called. */
    Map<String, String> noCluster(boolean clusterListed) throws IOException {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "");
        script(
                "kind",
                "case \"$1 $2\" in 'get clusters') " + (clusterListed ? "echo task-api" : "true") + " ;;"
                        + " 'create cluster') echo 'Creating cluster' ;; *) echo \"unexpected: kind $*\" >&2; exit 99 ;; esac\n");
        Path engine = script("docker", "[ \"$1\" = info ] && exit 0; echo \"unexpected: docker $*\" >&2; exit 99\n");
        Path mvn = script("mvn", "echo \"unexpected: mvn $*\" >&2; exit 99\n");
        return Map.of(
                "KUBECONFIG",
                kubeconfig.toString(),
                "PATH",
                dir.resolve("bin") + ":" + System.getenv("PATH"),
                "ENGINE",
                engine.toString(),
                "MVN",
                mvn.toString());
    }

    /**
     * kind's provider: kind's own default, docker, whenever docker's daemon answers, though the Makefile's first choice
     * for everything else is podman; the engine you name (ENGINE=podman) when you name one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "podman", "docker"})
    void kindRunsOnDockerUnlessYouNameTheEngine(String named) throws Exception {
        Prerequisites.require(K8sManifests.commandWorks("make", "--version"), "make is not installed");
        script("docker", "[ \"$1\" = info ] && exit 0; exit 99\n");
        script("podman", "[ \"$1\" = info ] && exit 0; exit 99\n");
        List<String> command = new ArrayList<>(List.of("make", "--no-print-directory", "-n", "kind-down"));
        if (!named.isEmpty()) {
            command.add("ENGINE=" + named);
        }
        ProcessBuilder make = new ProcessBuilder(command)
                .directory(K8sManifests.ROOT.toFile())
                .redirectErrorStream(true);
        // Not named: neither in the environment nor by an outer make (as when `make test ENGINE=podman` runs this).
        List.of("ENGINE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL").forEach(make.environment()::remove);
        make.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        Process p = make.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        String provider = named.isEmpty() ? "docker" : named;
        assertTrue(out.contains("KIND_EXPERIMENTAL_PROVIDER=" + provider + " kind delete cluster"), out);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void makeKindTestFailsFastWhenNoClusterAnswers(boolean clusterListed) throws IOException {
        requireKubectl();
        Prerequisites.require(K8sManifests.commandWorks("make", "--version"), "make is not installed");
        long start = System.nanoTime();
        Result r = Command.exec(
                K8sManifests.ROOT.toFile(),
                noCluster(clusterListed),
                Duration.ofMinutes(2),
                List.of("make", "--no-print-directory", "kind-test"));
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertNotEquals(0, r.code(), r.out());
        assertTrue(r.err().contains("error: no Kubernetes API answers through kube context kind-task-api"), r.err());
        assertFalse(r.err().contains("unexpected"), "nothing after the cluster check runs: " + r.err());
        assertTrue(seconds < 60, "took " + seconds + " s");
    }

    @Test
    void makeKindTestRequiresTheClusterAndOneTestRun() {
        Prerequisites.require(K8sManifests.commandWorks("make", "--version"), "make is not installed");
        String recipe = Command.exec(
                        K8sManifests.ROOT.toFile(),
                        Map.of("ENGINE", "docker"),
                        Duration.ofMinutes(1),
                        List.of("make", "-n", "--no-print-directory", "kind-test"))
                .check("make -n kind-test")
                .out();
        assertTrue(recipe.contains("-Dcluster.required=true"), recipe);
        assertTrue(
                recipe.contains("-Dit.test=DeploymentIT -Dfailsafe.failIfNoSpecifiedTests=true")
                        || recipe.contains("-Dit.test=DeploymentIT \\\n  -Dfailsafe.failIfNoSpecifiedTests=true"),
                recipe);
        assertTrue(
                recipe.contains("src/scripts/kind.sh tests-ran target/failsafe-reports/failsafe-summary.xml"), recipe);
    }

    /** A container named as kind names its node, with kind's mounts, created (never started) by the real engine. */
    @Test
    void anExistingClusterMustMountThisModelsDirectory() throws IOException {
        String engine = Command.exec(Duration.ofMinutes(1), List.of("bash", "src/scripts/lib.sh", "engine"))
                .out()
                .strip();
        Prerequisites.require(!engine.isEmpty() && !engine.equals("none"), Prerequisites.NO_CONTAINER_ENGINE);
        String cluster = "task-api-test-"
                + HexFormat.of()
                        .toHexDigits(ThreadLocalRandom.current().nextInt())
                        .substring(0, 6);
        String image = "localhost/" + cluster + "-empty:1";
        Path other = Files.createDirectories(dir.resolve("other/models"));
        Command.exec(
                        null,
                        Map.of(),
                        Duration.ofMinutes(1),
                        List.of("bash", "-c", "tar -cf - --files-from /dev/null | \"$0\" import - " + image, engine))
                .check("import an empty image");
        try {
            Result missing =
                    kindSh(Map.of("ENGINE", engine), "check-node-mount", cluster, K8sManifests.MODELS.toString());
            assertEquals(1, missing.code());
            assertTrue(missing.err().contains("no node container " + cluster + "-control-plane"), missing.err());

            Command.exec(
                            Duration.ofMinutes(1),
                            List.of(
                                    engine,
                                    "create",
                                    "--name",
                                    cluster + "-control-plane",
                                    "-v",
                                    dir + ":/var",
                                    "-v",
                                    other + ":/task-api/models:ro",
                                    image,
                                    "/none"))
                    .check("create");
            Result wrong =
                    kindSh(Map.of("ENGINE", engine), "check-node-mount", cluster, K8sManifests.MODELS.toString());
            assertEquals(1, wrong.code());
            assertEquals(
                    "error: kind cluster " + cluster + " mounts " + other + " at /task-api/models, not "
                            + K8sManifests.MODELS + ": make kind-down KIND_CLUSTER=" + cluster
                            + " first, or use KIND_CLUSTER=<another name>\n",
                    wrong.err());

            Command.exec(Duration.ofMinutes(1), List.of(engine, "rm", "-f", cluster + "-control-plane"))
                    .check("rm");
            Command.exec(
                            Duration.ofMinutes(1),
                            List.of(
                                    engine,
                                    "create",
                                    "--name",
                                    cluster + "-control-plane",
                                    "-v",
                                    dir + ":/var",
                                    "-v",
                                    K8sManifests.MODELS + ":/task-api/models:ro",
                                    image,
                                    "/none"))
                    .check("create");
            kindSh(Map.of("ENGINE", engine), "check-node-mount", cluster, K8sManifests.MODELS.toString())
                    .check("check-node-mount");
        } finally {
            Command.exec(Duration.ofMinutes(1), List.of(engine, "rm", "-f", cluster + "-control-plane"));
            Command.exec(Duration.ofMinutes(1), List.of(engine, "rmi", image));
        }
    }

    /** kubectl stand-in: records each call, renders with the real kubectl, answers the PV's phase and the claim's wait. */
    Map<String, String> recordingKubectl(String pvPhase, boolean claimBinds) throws IOException {
        String real = K8sManifests.output("bash", "-c", "command -v kubectl").strip();
        Path log = dir.resolve("kubectl.log");
        script(
                "kubectl",
                "[ \"$1\" = --context ] && shift 2; echo \"$*\" >>" + log + "\n"
                        + "case \"$1\" in\n"
                        + "  kustomize) exec " + real + " \"$@\" ;;\n"
                        + "  get) [ \"$2\" = pv ] && [[ \"$*\" == *jsonpath* ]] && printf %s '" + pvPhase + "' ;;\n"
                        + "  wait) exit " + (claimBinds ? 0 : 1) + " ;;\n"
                        + "esac\n");
        return Map.of("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"), "KUBE_CONTEXT", "kind-task-api");
    }

    List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("kubectl.log")).stream()
                .filter(l -> !l.startsWith("kustomize"))
                .toList();
    }

    @Test
    void deployFreesAReleasedVolumeThenAppliesOnceThenWaitsForTheClaimBeforeTheRollouts() throws IOException {
        requireKubectl();
        Map<String, String> env = recordingKubectl("Released", true);
        kindSh(env, "deploy", "kind", archive("image-1").toString()).check("kind.sh deploy");
        String generated = K8sManifests.ROOT.resolve("target/k8s/kind-deploy").toString();
        assertEquals(
                List.of(
                        "get pv task-api-models -o jsonpath={.status.phase}",
                        "patch pv task-api-models --type json -p [{\"op\":\"remove\",\"path\":\"/spec/claimRef\"}]",
                        "apply -k " + generated,
                        "wait --for=jsonpath={.status.phase}=Bound pvc/task-api-models --timeout=60s",
                        "rollout status statefulset/task-api-postgres --timeout=180s",
                        "rollout status deployment/task-api --timeout=180s"),
                calls());
    }

    @Test
    void deployLeavesABoundVolumeAloneAndWithoutADatabaseWaitsForTaskApiOnly() throws IOException {
        requireKubectl();
        Map<String, String> env = recordingKubectl("Bound", true);
        kindSh(env, "deploy", "kind-memory", archive("image-1").toString()).check("kind.sh deploy");
        List<String> calls = calls();
        assertEquals(4, calls.size(), calls.toString());
        assertTrue(calls.get(1).startsWith("apply -k "), calls.toString());
        assertEquals("rollout status deployment/task-api --timeout=180s", calls.get(3));
    }

    @Test
    void anUnboundClaimFailsTheDeployWithItsEventsAndNoRolloutWait() throws IOException {
        requireKubectl();
        Map<String, String> env = recordingKubectl("Available", false);
        Result r = kindSh(env, "deploy", "kind", archive("image-1").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("claim task-api-models is not Bound"), r.err());
        List<String> calls = calls();
        assertTrue(calls.contains("describe pvc/task-api-models"), calls.toString());
        assertFalse(calls.stream().anyMatch(c -> c.startsWith("rollout")), calls.toString());
    }
}
