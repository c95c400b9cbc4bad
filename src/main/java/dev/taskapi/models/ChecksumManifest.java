package dev.taskapi.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code SHA256SUMS} file at the root of MODELS_DIR, in the format {@code sha256sum} writes and
 * {@code sha256sum -c} reads: one {@code <64 hex digits>  <relative path>} per line ({@code *} before the
 * path for binary mode); blank lines and lines starting with {@code #} are skipped.
 */
public record ChecksumManifest(Map<String, String> expected, List<String> problems) {
    public static final String FILE_NAME = "SHA256SUMS";
    private static final Pattern LINE = Pattern.compile("^([0-9a-fA-F]{64}) [ *](.+)$");

    public static ChecksumManifest parse(String text) {
        Map<String, String> expected = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                problems.add(FILE_NAME + " line " + (i + 1) + " is not '<sha256>  <path>'");
                continue;
            }
            String path = normalize(m.group(2));
            if (expected.put(path, m.group(1).toLowerCase(Locale.ROOT)) != null) {
                problems.add(FILE_NAME + " line " + (i + 1) + " lists '" + path + "' a second time");
            }
        }
        return new ChecksumManifest(Collections.unmodifiableMap(expected), List.copyOf(problems));
    }

    private static String normalize(String path) {
        return path.startsWith("./") ? path.substring(2) : path;
    }
}
