package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Prerequisites;
import dev.taskapi.testing.ScriptPrograms;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * src/scripts/SetImage.java, which pins a kustomization's image to a digest (src/scripts/pin-image.sh runs it:
 * `make push PIN=OVERLAY`, `make models-push PIN=OVERLAY`), run as a program on temporary files with SnakeYAML
 * from the test class path: compiled once for Java 17, and once through pin-image.sh as a source program.
 */
class SetImageTest {
    static final Path PROGRAM = Path.of("src", "scripts", "SetImage.java").toAbsolutePath();
    static final Path SCRIPT = Path.of("src", "scripts", "pin-image.sh").toAbsolutePath();
    static final String OLD = "sha256:" + "1".repeat(64);
    static final String MODELS = "sha256:" + "2".repeat(64);
    static final String NEW = "sha256:" + "a".repeat(64);
    static final String PRODUCTION = """
      # How the images are pinned.
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - ../../base
      # Pinned by digest.
      images:
        # the service
        - name: task-api
          newName: registry.example.com/task-api
          digest: %s
        # the models image
        - name: task-api-models
          newName: registry.example.com/task-api-models  # pushed by make models-push
          digest: %s
      patches:
        - path: deployment.yaml
        # - path: registry-auth.yaml
      """.formatted(OLD, MODELS);

    @TempDir
    static Path classes;

    @TempDir
    Path dir;

    @BeforeAll
    static void compile() {
        ScriptPrograms.compile(PROGRAM, snakeyaml(), classes);
    }

    @Test
    void theNamedEntryGetsTheNewNameAndDigestAndNothingElseChanges() throws IOException {
        Path file = write(PRODUCTION);
        Command.Result r = pin(file, "task-api", "127.0.0.1:5000/task-api", NEW).check("SetImage");
        assertEquals(
                PRODUCTION
                        .replace("registry.example.com/task-api\n", "127.0.0.1:5000/task-api\n")
                        .replace(OLD, NEW),
                Files.readString(file));
        assertEquals(
                "pinned task-api in " + file + ": 127.0.0.1:5000/task-api@" + NEW,
                r.out().strip());
    }

    @Test
    void otherEntriesAndTheirCommentsAreUntouched() throws IOException {
        Path file = write(PRODUCTION);
        pin(file, "task-api-models", "127.0.0.1:5000/task-api-models", NEW).check("SetImage");
        assertEquals(
                PRODUCTION
                        .replace("registry.example.com/task-api-models  #", "127.0.0.1:5000/task-api-models  #")
                        .replace(MODELS, NEW),
                Files.readString(file));
    }

