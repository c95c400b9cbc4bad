package dev.taskapi.sizes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskapi.testing.Command;
import dev.taskapi.testing.ScriptPrograms;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * src/scripts/SizesReport.java, the report of {@code make sizes}, run on the fixtures in src/test/resources/sizes
 * and checked through what it prints and writes. The podman fixture runs it as src/scripts/sizes.sh does (a
 * single-file source program, Jackson on the class path); the other runs launch it compiled once, for Java 17 as
 * the service is, which saves each run its compilation.
 */
class SizesReportTest {
    static final Path PROGRAM = Path.of("src", "scripts", "SizesReport.java").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String JACKSON = Stream.of(ObjectMapper.class, JsonFactory.class, JsonProperty.class)
            .map(SizesReportTest::jarOf)
            .collect(Collectors.joining(File.pathSeparator));

    /** One run of the program: its exit code, stdout, stderr and the files it wrote. */
    record Report(Command.Result result, Path out) {
        String text() {
            return result.out();
        }

        JsonNode json() throws IOException {
            return JSON.readTree(out.resolve("sizes.json").toFile());
        }

        String file(String name) throws IOException {
            return Files.readString(out.resolve(name));
        }
    }

    @TempDir
    static Path dir;

    static Path compiled;
    static Report podman;
    static Report noNaive;
    static Report collected;

    @BeforeAll
    static void runTheFixtures() throws Exception {
        Path out = Files.createTempDirectory(dir, "podman-");
        podman = new Report(
                Command.exec(
                        Duration.ofSeconds(120),
                        command(List.of(
                                PROGRAM.toString(),
                                resource("collected-podman.json").toString(),
                                out.toString()))),
                out);
        compiled = Files.createDirectory(dir.resolve("classes"));
        ScriptPrograms.compile(PROGRAM, JACKSON, compiled);
        noNaive = report(resource("collected-no-naive.json"), "no-naive");
        collected = report(resource("collect"), "collect");
    }

    @Test
    void humanSizesFollowDockerImages() throws IOException {
        long[] bytes = {1_205_000_000L, 458_000_000L, 77_812_345L, 1_000_000L, 999_999L, 1_520L, 999};
        List<String> expected = List.of("1.21GB", "458MB", "77.8MB", "1MB", "1MB", "1.52kB", "999B");
        ArrayNode its = JSON.createArrayNode();
        for (int i = 0; i < bytes.length; i++) {
            its.add(ok(i == 0 ? "naive" : "it" + i, bytes[i]).put("compressedBytes", 0));
        }
        JsonNode json = report(run(its), "human").json();
        assertEquals(expected, values(json.path("iterations"), "size"));
        assertEquals("0B", json.path("iterations").get(0).path("compressed").asText());
    }

    @Test
    void parsesByteCountsAndHumanSizesAndDescribesLayersLikeDockerHistory() throws IOException {
        // Docker's history: sizes as strings, in bytes or human units. The smallest image's layers are reported.
        String digest = "9aaa4187aabbffa24e5ba3eada5671c716cbdf5fcba321354e158e3209f62150";
        String[][] layers = {
            // Size, CreatedBy, Comment -> bytes, description
            {"77345", "/bin/sh -c #(nop) CMD [\"java\"]", "", "77345", "CMD [\"java\"]"},
            {"12.9MB", "/bin/sh -c mvn   package", "", "12900000", "RUN mvn package"},
            {"1.2 kB", "jib-maven-plugin:3.5.2", "dependencies", "1200", "jib-maven-plugin:3.5.2 (dependencies)"},
            {"2MiB", "", "base rootfs", Long.toString(2L * 1024 * 1024), "base rootfs"},
            {
                "0B",
                "/bin/sh -c #(nop) COPY dir:" + digest + " in /app/lib/ ",
                "FROM eabb0123cdef",
                "0",
                "COPY dir:9aaa4187aabb in /app/lib/"
            },
            {"0", "/bin/sh -c #(nop) ADD file:abc in /", "imported from tarball", "0", "ADD file:abc in /"},
        };
        ArrayNode history = JSON.createArrayNode();
        for (String[] l : layers) {
            history.addObject().put("Size", l[0]).put("CreatedBy", l[1]).put("Comment", l[2]);
        }
        ObjectNode slim = ok("jib-slim", 100);
        slim.set("history", history);
        JsonNode smallest =
                report(run(ok("naive", 1000), slim), "layers").json().path("smallest");
        assertEquals(Stream.of(layers).map(l -> l[3]).toList(), values(smallest.path("layers"), "bytes"));
        assertEquals(Stream.of(layers).map(l -> l[4]).toList(), values(smallest.path("layers"), "createdBy"));
    }

