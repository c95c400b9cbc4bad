package dev.taskapi.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One file under MODELS_DIR as last scanned. {@code size}, {@code sha256} and {@code modified} are null for a
 * file the checksum manifest names but the directory lacks.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelFile(
    @JsonProperty("name") String name,
    @JsonProperty("size") Long size,
    @JsonProperty("sha256") String sha256,
    @JsonProperty("modified") String modified,
    @JsonProperty("status") Status status,
    @JsonProperty("expected_sha256") String expectedSha256) {

  public enum Status {
    /** The manifest lists it and the checksum matches. */
    @JsonProperty("verified") VERIFIED,
    /** There is no manifest, so nothing to check against. */
    @JsonProperty("unchecked") UNCHECKED,
    /** A manifest exists but does not list this file. */
    @JsonProperty("unlisted") UNLISTED,
    /** The checksum differs from the manifest's. */
    @JsonProperty("mismatch") MISMATCH,
    /** The manifest lists it but the file is not there. */
    @JsonProperty("missing") MISSING,
    /** The file could not be read. */
    @JsonProperty("unreadable") UNREADABLE;

    public boolean healthy() {
      return this == VERIFIED || this == UNCHECKED || this == UNLISTED;
    }
  }
}
