package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** src/scripts/pin-image.sh, which `make push PIN=OVERLAY` uses to pin an overlay to the pushed digest. */
class PinImageScriptTest {
  static final Path SCRIPT = Path.of("src", "scripts", "pin-image.sh").toAbsolutePath();
  static final String OLD = "sha256:" + "1".repeat(64);
  static final String MODELS = "sha256:" + "2".repeat(64);
  static final String NEW = "sha256:" + "a".repeat(64);
  static final String PRODUCTION = """
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - ../../base
      images:
        - name: task-api
          newName: registry.example.com/task-api
          digest: %s
        - name: task-api-models
          newName: registry.example.com/task-api-models
          digest: %s
      patches:
        - path: deployment.yaml
      """.formatted(OLD, MODELS);

  @TempDir
  Path dir;

  @Test
  void theNamedEntryGetsTheNewNameAndDigestAndNothingElseChanges() throws IOException {
    Path file = write(PRODUCTION);
    Command.Result r = pin(file, "task-api", "127.0.0.1:5000/task-api", NEW).check("pin-image.sh");
    assertEquals(PRODUCTION.replace("registry.example.com/task-api\n", "127.0.0.1:5000/task-api\n")
        .replace(OLD, NEW), Files.readString(file));
    assertTrue(r.out().contains("127.0.0.1:5000/task-api@" + NEW), r.out());
  }

  @Test
  void otherEntriesAreUntouched() throws IOException {
    Path file = write(PRODUCTION);
    pin(file, "task-api-models", "registry.example.com/task-api-models", NEW).check("pin-image.sh");
    String pinned = Files.readString(file);
    assertTrue(pinned.contains("  - name: task-api\n    newName: registry.example.com/task-api\n    digest: " + OLD),
        pinned);
    assertTrue(pinned.contains("  - name: task-api-models\n    newName: registry.example.com/task-api-models\n"
        + "    digest: " + NEW), pinned);
  }

  @Test
  void aMissingEntryIsAClearErrorAndTheFileStaysAsItWas() throws IOException {
    Path file = write(PRODUCTION);
    Command.Result r = pin(file, "task-api-web", "r.example/task-api-web", NEW);
    assertNotEquals(0, r.code());
    assertEquals("error: " + file + " has no images: entry named task-api-web (entries: task-api, task-api-models)",
        r.err().strip());
    assertEquals(PRODUCTION, Files.readString(file));
    assertEquals(List.of(file), Files.list(dir).toList(), "no temporary file left behind");
  }

  @Test
  void aFileWithoutAnImagesListIsAClearError() throws IOException {
    Path file = write("resources:\n  - ../../base\n");
    Command.Result r = pin(file, "task-api", "r.example/task-api", NEW);
    assertNotEquals(0, r.code());
    assertEquals("error: " + file + " has no images: list (block style) to pin task-api in", r.err().strip());
  }

  @Test
  void aTagGivesWayToTheDigestAndMissingKeysAreAdded() throws IOException {
    // The layout `kustomize edit set image` writes: keys sorted, list items at the key's own indentation.
    Path file = write("images:\n- name: task-api\n  newTag: 1.0.0-slim\n- name: other\n  newTag: \"2\"\n");
    pin(file, "task-api", "r.example/task-api", NEW).check("pin-image.sh");
    assertEquals("images:\n- name: task-api\n  newName: r.example/task-api\n  digest: " + NEW
        + "\n- name: other\n  newTag: \"2\"\n", Files.readString(file));
  }

  @Test
  void commentsAndBlankLinesInsideTheListStay() throws IOException {
    Path file = write("images:\n  - name: \"task-api\"\n    # the slim image\n    digest: " + OLD
        + "  # set by make push\n\n  - name: task-api-models\n");
    pin(file, "task-api", "r.example/task-api", NEW).check("pin-image.sh");
    assertEquals("images:\n  - name: \"task-api\"\n    # the slim image\n    digest: " + NEW
        + "  # set by make push\n    newName: r.example/task-api\n\n  - name: task-api-models\n", Files.readString(file));
  }

  @Test
  void aMalformedDigestOrANameWithATagIsRefused() throws IOException {
    Path file = write(PRODUCTION);
    Command.Result digest = pin(file, "task-api", "r.example/task-api", "sha256:abc");
    assertTrue(digest.code() != 0 && digest.err().contains("sha256:<64 hex digits>"), digest.err());
    Command.Result tagged = pin(file, "task-api", "127.0.0.1:5000/task-api:1.0.0", NEW);
    assertTrue(tagged.code() != 0 && tagged.err().contains("without a tag or digest"), tagged.err());
    assertEquals(PRODUCTION, Files.readString(file));
  }

  private Path write(String content) throws IOException {
    Path file = dir.resolve("kustomization.yaml");
    Files.writeString(file, content);
    return file;
  }

  private static Command.Result pin(Path file, String name, String newName, String digest) {
    return Command.exec(Duration.ofSeconds(30), List.of("bash", SCRIPT.toString(), file.toString(), name, newName,
        digest));
  }
}