    @Test
    void aSizeThatIsNoSizeFailsTheReport() throws IOException {
        ObjectNode slim = ok("jib-slim", 100);
        slim.putArray("history").addObject().put("Size", "big").put("CreatedBy", "x");
        Report r = report(run(ok("naive", 1000), slim), "big");
        assertNotEquals(0, r.result().code());
        assertTrue(r.result().err().contains("not a size: big"), r.result().err());
    }

    @Test
    void parsesPodmanInspectAndHistory() throws IOException {
        // The naive image alone, so that its layers are the smallest image's, which the report lists.
        ObjectNode fixture =
                (ObjectNode) JSON.readTree(resource("collected-podman.json").toFile());
        ArrayNode its = JSON.createArrayNode().add(fixture.path("iterations").get(0));
        fixture.set("iterations", its);
        Path in = dir.resolve("naive-only.json");
        JSON.writeValue(in.toFile(), fixture);
        JsonNode json = report(in, "naive-only").json();
        JsonNode naive = json.path("iterations").get(0);
        assertEquals("ok", naive.path("status").asText());
        assertEquals(612_000_000L, naive.path("sizeBytes").asLong());
        assertEquals(4, naive.path("layers").asInt());
        JsonNode layers = json.path("smallest").path("layers");
        assertEquals(4, layers.size());
        assertEquals(31_000_000L, layers.get(1).path("bytes").asLong());
        assertEquals(
                "RUN mvn -B -ntp -q -DskipTests package",
                layers.get(1).path("createdBy").asText());
        assertEquals(
                "src/scripts/sizes-bases.sh: mmdebstrap",
                layers.get(3).path("createdBy").asText());
    }

    @Test
    void parsesDockerStyleHistoryAndInspectObject() throws IOException {
        JsonNode json = podman.json();
        JsonNode slim = json.path("iterations").get(4);
        assertEquals("jib-slim", slim.path("name").asText());
        assertEquals(61_200_000L, slim.path("sizeBytes").asLong());
        assertEquals(5, slim.path("layers").asInt());
        assertEquals(
                List.of("77345", "12900000", "32000000", "16200000"),
                values(json.path("smallest").path("layers"), "bytes"));
    }

    @Test
    void computesReductionsAgainstNaiveAndTheTarget() throws IOException {
        JsonNode its = podman.json().path("iterations");
        assertEquals(50.0, its.get(1).path("reductionPercent").asDouble(), 1e-9);
        assertEquals(90.0, its.get(4).path("reductionPercent").asDouble(), 1e-9);
        assertTrue(its.get(2).path("reductionPercent").isMissingNode(), "v3-alpine was not measured");
        assertEquals("jib-slim", podman.json().path("smallest").path("name").asText());
        assertTrue(podman.json().path("target").path("met").asBoolean());
        assertTrue(podman.json().path("failed").asBoolean());
        assertEquals(1, podman.result().code(), "a failed iteration fails the report");
    }

    @Test
    void targetNeedsNinetyPercentAndTheRightImage() throws IOException {
        assertFalse(targetMet(ok("naive", 1000), ok("jib-slim", 101)));
        assertTrue(targetMet(ok("naive", 1000), ok("v4-jlink", 100)));
        assertFalse(targetMet(ok("naive", 1000), ok("v2-multistage", 50), ok("jib-slim", 80)));
        assertFalse(targetMet(ok("jib-slim", 10)));
    }

    @Test
    void failedAndSkippedIterationsKeepTheirReasons() throws IOException {
        JsonNode its = podman.json().path("iterations");
        assertEquals("skipped", its.get(2).path("status").asText());
        assertEquals("failed", its.get(3).path("status").asText());
        String text = podman.text();
        assertTrue(text.contains("v3-alpine: skipped: no offline Alpine equivalent"), text);
        assertTrue(text.contains("v4-jlink: failed: GET /health did not answer 200 within 30 s"), text);
        ObjectNode skipped = JSON.createObjectNode()
                .put("name", "v3-alpine")
                .put("status", "skipped")
                .put("reason", "why");
        Report r = report(run(ok("naive", 10), skipped), "skipped");
        assertEquals(0, r.result().code(), r.result().err());
        assertFalse(r.json().path("failed").asBoolean());
    }

    @Test
    void anImageWithoutASizeIsAFailureAndNoNaiveMeansNoReductions() throws IOException {
        JsonNode json = noNaive.json();
        JsonNode slim = json.path("iterations").get(2);
        assertEquals("failed", slim.path("status").asText());
        assertTrue(slim.path("reason").asText().contains("no image size"), slim.toString());
        assertTrue(json.path("naiveBytes").isNull());
        assertTrue(json.path("iterations").get(1).path("reductionPercent").isNull());
        assertFalse(json.path("target").path("met").asBoolean());
        assertTrue(noNaive.text().contains("n/a (no naive)"), noNaive.text());
    }

