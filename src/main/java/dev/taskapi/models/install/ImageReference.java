package dev.taskapi.models.install;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference as docker and Kubernetes write it: {@code [registry/]repository[:tag][@sha256:<hex>]}. The
 * registry is the first path component when it has a '.' or a ':' or is {@code localhost}; otherwise Docker Hub,
 * where a one-component repository lives under {@code library/}. Without tag or digest the tag is {@code latest}.
 */
record ImageReference(String registry, String repository, String tag, String digest) {
  static final String DOCKER_HUB = "docker.io";
  private static final String DOCKER_HUB_API = "registry-1.docker.io";
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern REGISTRY = Pattern.compile("(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:]+\\])(?::[0-9]{1,5})?");

  /** Parses {@code text}; throws IllegalArgumentException saying what is wrong. */
  static ImageReference parse(String text) {
    String rest = text.strip();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("is empty");
    }
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("digest '" + digest + "' is not sha256:<64 lowercase hex digits>");
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("tag '" + tag + "' is not a valid tag");
      }
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first.toLowerCase(Locale.ROOT);
        rest = rest.substring(slash + 1);
        if (!REGISTRY.matcher(registry).matches()) {
          throw new IllegalArgumentException("registry '" + first + "' is not host[:port]");
        }
      }
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    for (String component : rest.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException("repository '" + rest + "' is not lowercase [a-z0-9._-] components");
      }
    }
    return new ImageReference(registry, rest, tag == null && digest == null ? "latest" : tag, digest);
  }

  /** The host[:port] the registry API answers on (Docker Hub's API is not on docker.io itself). */
  String apiHost() {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
  }

  /** What the manifest is fetched by: the digest when there is one, else the tag. */
  String manifestReference() {
    return digest != null ? digest : tag;
  }

  @Override
  public String toString() {
    return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
