package dev.taskapi.models.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void aReferenceByDigestNamesRegistryRepositoryAndDigest() {
    ImageReference ref = ImageReference.parse("registry.example.com/team/task-api-models@" + DIGEST);
    assertEquals("registry.example.com", ref.registry());
    assertEquals("team/task-api-models", ref.repository());
    assertNull(ref.tag());
    assertEquals(DIGEST, ref.manifestReference());
  }

  @Test
  void aPortAndATagAreRead() {
    ImageReference ref = ImageReference.parse("127.0.0.1:5000/task-api-models:1.0.0");
    assertEquals("127.0.0.1:5000", ref.registry());
    assertEquals("task-api-models", ref.repository());
    assertEquals("1.0.0", ref.manifestReference());
    assertEquals("localhost:5000", ImageReference.parse("localhost:5000/m").registry());
    assertEquals("localhost", ImageReference.parse("localhost/m:1").registry());
  }

  @Test
  void tagAndDigestTogetherFetchByDigest() {
    ImageReference ref = ImageReference.parse("ghcr.io/org/models:v1@" + DIGEST);
    assertEquals("v1", ref.tag());
    assertEquals(DIGEST, ref.manifestReference());
  }

  @Test
  void dockerHubNamesGetItsApiHostAndLibrary() {
    ImageReference ref = ImageReference.parse("models");
    assertEquals("docker.io", ref.registry());
    assertEquals("registry-1.docker.io", ref.apiHost());
    assertEquals("library/models", ref.repository());
    assertEquals("latest", ref.tag());
    assertEquals("org/models", ImageReference.parse("org/models:2").repository());
  }

  @Test
  void malformedReferencesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(""));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("r.io/Models:1"));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("r.io/m@sha256:abc"));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("r.io/m@md5:" + "a".repeat(32)));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("r.io/m:"));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("r.io//m"));
  }
}