    @Test
    void textTableHasItsColumnsAndTheLayersOfTheSmallest() {
        String text = podman.text();
        List<String> lines = text.lines().toList();
        String header =
                lines.stream().filter(l -> l.startsWith("VARIANT")).findFirst().orElseThrow();
        for (String col : List.of("TECHNIQUE", "SIZE", "COMPRESSED", "LAYERS", "VS NAIVE", "JAVA")) {
            assertTrue(header.contains(col), header);
        }
        String naive =
                lines.stream().filter(l -> l.startsWith("naive ")).findFirst().orElseThrow();
        assertTrue(naive.contains("612MB") && naive.contains("250MB") && naive.contains("baseline"), naive);
        String slim = lines.stream()
                .filter(l -> l.startsWith("jib-slim "))
                .findFirst()
                .orElseThrow();
        assertTrue(
                slim.contains("61.2MB")
                        && slim.contains("27.4MB")
                        && slim.contains("90.0%")
                        && slim.contains("25.0.1 Temurin"),
                slim);
        assertTrue(text.contains("Target (>= 90 %, the slim Jib or the jlink image): met"), text);
        assertTrue(text.contains("Layers of the smallest image, localhost/task-api:1.0.0-slim"), text);
        assertTrue(text.contains("12.9MB  jib-maven-plugin:3.5.2\n"), text);
        assertTrue(text.contains("Bases: Debian-built (BASES=debian)"), text);
        assertTrue(text.contains("  v1-jre           JRE_IMAGE=localhost/task-api-base/jre17:bookworm\n"), text);
        assertTrue(text.contains("OpenJDK Runtime Environment (build 17.0.17+10-Debian-1deb12u1)"), text);
        assertTrue(text.contains("Wrote " + podman.out().resolve("sizes.json")), text);
    }

    @Test
    void javaVersionIsShortenedWithItsVendor() throws IOException {
        List<String> outputs = List.of(
                "openjdk version \"17.0.17\" 2025-10-21\nOpenJDK Runtime Environment (build 17.0.17+10-Debian-1deb12u1)\n",
                "openjdk version \"21.0.5\" 2024-10-15 LTS\nOpenJDK Runtime Environment Temurin-21.0.5+11 (build x)\n",
                "",
                "exec failed");
        ArrayNode its = JSON.createArrayNode();
        for (int i = 0; i < outputs.size(); i++) {
            its.add(ok("it" + i, 100 + i).put("javaVersion", outputs.get(i)));
        }
        assertEquals(
                List.of("17.0.17 Debian", "21.0.5 Temurin", "", "?"),
                values(report(run(its), "java").json().path("iterations"), "java"));
    }

    @Test
    void jsonCarriesEveryIterationTheTargetAndTheLayers() throws IOException {
        JsonNode json = podman.json();
        assertEquals(612_000_000L, json.path("naiveBytes").asLong());
        assertEquals(5, json.path("iterations").size());
        JsonNode slim = json.path("iterations").get(4);
        assertEquals("ok", slim.path("status").asText());
        assertEquals(90.0, slim.path("reductionPercent").asDouble(), 1e-9);
        assertEquals("61.2MB", slim.path("size").asText());
        assertEquals("skipped", json.path("iterations").get(2).path("status").asText());
        assertTrue(json.path("iterations").get(2).path("sizeBytes").isMissingNode());
        assertEquals("jib-slim", json.path("smallest").path("name").asText());
        assertEquals(4, json.path("smallest").path("layers").size());
        assertTrue(json.path("target").path("met").asBoolean());
        assertTrue(json.path("failed").asBoolean());
    }

