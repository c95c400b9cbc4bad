package dev.taskapi.models.install;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A user name and password for one registry, from a docker config JSON ({@code ~/.docker/config.json}, or a
 * {@code kubernetes.io/dockerconfigjson} Secret's {@code .dockerconfigjson}): {@code {"auths": {"<registry>":
 * {"auth": base64(user:password)}}}} or with {@code username} and {@code password}. Keys may carry a scheme and a
 * path ({@code https://index.docker.io/v1/}); Docker Hub is found under any of its names.
 */
record RegistryCredentials(String username, String password) {

  /** The credentials {@code json} holds for {@code registry}, if any; throws IllegalArgumentException when it cannot be read. */
  static Optional<RegistryCredentials> find(String json, String registry) {
    JsonObject auths;
    try {
      auths = new JsonObject(json).getJsonObject("auths");
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("is not a docker config JSON ({\"auths\": {...}})");
    }
    if (auths == null) {
      throw new IllegalArgumentException("has no \"auths\" object");
    }
    String wanted = hostOf(registry);
    for (Map.Entry<String, Object> entry : auths) {
      if (hostOf(entry.getKey()).equals(wanted) && entry.getValue() instanceof JsonObject auth) {
        return Optional.of(of(entry.getKey(), auth));
      }
    }
    return Optional.empty();
  }

  String basicAuthorization() {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Never the password. */
  @Override
  public String toString() {
    return username + ":***";
  }

  private static RegistryCredentials of(String key, JsonObject auth) {
    String encoded = auth.getString("auth");
    if (encoded != null && !encoded.isBlank()) {
      String pair;
      try {
        pair = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("has an \"auth\" for " + key + " that is not base64");
      }
      int colon = pair.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("has an \"auth\" for " + key + " that is not base64(user:password)");
      }
      return new RegistryCredentials(pair.substring(0, colon), pair.substring(colon + 1));
    }
    String user = auth.getString("username");
    String password = auth.getString("password");
    if (user == null || password == null) {
      throw new IllegalArgumentException("has neither \"auth\" nor \"username\" and \"password\" for " + key);
    }
    return new RegistryCredentials(user, password);
  }

  private static String hostOf(String key) {
    String host = key.strip().toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "");
    int slash = host.indexOf('/');
    host = slash >= 0 ? host.substring(0, slash) : host;
    return switch (host) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> ImageReference.DOCKER_HUB;
      default -> host;
    };
  }
}
