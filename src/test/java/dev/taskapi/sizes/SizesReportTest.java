package dev.taskapi.sizes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.sizes.SizesReport.Iteration;
import dev.taskapi.sizes.SizesReport.Run;
import dev.taskapi.sizes.SizesReport.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SizesReportTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Run fixture(String name) throws IOException {
    try (InputStream in = SizesReportTest.class.getResourceAsStream("/sizes/" + name)) {
      return SizesReport.parse(JSON.readTree(in));
    }
  }

  private static Iteration named(Run run, String name) {
    return run.iterations().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void humanSizesFollowDockerImages() {
    assertEquals("1.21GB", SizesReport.human(1_205_000_000L));
    assertEquals("458MB", SizesReport.human(458_000_000L));
    assertEquals("77.8MB", SizesReport.human(77_812_345L));
    assertEquals("1MB", SizesReport.human(1_000_000L));
    assertEquals("1MB", SizesReport.human(999_999L));
    assertEquals("1.52kB", SizesReport.human(1_520L));
    assertEquals("0B", SizesReport.human(0));
    assertEquals("999B", SizesReport.human(999));
  }

  @Test
  void parsesByteCountsAndHumanSizes() {
    assertEquals(77345, SizesReport.parseBytes("77345"));
    assertEquals(12_900_000, SizesReport.parseBytes("12.9MB"));
    assertEquals(1_200, SizesReport.parseBytes("1.2 kB"));
    assertEquals(2L * 1024 * 1024, SizesReport.parseBytes("2MiB"));
    assertEquals(0, SizesReport.parseBytes("0B"));
    assertThrows(IllegalArgumentException.class, () -> SizesReport.parseBytes("big"));
  }

  @Test
  void parsesPodmanInspectAndHistory() throws IOException {
    Run run = fixture("collected-podman.json");
    Iteration naive = named(run, "naive");
    assertEquals(Status.OK, naive.status());
    assertEquals(612_000_000L, naive.sizeBytes());
    assertEquals(4, naive.layers());
    assertEquals(4, naive.history().size());
    assertEquals(31_000_000L, naive.history().get(1).bytes());
    assertEquals("/bin/sh -c mvn -B -ntp -q -DskipTests package", naive.history().get(1).createdBy());
    assertEquals("src/scripts/sizes-bases.sh: mmdebstrap", naive.history().get(3).comment());
  }

  @Test
  void parsesDockerStyleHistoryAndInspectObject() throws IOException {
    Iteration slim = named(fixture("collected-podman.json"), "jib-slim");
    assertEquals(61_200_000L, slim.sizeBytes());
    assertEquals(5, slim.layers());
    assertEquals(List.of(77_345L, 12_900_000L, 32_000_000L, 16_200_000L),
        slim.history().stream().map(SizesReport.Layer::bytes).toList());
  }

  @Test
  void computesReductionsAgainstNaiveAndTheTarget() throws IOException {
    Run run = fixture("collected-podman.json");
    assertEquals(50.0, run.reduction(named(run, "v1-jre")).orElseThrow(), 1e-9);
    assertEquals(90.0, run.reduction(named(run, "jib-slim")).orElseThrow(), 1e-9);
    assertTrue(run.reduction(named(run, "v3-alpine")).isEmpty());
    assertEquals("jib-slim", run.smallest().orElseThrow().name());
    assertTrue(run.targetMet());
    assertTrue(run.anyFailed());
  }

  @Test
  void targetNeedsNinetyPercentAndTheRightImage() {
    Iteration naive = ok("naive", 1000);
    assertFalse(runOf(naive, ok("jib-slim", 101)).targetMet());
    assertTrue(runOf(naive, ok("v4-jlink", 100)).targetMet());
    assertFalse(runOf(naive, ok("v2-multistage", 50), ok("jib-slim", 80)).targetMet());
    assertFalse(runOf(ok("jib-slim", 10)).targetMet());
  }

  @Test
  void failedAndSkippedIterationsKeepTheirReasons() throws IOException {
    Run run = fixture("collected-podman.json");
    Iteration alpine = named(run, "v3-alpine");
    Iteration jlink = named(run, "v4-jlink");
    assertEquals(Status.SKIPPED, alpine.status());
    assertEquals(Status.FAILED, jlink.status());
    String text = SizesReport.text(run);
    assertTrue(text.contains("v3-alpine: skipped: no offline Alpine equivalent"), text);
    assertTrue(text.contains("v4-jlink: failed: GET /health did not answer 200 within 30 s"), text);
    assertFalse(runOf(ok("naive", 10), skipped("v3-alpine")).anyFailed());
  }

  @Test
  void anImageWithoutASizeIsAFailureAndNoNaiveMeansNoReductions() throws IOException {
    Run run = fixture("collected-no-naive.json");
    Iteration slim = named(run, "jib-slim");
    assertEquals(Status.FAILED, slim.status());
    assertTrue(slim.reason().contains("no image size"));
    assertTrue(run.naive().isEmpty());
    assertTrue(run.reduction(named(run, "v2-multistage")).isEmpty());
    assertFalse(run.targetMet());
    assertTrue(SizesReport.text(run).contains("n/a (no naive)"));
  }

  @Test
  void textTableHasTheSeedsColumnsAndTheLayersOfTheSmallest() throws IOException {
    String text = SizesReport.text(fixture("collected-podman.json"));
    List<String> lines = text.lines().toList();
    String header = lines.stream().filter(l -> l.startsWith("VARIANT")).findFirst().orElseThrow();
    for (String col : List.of("TECHNIQUE", "SIZE", "COMPRESSED", "LAYERS", "VS NAIVE", "JAVA")) {
      assertTrue(header.contains(col), header);
    }
    String naive = lines.stream().filter(l -> l.startsWith("naive ")).findFirst().orElseThrow();
    assertTrue(naive.contains("612MB") && naive.contains("250MB") && naive.contains("baseline"), naive);
    String slim = lines.stream().filter(l -> l.startsWith("jib-slim ")).findFirst().orElseThrow();
    assertTrue(slim.contains("61.2MB") && slim.contains("27.4MB") && slim.contains("90.0%")
        && slim.contains("25.0.1 Temurin"), slim);
    assertTrue(text.contains("Target (>= 90 %, the slim Jib or the jlink image): met"), text);
    assertTrue(text.contains("Layers of the smallest image, localhost/task-api:1.0.0-slim"), text);
    assertTrue(text.contains("12.9MB  jib-maven-plugin:3.5.2\n"), text);
    assertTrue(text.contains("Bases: Debian-built (BASES=debian)"), text);
    assertTrue(text.contains("  v1-jre           JRE_IMAGE=localhost/task-api-base/jre17:bookworm\n"), text);
    assertTrue(text.contains("OpenJDK Runtime Environment (build 17.0.17+10-Debian-1deb12u1)"), text);
  }

  @Test
  void javaVersionIsShortenedWithItsVendor() {
    assertEquals("17.0.17 Debian", SizesReport.javaShort(
        "openjdk version \"17.0.17\" 2025-10-21\nOpenJDK Runtime Environment (build 17.0.17+10-Debian-1deb12u1)\n"));
    assertEquals("21.0.5 Temurin", SizesReport.javaShort(
        "openjdk version \"21.0.5\" 2024-10-15 LTS\nOpenJDK Runtime Environment Temurin-21.0.5+11 (build x)\n"));
    assertEquals("", SizesReport.javaShort(""));
    assertEquals("?", SizesReport.javaShort("exec failed"));
  }

  @Test
  void jsonCarriesEveryIterationTheTargetAndTheLayers() throws IOException {
    JsonNode json = SizesReport.toJson(fixture("collected-podman.json"));
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
    String svg = SizesReport.svg(fixture("collected-podman.json"));
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
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
    assertEquals(SizesReport.BAR_MAX, naiveWidth);
    assertEquals(48, slimWidth);
    assertTrue(svg.contains("skipped: no offline Alpine equivalent"));
    assertTrue(svg.contains("failed: GET /health did not answer 200"));
  }

  @Test
  void markdownTableForTheReadme() throws IOException {
    String md = SizesReport.markdown(fixture("collected-podman.json"));
    assertTrue(md.startsWith("| Variant | Technique | Size | Compressed | Layers | vs naive | Java |"));
    assertTrue(md.contains("| jib-slim | Jib: jlink runtime on glibc-only base | 61.2MB | 27.4MB | 5 | 90.0% |"), md);
    assertTrue(md.contains("| v3-alpine | Alpine JRE runtime stage | skipped: no offline Alpine equivalent"), md);
  }

  @Test
  void collectsTheScriptsDirectoryInTableOrder() throws Exception {
    Path dir = Path.of(SizesReportTest.class.getResource("/sizes/collect").toURI());
    Run run = SizesReport.parse(SizesReport.collect(dir));
    assertEquals("podman 4.3.1", run.engine());
    assertEquals("debian", run.basesMode());
    assertEquals(List.of("naive", "v3-alpine", "jib-slim"), run.iterations().stream().map(Iteration::name).toList());
    Iteration naive = run.iterations().get(0);
    assertEquals(600_000_000L, naive.sizeBytes());
    assertEquals(240_000_000L, naive.compressedBytes());
    assertEquals(55.0, naive.buildSeconds(), 1e-9);
    assertEquals(3, naive.history().size(), "docker's one-object-per-line history, blank line ignored");
    assertEquals(20_000_000L, naive.history().get(1).bytes());
    assertEquals("17.0.17 Debian", SizesReport.javaShort(naive.javaVersion()));
    assertEquals("MAVEN_IMAGE=localhost/task-api-base/maven-jdk17:bookworm", naive.bases());
    Iteration alpine = run.iterations().get(1);
    assertEquals(Status.SKIPPED, alpine.status());
    assertEquals("no offline equivalent: reason = Alpine's mirrors are unreachable", alpine.reason());
    assertEquals(90.0, run.reduction(run.iterations().get(2)).orElseThrow(), 1e-9);
    assertTrue(run.targetMet());
    assertFalse(run.anyFailed());
  }

  @Test
  void layerDescriptionsReadLikeDockerHistory() {
    assertEquals("CMD [\"java\"]", SizesReport.describe(new SizesReport.Layer(0, "/bin/sh -c #(nop) CMD [\"java\"]", "")));
    assertEquals("RUN mvn package", SizesReport.describe(new SizesReport.Layer(0, "/bin/sh -c mvn   package", "")));
    assertEquals("jib-maven-plugin:3.5.2 (dependencies)",
        SizesReport.describe(new SizesReport.Layer(0, "jib-maven-plugin:3.5.2", "dependencies")));
    assertEquals("base rootfs", SizesReport.describe(new SizesReport.Layer(0, "", "base rootfs")));
    assertEquals("COPY dir:9aaa4187aabb in /app/lib/", SizesReport.describe(new SizesReport.Layer(0,
        "/bin/sh -c #(nop) COPY dir:9aaa4187aabbffa24e5ba3eada5671c716cbdf5fcba321354e158e3209f62150 in /app/lib/ ",
        "FROM eabb0123cdef")));
    assertEquals("COPY dir:ff626d28b09b in /usr/lib/", SizesReport.describe(new SizesReport.Layer(0,
        "/bin/sh -c #(nop) COPY dir:ff626d28b09b67f033dffb5540d7bc4e194a70944320fb43595e981c016ab3ce in /usr/lib/",
        "FROM localhost/task-api-base/base-nossl:bookworm")));
    assertEquals("ADD file:abc in /",
        SizesReport.describe(new SizesReport.Layer(0, "/bin/sh -c #(nop) ADD file:abc in /", "imported from tarball")));
  }

  private static Iteration ok(String name, long bytes) {
    return new Iteration(name, "", "", Status.OK, "", name, "", bytes, bytes / 2, 1, List.of(), "", "", 0);
  }

  private static Iteration skipped(String name) {
    return new Iteration(name, "", "", Status.SKIPPED, "why", "", "", 0, 0, 0, List.of(), "", "", 0);
  }

  private static Run runOf(Iteration... its) {
    return new Run("podman", "debian", "m", "d", List.of(its));
  }
}