    @Test
    void svgIsWellFormedWithBarsProportionalToSize() throws Exception {
        String svg = podman.file("sizes.svg");
        Document doc = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList rects = doc.getElementsByTagName("rect");
        // background + one bar per measured image (naive, v1-jre, jib-slim)
        assertEquals(4, rects.getLength());
        int naiveWidth = 0;
        int slimWidth = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if ("612000000".equals(r.getAttribute("data-bytes"))) {
                naiveWidth = Integer.parseInt(r.getAttribute("width"));
            }
            if ("61200000".equals(r.getAttribute("data-bytes"))) {
                slimWidth = Integer.parseInt(r.getAttribute("width"));
            }
        }
        assertEquals(480, naiveWidth, "the largest image's bar is the full width");
        assertEquals(48, slimWidth);
        assertTrue(svg.contains("skipped: no offline Alpine equivalent"));
        assertTrue(svg.contains("failed: GET /health did not answer 200"));
    }

    @Test
    void markdownTableForTheReadme() throws IOException {
        String md = podman.file("sizes.md");
        assertTrue(md.startsWith("| Variant | Technique | Size | Compressed | Layers | vs naive | Java |"));
        assertTrue(
                md.contains("| jib-slim | Jib: jlink runtime on glibc-only base | 61.2MB | 27.4MB | 5 | 90.0% |"), md);
        assertTrue(md.contains("| v3-alpine | Alpine JRE runtime stage | skipped: no offline Alpine equivalent"), md);
    }

    @Test
    void collectsTheScriptsDirectoryInTableOrder() throws IOException {
        assertEquals(0, collected.result().code(), collected.result().err());
        JsonNode json = collected.json();
        assertEquals("podman 4.3.1", json.path("engine").asText());
        assertEquals("debian", json.path("bases").asText());
        assertEquals(List.of("naive", "v3-alpine", "jib-slim"), values(json.path("iterations"), "name"));
        JsonNode naive = json.path("iterations").get(0);
        assertEquals(600_000_000L, naive.path("sizeBytes").asLong());
        assertEquals(240_000_000L, naive.path("compressedBytes").asLong());
        assertEquals(55.0, naive.path("buildSeconds").asDouble(), 1e-9);
        assertEquals("17.0.17 Debian", naive.path("java").asText());
        assertEquals(
                "MAVEN_IMAGE=localhost/task-api-base/maven-jdk17:bookworm",
                naive.path("bases").asText());
        JsonNode assembled =
                JSON.readTree(collected.out().resolve("collected.json").toFile());
        assertEquals(
                3,
                assembled.path("iterations").get(0).path("history").size(),
                "docker's one-object-per-line history, blank line ignored");
        assertEquals(
                "20000000",
                assembled
                        .path("iterations")
                        .get(0)
                        .path("history")
                        .get(1)
                        .path("Size")
                        .asText());
        JsonNode alpine = json.path("iterations").get(1);
        assertEquals("skipped", alpine.path("status").asText());
        assertEquals(
                "no offline equivalent: reason = Alpine's mirrors are unreachable",
                alpine.path("reason").asText());
        assertEquals(
                90.0, json.path("iterations").get(2).path("reductionPercent").asDouble(), 1e-9);
        assertTrue(json.path("target").path("met").asBoolean());
        assertFalse(json.path("failed").asBoolean());
    }

    @Test
    void withoutItsTwoArgumentsItPrintsItsUsage() {
        Command.Result r = launch(List.of());
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains("usage: java -cp 'target/lib/*' src/scripts/SizesReport.java COLLECTED OUT_DIR"),
                r.err());
    }

    // ---------------------------------------------------------------- running the program

    /** An iteration measured at {@code bytes}, with one layer, as collected.json holds it. */
    private static ObjectNode ok(String name, long bytes) {
        ObjectNode it = JSON.createObjectNode()
                .put("name", name)
                .put("status", "ok")
                .put("image", name)
                .put("compressedBytes", bytes / 2);
        it.putObject("inspect")
                .put("Size", bytes)
                .putObject("RootFS")
                .putArray("Layers")
                .add("sha256:1");
        it.putArray("history");
        return it;
    }

    private static Path run(ObjectNode... iterations) throws IOException {
        ArrayNode its = JSON.createArrayNode();
        Stream.of(iterations).forEach(its::add);
        return run(its);
    }

    private static Path run(ArrayNode iterations) throws IOException {
        ObjectNode root = JSON.createObjectNode()
                .put("engine", "podman")
                .put("bases", "debian")
                .put("machine", "m")
                .put("date", "d");
        root.set("iterations", iterations);
        Path in = Files.createTempFile(dir, "collected-", ".json");
        JSON.writeValue(in.toFile(), root);
        return in;
    }

    private static boolean targetMet(ObjectNode... iterations) throws IOException {
        return report(run(iterations), "target")
                .json()
                .path("target")
                .path("met")
                .asBoolean();
    }

    private static List<String> values(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(n -> n.path(field).asText())
                .toList();
    }

    private static Path resource(String name) throws IOException {
        try {
            return Path.of(SizesReportTest.class.getResource("/sizes/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static Report report(Path in, String name) throws IOException {
        Path out = Files.createTempDirectory(dir, name + "-");
        return new Report(launch(List.of(in.toString(), out.toString())), out);
    }

    /** The compiled program run with ARGS. */
    private static Command.Result launch(List<String> args) {
        List<String> command = new ArrayList<>(List.of("SizesReport"));
        command.addAll(args);
        return Command.exec(Duration.ofSeconds(120), command(command, compiled.toString()));
    }

    /** {@code java -cp [CLASSES:]JACKSON ARGS}, with this JVM's java and its Jackson jars. */
    private static List<String> command(List<String> args, String... classes) {
        List<String> cp = new ArrayList<>(List.of(classes));
        cp.add(JACKSON);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                String.join(File.pathSeparator, cp)));
        command.addAll(args);
        return command;
    }

    private static String jarOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
