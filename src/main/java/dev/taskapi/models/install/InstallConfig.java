package dev.taskapi.models.install;

import dev.taskapi.config.EnvVariables;
import dev.taskapi.config.InvalidConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The installer's configuration, read once from the environment: {@code MODELS_IMAGE} (required; by digest in
 * production), {@code MODELS_INSTALL_DIR} (default /models), {@code MODELS_REGISTRY_AUTH_FILE} (optional docker
 * config JSON), {@code MODELS_REGISTRY_PLAIN_HTTP} (default false). A broken value names its variable.
 */
record InstallConfig(ImageReference image, Path installDir, Optional<RegistryCredentials> credentials, boolean plainHttp) {

  static InstallConfig from(Map<String, String> env) {
    String image = env.get("MODELS_IMAGE");
    if (image == null || image.isBlank()) {
      throw new InvalidConfigException("MODELS_IMAGE must be set to the models image (registry/repository@sha256:...)");
    }
    ImageReference reference;
    try {
      reference = ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException("MODELS_IMAGE: cannot read '" + image.strip() + "' (" + e.getMessage() + ")");
    }
    String dir = EnvVariables.string(env, "MODELS_INSTALL_DIR", "/models");
    Path installDir = Path.of(dir);
    if (!installDir.isAbsolute()) {
      throw new InvalidConfigException("MODELS_INSTALL_DIR must be an absolute path, got '" + dir + "'");
    }
    return new InstallConfig(reference, installDir, credentials(env.get("MODELS_REGISTRY_AUTH_FILE"), reference),
        EnvVariables.parse(env, "MODELS_REGISTRY_PLAIN_HTTP", false, EnvVariables::parseBoolean));
  }

  private static Optional<RegistryCredentials> credentials(String file, ImageReference image) {
    if (file == null || file.isBlank()) {
      return Optional.empty();
    }
    try {
      return RegistryCredentials.find(Files.readString(Path.of(file.strip()), StandardCharsets.UTF_8), image.registry());
    } catch (IOException e) {
      throw new InvalidConfigException("MODELS_REGISTRY_AUTH_FILE: cannot read " + file.strip() + " (" + e + ")");
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException("MODELS_REGISTRY_AUTH_FILE " + file.strip() + " " + e.getMessage());
    }
  }
}