    @Test
    void aMissingEntryIsAClearErrorAndTheFileStaysAsItWas() throws IOException {
        Path file = write(PRODUCTION);
        Command.Result r = pin(file, "task-api-web", "r.example/task-api-web", NEW);
        assertNotEquals(0, r.code());
        assertEquals(
                "error: " + file + " has no images: entry named task-api-web (entries: task-api, task-api-models)",
                r.err().strip());
        assertEquals(PRODUCTION, Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aFileWithoutAnImagesListIsAClearError() throws IOException {
        Path file = write("resources:\n  - ../../base\n");
        Command.Result r = pin(file, "task-api", "r.example/task-api", NEW);
        assertNotEquals(0, r.code());
        assertEquals(
                "error: " + file + " has no images: list (block style) to pin task-api in",
                r.err().strip());
    }

    @Test
    void aFlowStyleListIsRefusedAndLeftAsItWas() throws IOException {
        String flow = "images: [{name: task-api, newTag: \"1\"}]\n";
        Path file = write(flow);
        Command.Result r = pin(file, "task-api", "r.example/task-api", NEW);
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("flow style"), r.err());
        assertEquals(flow, Files.readString(file));
    }

    @Test
    void aTagGivesWayToTheDigestAndMissingKeysAreAdded() throws IOException {
        // The layout `kustomize edit set image` writes: list items at the key's own indentation.
        Path file = write("images:\n- name: task-api\n  newTag: 1.0.0-slim\n- name: other\n  newTag: \"2\"\n");
        pin(file, "task-api", "r.example/task-api", NEW).check("SetImage");
        assertEquals(
                "images:\n- name: task-api\n  newName: r.example/task-api\n  digest: " + NEW
                        + "\n- name: other\n  newTag: \"2\"\n",
                Files.readString(file));
    }

    @Test
    void aTagIsRemovedWhereverItStands() throws IOException {
        Path file = write("images:\n  - newTag: \"1.0\"\n    name: task-api\n    newName: a/b\n    digest: " + OLD
                + "\n  - name: other\n    newTag: x # stays\n");
        pin(file, "task-api", "r.example/task-api", NEW).check("SetImage");
        assertEquals(
                "images:\n  - name: task-api\n    newName: r.example/task-api\n    digest: " + NEW
                        + "\n  - name: other\n    newTag: x # stays\n",
                Files.readString(file));
        Path own = write("images:\n  - name: task-api\n    newTag: \"1.0\"  # the old tag\n    digest: " + OLD
                + "\n    newName: a/b\n");
        pin(own, "task-api", "r.example/task-api", NEW).check("SetImage");
        assertEquals(
                "images:\n  - name: task-api\n    digest: " + NEW + "\n    newName: r.example/task-api\n",
                Files.readString(own));
    }

    @Test
    void commentsBlankLinesAndQuotesInsideTheListStay() throws IOException {
        Path file = write("images:\n  - name: \"task-api\"\n    # the slim image\n    digest: '" + OLD
                + "'  # set by make push\n\n  - name: task-api-models\n");
        pin(file, "task-api", "r.example/task-api", NEW).check("SetImage");
        assertEquals(
                "images:\n  - name: \"task-api\"\n    # the slim image\n    digest: '" + NEW
                        + "'  # set by make push\n    newName: r.example/task-api\n\n  - name: task-api-models\n",
                Files.readString(file));
    }

    @Test
    void aMalformedDigestOrANameWithATagIsRefused() throws IOException {
        Path file = write(PRODUCTION);
        Command.Result digest = pin(file, "task-api", "r.example/task-api", "sha256:abc");
        assertTrue(digest.code() != 0 && digest.err().contains("sha256:<64 hex digits>"), digest.err());
        Command.Result tagged = pin(file, "task-api", "127.0.0.1:5000/task-api:1.0.0", NEW);
        assertTrue(tagged.code() != 0 && tagged.err().contains("without a tag or digest"), tagged.err());
        Command.Result usage = pin(file, "task-api", "r.example/task-api");
        assertTrue(usage.code() == 2 && usage.err().contains("usage: "), usage.err());
        assertEquals(PRODUCTION, Files.readString(file));
    }

    /** pin-image.sh, as make push runs it, on the production overlay; the result renders with kubectl kustomize. */
    @Test
    void pinImageShPinsTheProductionOverlayWhichStillRenders() throws IOException {
        Path k8s = dir.resolve("k8s");
        Path root = Path.of("k8s").toAbsolutePath();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.toList()) {
                Files.copy(p, k8s.resolve(root.relativize(p).toString()));
            }
        }
        Path kustomization = k8s.resolve("overlays/production/kustomization.yaml");
        String before = Files.readString(kustomization);
        // The jar pin-image.sh would have Maven copy there: the same version, from the test class path.
        Path jar = Path.of("target", "tools", Path.of(snakeyaml()).getFileName().toString());
        if (!Files.isRegularFile(jar)) {
            Files.createDirectories(jar.getParent());
            Files.copy(Path.of(snakeyaml()), jar);
        }
        String appDigest = "sha256:" + "a1".repeat(32);
        String modelsDigest = "sha256:" + "b2".repeat(32);
        script(kustomization, "task-api", "127.0.0.1:5000/task-api", appDigest).check("pin-image.sh");
        script(kustomization, "task-api-models", "127.0.0.1:5000/task-api-models", modelsDigest)
                .check("pin-image.sh");
        String after = Files.readString(kustomization);
        List<String> changed = new ArrayList<>();
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        assertEquals(a.size(), b.size(), after);
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                changed.add(b.get(i).strip());
            }
        }
        assertEquals(
                List.of(
                        "newName: 127.0.0.1:5000/task-api",
                        "digest: " + appDigest,
                        "newName: 127.0.0.1:5000/task-api-models",
                        "digest: " + modelsDigest),
                changed);

        Prerequisites.require(Command.works("kubectl", "version", "--client"), Prerequisites.NO_KUBECTL);
        String rendered = Command.exec(
                        Duration.ofMinutes(2),
                        List.of(
                                "kubectl",
                                "kustomize",
                                kustomization.getParent().toString()))
                .check("kubectl kustomize")
                .out();
        assertTrue(rendered.contains("image: 127.0.0.1:5000/task-api@" + appDigest), rendered);
        assertTrue(rendered.contains("reference: 127.0.0.1:5000/task-api-models@" + modelsDigest), rendered);
    }

    private Path write(String content) throws IOException {
        Path file = Files.createTempFile(dir, "kustomization", ".yaml");
        Files.writeString(file, content);
        return file;
    }

    private static Command.Result pin(Path file, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classes + File.pathSeparator + snakeyaml(),
                "SetImage",
                file.toString()));
        command.addAll(List.of(args));
        return Command.exec(Duration.ofSeconds(60), command);
    }

    private static Command.Result script(Path file, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), file.toString()));
        command.addAll(List.of(args));
        return Command.exec(
                null, Map.of("JAVA_HOME", System.getProperty("java.home")), Duration.ofSeconds(60), command);
    }

    private static String snakeyaml() {
        try {
            return Path.of(Yaml.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
