package dev.taskapi.models.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The registry's challenge and the docker config's credentials, as the installer reads them. */
class RegistryAuthTest {
  @Test
  void aBearerChallengeGivesRealmServiceAndScope() {
    AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
        + "scope=\"repository:library/models:pull,push\"");
    assertTrue(c.isBearer());
    assertEquals("https://auth.docker.io/token", c.parameter("realm"));
    assertEquals("registry.docker.io", c.parameter("service"));
    assertEquals("repository:library/models:pull,push", c.parameter("scope"));
  }

  @Test
  void aBasicChallengeIsRecognised() {
    AuthChallenge c = AuthChallenge.parse("Basic realm=\"Registry Realm\"");
    assertTrue(c.isBasic());
    assertEquals("Registry Realm", c.parameter("realm"));
  }

  @Test
  void credentialsAreFoundByRegistryHostWhateverTheKeyLooksLike() {
    String auth = Base64.getEncoder().encodeToString("robot:s3cret:x".getBytes(StandardCharsets.UTF_8));
    String json = "{\"auths\":{\"https://registry.example.com/v2/\":{\"auth\":\"" + auth + "\"},"
        + "\"https://index.docker.io/v1/\":{\"username\":\"hub\",\"password\":\"pw\"}}}";
    assertEquals(Optional.of(new RegistryCredentials("robot", "s3cret:x")), RegistryCredentials.find(json, "registry.example.com"));
    assertEquals(Optional.of(new RegistryCredentials("hub", "pw")), RegistryCredentials.find(json, "docker.io"));
    assertEquals(Optional.empty(), RegistryCredentials.find(json, "ghcr.io"));
  }

  @Test
  void aFileThatIsNotADockerConfigIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RegistryCredentials.find("[]", "r.io"));
    assertThrows(IllegalArgumentException.class, () -> RegistryCredentials.find("{\"credHelpers\":{}}", "r.io"));
    assertThrows(IllegalArgumentException.class, () -> RegistryCredentials.find("{\"auths\":{\"r.io\":{\"auth\":\"!!\"}}}", "r.io"));
  }

  @Test
  void thePasswordNeverShowsInText() {
    assertTrue(!new RegistryCredentials("u", "hunter2").toString().contains("hunter2"));
  }
}
