package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Command;
import dev.taskapi.testing.Command.Result;
import dev.taskapi.testing.Prerequisites;
import dev.taskapi.testing.RegistryServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The models image as the kubelet runs it, under docker and under podman: pushed to a loopback registry with the
 * models Jib execution (what `make models-push` runs), pulled by the engine, then the init containers of
 * k8s/components/models-copy exactly as written there (the models image's own {@code busybox cp}, then the slim
 * image's {@code verify-models --publish}), hardened as the pods run them; then the slim image serves the volume
 * read-only through {@code current}. A tampered image (a model that no longer matches SHA256SUMS) is refused
 * before anything is published. Under podman also the image-volume path of k8s/components/models-image: the image
 * mounted read-only ({@code --mount type=image}, as the kubelet mounts an image volume) and verified in place.
 */
@Tag("engines")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelsImageIT {
    static final Path MODELS = Path.of("models").toAbsolutePath();
    static final Path COMPONENTS = Path.of("k8s", "components").toAbsolutePath();
    static final Path COPIER_BASE = Path.of("target", "bases", "copier.tar").toAbsolutePath();
    static final String MODEL = "example/sentiment-lexicon-v1.json";
    static final ObjectMapper JSON = new ObjectMapper();

    RegistryServer registry;
    Path work;
    String image;
    String tampered;
    final List<List<String>> cleanup = new ArrayList<>();

    @BeforeAll
    void pushModelsImages() throws IOException {
        Path slim = ImageTars.tar(ImageTars.JIB, "slim");
        Prerequisites.require(
                Files.isRegularFile(slim),
                slim
                        + " is missing: `make image` builds it (`make test` does so first when a container engine exists)");
        Prerequisites.require(
                Files.isRegularFile(COPIER_BASE),
                COPIER_BASE
                        + " is missing: `make models-base` builds it (`make test` does so first when a container engine exists)");
        registry = RegistryServer.start();
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "models-image-");
        image = push(MODELS, "task-api", work.resolve("good"));
        Path bad = work.resolve("tampered-models");
        copy(MODELS, bad);
        Files.writeString(bad.resolve(MODEL), "{\"tampered\": true}\n");
        tampered = push(bad, "tampered", work.resolve("tampered"));
    }

    @AfterAll
    void cleanUp() {
        for (List<String> command : cleanup) {
            Command.exec(Duration.ofMinutes(1), command);
        }
        if (registry != null) {
            registry.close();
        }
        if (work != null) {
            Command.exec(Duration.ofMinutes(1), List.of("rm", "-rf", work.toString()));
        }
    }

    @Test
    void copiedVerifiedAndServedUnderDocker() throws Exception {
        copyVerifyAndServe("docker");
    }

    @Test
    void copiedVerifiedAndServedUnderPodman() throws Exception {
        copyVerifyAndServe("podman");
    }

    @Test
    void mountedAsAnImageAndVerifiedInPlaceUnderPodman() throws Exception {
        String slim = engine("podman");
        Container verify = initContainer("models-image", "verify-models");
        assertEquals(List.of("verify-models", "/app/models/models"), verify.getArgs());
        Result good = imageMounted(slim, pull("podman", image), verify.getArgs());
        assertEquals(0, good.code(), good.err() + good.out());
        assertTrue(good.out().contains("1 file(s)") && good.out().contains("verified against SHA256SUMS"), good.out());
        Result bad = imageMounted(slim, pull("podman", tampered), verify.getArgs());
        assertEquals(1, bad.code(), bad.out());
        assertTrue(bad.err().strip().startsWith("verify-models: refused: " + MODEL + ": sha256 "), bad.err());
    }

    void copyVerifyAndServe(String engine) throws Exception {
        String slim = engine(engine);
        Container copier = initContainer("models-copy", "copy-models");
        Container verify = initContainer("models-copy", "verify-models");
        Path volume = Files.createDirectory(work.resolve("volume-" + engine));
        Command.exec(Duration.ofSeconds(30), List.of("chown", "65532:65532", volume.toString()));
        Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxr-xr-x"));

        String good = pull(engine, image);
        long started = System.nanoTime();
        Result copied = init(engine, good, copier, volume);
        assertEquals(0, copied.code(), copied.err() + copied.out());
        Result verified = init(engine, slim, verify, volume);
        assertEquals(0, verified.code(), verified.err() + verified.out());
        System.out.println("[models-image] " + engine + ": copy + verify " + (System.nanoTime() - started) / 1_000_000
                + " ms (two container runs): " + verified.out().strip());
        Path current = volume.resolve(Files.readSymbolicLink(volume.resolve("current")));
        assertEquals(sha256(MODELS.resolve(MODEL)), sha256(current.resolve(MODEL)));
        assertEquals(Files.readString(MODELS.resolve("SHA256SUMS")), Files.readString(current.resolve("SHA256SUMS")));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(current.resolve(MODEL))));
        assertEquals(Set.of(".lock", "current", "versions"), names(volume), "the copy became the version");
        Path published = Files.readSymbolicLink(volume.resolve("current"));

        String bad = pull(engine, tampered);
        assertEquals(0, init(engine, bad, copier, volume).code());
        Result refused = init(engine, slim, verify, volume);
        assertEquals(1, refused.code(), refused.out());
        String line = refused.err().strip();
        assertTrue(
                line.startsWith("verify-models: refused: " + MODEL + ": sha256 ")
                        && line.contains("differs from SHA256SUMS"),
                line);
        assertEquals(published, Files.readSymbolicLink(volume.resolve("current")), "nothing published");
        assertEquals(Set.of(".lock", "current", "versions"), names(volume), "the tampered copy removed");

        serve(engine, slim, volume);
    }

    /** The slim image as the service, the volume read-only at /app/models, MODELS_DIR through the current link. */
    void serve(String engine, String slim, Path volume) throws Exception {
        String name = "task-api-models-serve-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> run = new ArrayList<>(List.of(engine, "run", "-d", "--name", name));
        run.addAll(Engine.runFlags(engine, volume));
        run.addAll(List.of("-e", "MODELS_DIR=/app/models/current", "-e", "MODELS_REQUIRED=true", slim));
        cleanup.add(List.of(engine, "rm", "-f", name));
        Command.exec(Duration.ofMinutes(2), run).check("starting the service under " + engine);
        String port = Command.exec(Duration.ofSeconds(30), List.of(engine, "port", name, "8080/tcp"))
                .check("port")
                .out()
                .lines()
                .findFirst()
                .orElseThrow()
                .strip();
        String base = "http://" + port;
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ready = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ready = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        assertTrue(
                ready != null && ready.statusCode() == 200,
                "ready: " + (ready == null ? "no answer" : ready.body()) + "\n"
                        + Command.exec(Duration.ofSeconds(30), List.of(engine, "logs", name))
                                .err());
        JsonNode models = JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create(base + "/models")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        assertEquals(1, models.size(), models.toString());
        assertEquals(MODEL, models.get(0).get("name").asText());
        assertEquals("verified", models.get(0).get("status").asText());
        assertEquals(sha256(MODELS.resolve(MODEL)), models.get(0).get("sha256").asText());
    }

    /** The init container {@code name} of a component's Deployment patch, as the kubelet would run it. */
    static Container initContainer(String component, String name) throws IOException {
        try (InputStream in = Files.newInputStream(COMPONENTS.resolve(component).resolve("deployment.yaml"))) {
            Deployment patch = Serialization.unmarshal(in, Deployment.class);
            return patch.getSpec().getTemplate().getSpec().getInitContainers().stream()
                    .filter(c -> c.getName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(component + " has no " + name));
        }
    }

    /**
     * {@code container} run from {@code image} with its command and args, hardened as the pod runs it (uid 65532,
     * read-only root, no capabilities, /tmp a tmpfs), its first volume mount given {@code volume} read-write.
     */
    Result init(String engine, String image, Container container, Path volume) {
        List<String> run = new ArrayList<>(List.of(engine, "run", "--rm", "--network", "none"));
        run.addAll(hardened(engine));
        run.addAll(
                List.of("-v", volume + ":" + container.getVolumeMounts().get(0).getMountPath()));
        if (container.getCommand() != null && !container.getCommand().isEmpty()) {
            run.addAll(List.of("--entrypoint", container.getCommand().get(0), image));
            run.addAll(container.getCommand().subList(1, container.getCommand().size()));
        } else {
            run.add(image);
        }
        if (container.getArgs() != null) {
            run.addAll(container.getArgs());
        }
        return Command.exec(Duration.ofMinutes(2), run);
    }

    /** The slim image's verify-models with {@code models} mounted as an image at /app/models (podman only). */
    Result imageMounted(String slim, String models, List<String> args) {
        List<String> run = new ArrayList<>(List.of("podman", "run", "--rm", "--network", "none"));
        run.addAll(hardened("podman"));
        run.addAll(List.of("--mount", "type=image,source=" + models + ",destination=/app/models", slim));
        run.addAll(args);
        return Command.exec(Duration.ofMinutes(2), run);
    }

    /** lib.sh's hardened run flags without its models volume and published port. */
    static List<String> hardened(String engine) {
        List<String> flags = Engine.runFlags(engine, Path.of("/nonexistent"));
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < flags.size(); i++) {
            if (flags.get(i).equals("-v") || flags.get(i).equals("-p")) {
                i++;
            } else {
                kept.add(flags.get(i));
            }
        }
        return kept;
    }

    /** The engine answers; loads the slim image into it and returns its name there. */
    static String engine(String engine) {
        Prerequisites.require(
                Command.works(engine, "info"),
                engine + " does not answer (`" + engine + " info`): install it"
                        + (engine.equals("podman")
                                ? " (src/scripts/podman-setup.sh)"
                                : " (apt-get install docker.io) and start dockerd"));
        return Engine.lib(engine, "load", ImageTars.tar(ImageTars.JIB, "slim").toString());
    }

    /** Pulls {@code reference} from the loopback registry, as a node would; returns it. */
    String pull(String engine, String reference) {
        List<String> pull = new ArrayList<>(List.of(engine, "pull", "-q"));
        pull.addAll(Engine.pullFlags(engine, reference));
        pull.add(reference);
        Command.exec(Duration.ofMinutes(2), pull).check(engine + " pull " + reference);
        cleanup.add(List.of(engine, "rmi", "-f", reference));
        return reference;
    }

    /** Pushes {@code models} as REPO-models:VERSION with the models image's Jib execution; its reference by digest. */
    String push(Path models, String repo, Path out) throws IOException {
        Files.createDirectories(out);
        Command.exec(
                        null,
                        Map.of(),
                        Duration.ofMinutes(5),
                        List.of(
                                "mvn",
                                "-B",
                                "-ntp",
                                "-q",
                                "-Djib.console=plain",
                                "jib:build@models",
                                "-Dimage.models.dir=" + models,
                                "-Dimage.repo=" + registry.address() + "/" + repo,
                                "-Dimage.out=" + out,
                                "-Djib.allowInsecureRegistries=true"))
                .check("pushing " + models);
        String digest = Files.readString(out.resolve("task-api-models.digest")).strip();
        return registry.address() + "/" + repo + "-models@" + digest;
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
