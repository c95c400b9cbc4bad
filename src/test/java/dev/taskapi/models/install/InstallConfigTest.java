package dev.taskapi.models.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsInstallIntoSlashModelsOverHttps() {
    InstallConfig config = InstallConfig.from(Map.of("MODELS_IMAGE", "r.io/m@sha256:" + "0".repeat(64)));
    assertEquals(Path.of("/models"), config.installDir());
    assertFalse(config.plainHttp());
    assertTrue(config.credentials().isEmpty());
  }

  @Test
  void aMissingImageExits2NamingTheVariable() {
    assertExits2Naming("MODELS_IMAGE", Map.of());
  }

  @Test
  void badValuesExit2NamingTheirVariable() {
    assertExits2Naming("MODELS_IMAGE", Map.of("MODELS_IMAGE", "r.io/UPPER"));
    assertExits2Naming("MODELS_INSTALL_DIR", Map.of("MODELS_IMAGE", "r.io/m:1", "MODELS_INSTALL_DIR", "relative"));
    assertExits2Naming("MODELS_REGISTRY_PLAIN_HTTP", Map.of("MODELS_IMAGE", "r.io/m:1", "MODELS_REGISTRY_PLAIN_HTTP", "maybe"));
    assertExits2Naming("MODELS_REGISTRY_AUTH_FILE",
        Map.of("MODELS_IMAGE", "r.io/m:1", "MODELS_REGISTRY_AUTH_FILE", dir.resolve("absent.json").toString()));
  }

  @Test
  void anInstallDirThatIsNotThereFailsWithExit1() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ModelsInstaller.run(Map.of("MODELS_IMAGE", "r.io/m:1", "MODELS_INSTALL_DIR", dir.resolve("none").toString()),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(ModelsInstaller.EXIT_FAILED, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("install-models: failed: MODELS_INSTALL_DIR"), err.toString());
    assertFalse(Files.exists(dir.resolve("none")));
  }

  void assertExits2Naming(String variable, Map<String, String> env) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ModelsInstaller.run(env, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(ModelsInstaller.EXIT_INVALID_CONFIG, code);
    String line = err.toString(StandardCharsets.UTF_8);
    assertTrue(line.startsWith("install-models: invalid configuration: " + variable), line);
    assertEquals(1, line.lines().count(), line);
  }
}
