package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an image scanner sees in each image, read back from the image tar's layers (the images have no shell): the
 * operating system's packages (Debian's package database: /var/lib/dpkg/status.d/PACKAGE as distroless keeps it,
 * or /var/lib/dpkg/status), the application's CycloneDX SBOM at /usr/share/sbom/task-api.cdx.json, and, in the
 * slim images, the jlink runtime's at /usr/share/sbom/java-runtime.cdx.json. They must name what is inside: glibc,
 * the Java runtime, and every jar on the image's classpath.
 */
@Tag("container")
class ImageSbomIT {
    static final String APP_SBOM = "usr/share/sbom/task-api.cdx.json";
    static final String RUNTIME_SBOM = "usr/share/sbom/java-runtime.cdx.json";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"slim", "slim-aot", "distroless"})
    void theImageNamesWhatItHolds(String variant) throws Exception {
        Path tar = ImageTars.tar(ImageTars.JIB, variant);
        Prerequisites.require(
                Files.isRegularFile(tar),
                tar + " is missing: `make images` builds it"
                        + " (`make test` does so first when a container engine exists)");
        Image image = Image.unpack(tar, work);

        // Operating-system packages: glibc always; the distroless image's Java is Debian's package.
        Map<String, String> packages = image.debianPackages();
        assertTrue(packages.containsKey("libc6"), variant + ": libc6 (glibc) in the package database: " + packages);
        assertNotNull(
                image.read("etc/os-release", "usr/lib/os-release"),
                variant + ": /etc/os-release (scanners need the distro)");

        // The application's SBOM: the one the build wrote, alone in its layer, naming the app and every jar it runs.
        byte[] sbomBytes = image.bytes(APP_SBOM);
        assertNotNull(sbomBytes, variant + ": /" + APP_SBOM);
        Path built = Path.of("target", "sbom", "task-api.cdx.json");
        if (Files.isRegularFile(built)) {
            assertEquals(
                    Files.readString(built),
                    new String(sbomBytes, StandardCharsets.UTF_8),
                    variant + ": /" + APP_SBOM + " is the build's " + built
                            + " (and the build writes the same bytes each time)");
        }
        JsonNode sbom = JSON.readTree(sbomBytes);
        assertEquals("CycloneDX", sbom.path("bomFormat").asText());
        assertTrue(
                sbom.path("metadata").path("timestamp").isMissingNode(),
                "no build timestamp: " + sbom.path("metadata"));
        JsonNode app = sbom.path("metadata").path("component");
        assertEquals("task-api", app.path("name").asText(), app.toString());
        assertEquals(Engine.lib(null, "version"), app.path("version").asText(), app.toString());
        Set<String> sbomJars = new TreeSet<>();
        sbom.path("components").forEach(c -> sbomJars.add(jarName(c)));
        sbomJars.add(jarName(app));

        List<String> classpath = image.classpath();
        List<String> jars = classpath.stream().filter(e -> e.endsWith(".jar")).toList();
        assertTrue(jars.size() > 10, variant + ": the dependency jars on the classpath: " + classpath);
        for (String jar : jars) {
            assertTrue(image.has(jar.substring(1)), variant + ": " + jar + " (on the classpath) is in the image");
            String file = jar.substring(jar.lastIndexOf('/') + 1);
            assertTrue(
                    sbomJars.contains(file),
                    variant + ": " + file + " (on the classpath) is named in the SBOM; it names " + sbomJars);
        }
        Set<String> libs = image.files("app/libs/").stream()
                .map(f -> f.substring(f.lastIndexOf('/') + 1))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(
                libs,
                jars.stream()
                        .filter(j -> j.startsWith("/app/libs/"))
                        .map(j -> j.substring("/app/libs/".length()))
                        .collect(Collectors.toCollection(TreeSet::new)),
                variant + ": every jar in /app/libs is on the classpath");

        // The Java runtime.
        if (variant.startsWith("slim")) {
            assertFalse(
                    packages.keySet().stream().anyMatch(p -> p.startsWith("openjdk")), "no Debian JDK in " + variant);
            Map<String, String> release = release(image.read("opt/java/release"));
            JsonNode runtime =
                    JSON.readTree(image.bytes(RUNTIME_SBOM)).path("metadata").path("component");
            assertEquals("platform", runtime.path("type").asText(), runtime.toString());
            assertTrue(runtime.path("name").asText().contains("temurin"), "the Temurin runtime: " + runtime);
            assertTrue(
                    runtime.path("version").asText().startsWith(release.get("JAVA_VERSION")),
                    "runtime version " + runtime.path("version") + " vs /opt/java/release " + release);
            Map<String, String> props = new TreeMap<>();
            runtime.path("properties")
                    .forEach(p ->
                            props.put(p.path("name").asText(), p.path("value").asText()));
            assertEquals(release.get("JAVA_VERSION"), props.get("java.version"), props.toString());
            List<String> modules =
                    Arrays.asList(props.getOrDefault("java.modules", "").split(","));
            assertEquals(Arrays.asList(release.get("MODULES").split(" ")), modules, "the runtime's modules");
            assertTrue(
                    modules.containsAll(
                            Arrays.asList(Engine.lib(null, "jlink-modules").split(","))),
                    "pom.xml's image.jlink.modules in " + modules);
            assertTrue(release.get("JAVA_VERSION").startsWith("25"), "one Java feature release: " + release);
            assertEquals(List.of("sbom"), image.layersHolding("usr/share/sbom/"), variant + ": the SBOM layer");
        } else {
            assertTrue(
                    packages.containsKey("openjdk-17-jre-headless"),
                    "Debian's JDK in the package database: " + packages);
            Map<String, String> release = release(image.read("usr/lib/jvm/java-17-openjdk-amd64/release"));
            assertTrue(
                    packages.get("openjdk-17-jre-headless").startsWith(release.get("JAVA_VERSION") + "+"),
                    "the runtime " + release + " is the package " + packages.get("openjdk-17-jre-headless"));
            assertEquals(1, image.layersHolding("usr/share/sbom/").size(), variant + ": one SBOM layer");
        }
        System.out.println("[" + variant + "] " + packages.size() + " Debian packages, " + jars.size()
                + " jars on the classpath, all in the SBOM (" + (sbomJars.size()) + " components)");
    }

    /** A Maven component's jar file name: artifactId-version[-classifier].jar. */
    static String jarName(JsonNode component) {
        Matcher classifier = Pattern.compile("[?&]classifier=([^&]+)")
                .matcher(component.path("purl").asText());
        return component.path("name").asText() + "-" + component.path("version").asText()
                + (classifier.find() ? "-" + classifier.group(1) : "") + ".jar";
    }

    static Map<String, String> release(String text) {
        assertNotNull(text, "a release file");
        Map<String, String> m = new TreeMap<>();
        text.lines()
                .map(l -> l.split("=", 2))
                .filter(kv -> kv.length == 2)
                .forEach(kv -> m.put(kv[0], kv[1].replaceAll("^\"|\"$", "")));
        return m;
    }

    /** A docker-archive image unpacked: its layers in order, each listed; members extracted on demand with GNU tar. */
    record Image(Path dir, List<Path> layers, List<String> history, List<Map<String, String>> members) {
        static Image unpack(Path tar, Path dir) throws IOException {
            exec("tar", "-xf", tar.toAbsolutePath().toString(), "-C", dir.toString());
            JsonNode manifest =
                    JSON.readTree(dir.resolve("manifest.json").toFile()).get(0);
            List<Path> layers = new ArrayList<>();
            manifest.get("Layers").forEach(l -> layers.add(dir.resolve(l.asText())));
            // Jib names its layers in the history's comment (dependencies, resources, extra files, sbom, ...).
            List<String> history = new ArrayList<>();
            JSON.readTree(dir.resolve(manifest.get("Config").asText()).toFile())
                    .path("history")
                    .forEach(h -> {
                        if (!h.path("empty_layer").asBoolean()) {
                            history.add(
                                    h.hasNonNull("comment")
                                            ? h.get("comment").asText()
                                            : h.path("created_by").asText());
                        }
                    });
            List<Map<String, String>> members = new ArrayList<>();
            for (Path layer : layers) {
                Map<String, String> names = new TreeMap<>();
                exec("tar", "-tf", layer.toString()).lines().forEach(n -> names.put(normalize(n), n));
                members.add(names);
            }
            return new Image(dir, layers, history, members);
        }

        static String normalize(String name) {
            return name.replaceFirst("^\\./", "").replaceFirst("^/", "");
        }

        /** The index of the layer that provides {@code path} last (the one a container sees), or -1. */
        int layerOf(String path) {
            int found = -1;
            for (int i = 0; i < layers.size(); i++) {
                if (members.get(i).containsKey(path)) {
                    found = i;
                }
            }
            return found;
        }

        boolean has(String path) {
            return layerOf(path) >= 0;
        }

        /** Extracts {@code paths} (all from layer {@code i}) in one pass; returns that layer's directory. */
        Path extract(int i, List<String> paths) throws IOException {
            Path out = dir.resolve("layer-" + i);
            Files.createDirectories(out);
            List<String> missing = paths.stream()
                    .filter(p -> !Files.exists(out.resolve(p), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(p -> members.get(i).get(p))
                    .toList();
            if (!missing.isEmpty()) {
                List<String> cmd =
                        new ArrayList<>(List.of("tar", "-xf", layers.get(i).toString(), "-C", out.toString()));
                cmd.addAll(missing);
                exec(cmd.toArray(String[]::new));
            }
            return out;
        }

        byte[] bytes(String path) throws IOException {
            int i = layerOf(path);
            if (i < 0) {
                return null;
            }
            Path file = extract(i, List.of(path)).resolve(path);
            if (Files.isSymbolicLink(file)) {
                String target = Files.readSymbolicLink(file).toString();
                String resolved = target.startsWith("/")
                        ? target.substring(1)
                        : Path.of(path).resolveSibling(target).normalize().toString();
                return bytes(resolved);
            }
            return Files.readAllBytes(file);
        }

        /** The first of {@code paths} the image holds, as text, or null. */
        String read(String... paths) throws IOException {
            for (String p : paths) {
                byte[] b = bytes(p);
                if (b != null) {
                    return new String(b, StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        /** Entries (not directories) under {@code prefix}, in any layer. */
        Set<String> files(String prefix) {
            Set<String> all = new TreeSet<>();
            members.forEach(names -> names.keySet().stream()
                    .filter(n -> n.startsWith(prefix) && n.length() > prefix.length() && !n.endsWith("/"))
                    .forEach(all::add));
            return all;
        }

        /** The names (history comments) of the layers that hold anything under {@code prefix}. */
        List<String> layersHolding(String prefix) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                if (members.get(i).keySet().stream().anyMatch(n -> n.startsWith(prefix) && !n.equals(prefix))) {
                    out.add(i < history.size() ? history.get(i) : "layer " + i);
                }
            }
            return out;
        }

        /** Debian's package database: package to version (status.d/PACKAGE files, or the single status file). */
        Map<String, String> debianPackages() throws IOException {
            StringBuilder records = new StringBuilder();
            for (int i = 0; i < layers.size(); i++) {
                int layer = i;
                List<String> status = members.get(i).keySet().stream()
                        .filter(n -> (n.startsWith("var/lib/dpkg/status.d/") && !n.endsWith("/"))
                                || n.equals("var/lib/dpkg/status"))
                        .filter(n -> layerOf(n) == layer)
                        .toList();
                if (!status.isEmpty()) {
                    Path root = extract(i, status);
                    for (String f : status) {
                        records.append(Files.readString(root.resolve(f))).append("\n\n");
                    }
                }
            }
            Map<String, String> packages = new TreeMap<>();
            for (String record : records.toString().split("\n\\s*\n")) {
                Matcher name = Pattern.compile("(?m)^Package: *(\\S+)").matcher(record);
                Matcher version = Pattern.compile("(?m)^Version: *(\\S+)").matcher(record);
                if (name.find() && version.find()) {
                    packages.put(name.group(1), version.group(1));
                }
            }
            return packages;
        }

        /** The image's classpath as Jib wrote it (/app/jib-classpath-file): absolute paths. */
        List<String> classpath() throws IOException {
            String cp = read("app/jib-classpath-file");
            assertNotNull(cp, "/app/jib-classpath-file");
            return Arrays.stream(cp.strip().split(":")).toList();
        }

        static String exec(String... cmd) {
            return Engine.exec(Duration.ofMinutes(2), List.of(cmd))
                    .check(String.join(" ", cmd))
                    .out();
        }
    }
}
