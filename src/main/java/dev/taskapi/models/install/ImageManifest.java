package dev.taskapi.models.install;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the installer needs from an image manifest (OCI or Docker v2 schema 2): its digest, which names the installed
 * version, and its layers, which hold the files.
 */
record ImageManifest(String digest, List<Blob> layers) {
  static final String ACCEPT = String.join(", ",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json");
  static final int MAX_LAYERS = 128;
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Set<String> INDEXES = Set.of(
      "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json");
  private static final Set<String> GZIP_LAYERS = Set.of(
      "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip");
  private static final String TAR_LAYER = "application/vnd.oci.image.layer.v1.tar";

  /** A layer: its digest and size as the manifest gives them, and whether it is gzip-compressed. */
  record Blob(String digest, long size, boolean gzip) {
    String hex() {
      return digest.substring("sha256:".length());
    }
  }

  /** The hex part of the digest: the name of the version directory. */
  String hex() {
    return digest.substring("sha256:".length());
  }

  static boolean isValidDigest(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }

  /** Whether {@code json} (with the response's Content-Type) is an index of manifests rather than a manifest. */
  static boolean isIndex(JsonObject json, String contentType) {
    String type = json.getString("mediaType", contentType == null ? "" : contentType.split(";")[0].strip());
    return INDEXES.contains(type) || (json.containsKey("manifests") && !json.containsKey("layers"));
  }

  /** The digest of the index entry to install: a Linux one (models are data: any architecture will do). */
  static String chooseFromIndex(JsonObject index) {
    JsonArray manifests = index.getJsonArray("manifests", new JsonArray());
    for (int i = 0; i < manifests.size(); i++) {
      JsonObject entry = manifests.getJsonObject(i);
      JsonObject platform = entry.getJsonObject("platform");
      boolean linux = platform == null || "linux".equals(platform.getString("os"));
      if (linux && isValidDigest(entry.getString("digest"))) {
        return entry.getString("digest");
      }
    }
    throw new InstallException("the image index lists no linux manifest with a sha256 digest");
  }

  static ImageManifest parse(String digest, JsonObject json) {
    if (json.getInteger("schemaVersion", 0) != 2) {
      throw new InstallException("manifest " + digest + " is not schema version 2 (OCI or Docker v2)");
    }
    JsonArray layers = json.getJsonArray("layers");
    if (layers == null || layers.isEmpty()) {
      throw new InstallException("manifest " + digest + " has no layers");
    }
    if (layers.size() > MAX_LAYERS) {
      throw new InstallException("manifest " + digest + " has " + layers.size() + " layers, more than " + MAX_LAYERS);
    }
    List<Blob> blobs = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      JsonObject layer = layers.getJsonObject(i);
      String type = layer.getString("mediaType", "");
      String layerDigest = layer.getString("digest");
      long size = layer.getLong("size", -1L);
      if (!isValidDigest(layerDigest)) {
        throw new InstallException("layer " + i + " of " + digest + " has no sha256 digest: " + layerDigest);
      }
      if (size < 0) {
        throw new InstallException("layer " + layerDigest + " has no size");
      }
      if (!GZIP_LAYERS.contains(type) && !TAR_LAYER.equals(type)) {
        throw new InstallException("layer " + layerDigest + " has media type '" + type + "': only tar and tar+gzip"
            + " layers are supported");
      }
      blobs.add(new Blob(layerDigest, size, GZIP_LAYERS.contains(type)));
    }
    return new ImageManifest(digest, List.copyOf(blobs));
  }
}
