package dev.taskapi.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/** The image tars that `make images` (Jib) writes, and what their docker-archive manifest says. */
final class ImageTars {
    static final Path JIB = Path.of("target", "jib");
    static final Path REPRO_JIB = Path.of("target", "repro", "jib");

    private ImageTars() {}

    static Path tar(Path dir, String variant) {
        return dir.resolve("task-api-" + variant + ".tar");
    }

    /** The image ID: the sha256 of the config blob that the tar's manifest.json names. */
    static String imageId(Path tar) {
        String manifest = extract(tar, "manifest.json");
        try {
            String config =
                    new ObjectMapper().readTree(manifest).get(0).get("Config").asText();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return "sha256:"
                    + HexFormat.of().formatHex(sha.digest(extract(tar, config).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new AssertionError("bad manifest.json in " + tar + ": " + e.getMessage(), e);
        }
    }

    private static String extract(Path tar, String entry) {
        return Engine.exec(Duration.ofSeconds(60), List.of("tar", "-xOf", tar.toString(), entry))
                .check("reading " + entry + " of " + tar)
                .out();
    }

    /** What Jib wrote beside the tar (task-api-VARIANT.id / .digest). */
    static String jibOutput(Path dir, String variant, String kind) throws IOException {
        return Files.readString(dir.resolve("task-api-" + variant + "." + kind), StandardCharsets.UTF_8)
                .strip();
    }
}
