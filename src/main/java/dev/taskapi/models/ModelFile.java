package dev.taskapi.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * One file under MODELS_DIR as last scanned. {@code size}, {@code sha256} and {@code modified} are null for a
 * file the checksum manifest names but the directory lacks, and for an entry the scan skipped
 * ({@link Status#skipped()}: a file or directory it cannot read, a symbolic link it does not follow).
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
        @JsonProperty("verified")
        VERIFIED,
        /** There is no manifest, so nothing to check against. */
        @JsonProperty("unchecked")
        UNCHECKED,
        /** A manifest exists but does not list this file. */
        @JsonProperty("unlisted")
        UNLISTED,
        /** The checksum differs from the manifest's. */
        @JsonProperty("mismatch")
        MISMATCH,
        /** The manifest lists it but the file is not there. */
        @JsonProperty("missing")
        MISSING,
        /** The file, or the directory it is in, could not be read. */
        @JsonProperty("unreadable")
        UNREADABLE,
        /** A symbolic link whose real target is outside MODELS_DIR: not followed. */
        @JsonProperty("outside")
        OUTSIDE,
        /** A symbolic link that leads back to itself or to a directory it is in: not followed. */
        @JsonProperty("loop")
        LOOP,
        /** A symbolic link whose target does not exist. */
        @JsonProperty("broken")
        BROKEN;

        public boolean healthy() {
            return this == VERIFIED || this == UNCHECKED || this == UNLISTED;
        }

        /** Not read at all: reported, and a readiness problem only when SHA256SUMS lists the entry. */
        public boolean skipped() {
            return this == UNREADABLE || this == OUTSIDE || this == LOOP || this == BROKEN;
        }

        public String describe() {
            return switch (this) {
                case MISMATCH -> "sha256 differs from " + ChecksumManifest.FILE_NAME;
                case MISSING -> "listed in " + ChecksumManifest.FILE_NAME + " but not present";
                case UNREADABLE -> "cannot be read";
                case OUTSIDE -> "symbolic link to outside MODELS_DIR, not followed";
                case LOOP -> "symbolic link loop, not followed";
                case BROKEN -> "symbolic link to nothing";
                default -> name().toLowerCase(Locale.ROOT);
            };
        }
    }
}
