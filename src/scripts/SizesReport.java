import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report of {@code make sizes}: reads what src/scripts/sizes.sh collected from the container engine
 * (image inspect, history, compressed size, smoke test, java -version of every iteration) and renders the
 * table, the layer breakdown of the smallest image, target/sizes/sizes.json and the bar chart sizes.svg.
 *
 * <p>A single-file source program (Java 17+), run with the service's own Jackson jars, which {@code mvn package}
 * copies to target/lib:
 *
 * <pre>java -cp 'target/lib/*' src/scripts/SizesReport.java COLLECTED OUT_DIR</pre>
 *
 * <p>COLLECTED is the directory sizes.sh writes (assembled into OUT_DIR/collected.json) or such a collected.json.
 * Prints the report to stdout, writes OUT_DIR/sizes.json, sizes.svg and sizes.md, and exits 1 when an iteration
 * failed (a skipped one, with its reason, is not a failure). SizesReportTest runs it on fixtures.
 */
public final class SizesReport {

    /** The target of the diet: the smallest image at least this much smaller than the naive one. */
    static final double TARGET_REDUCTION_PERCENT = 90.0;

    static final String NAIVE = "naive";

    enum Status {
        OK,
        FAILED,
        SKIPPED
    }

    /** One history entry: what made a layer and how many bytes it added. */
    record Layer(long bytes, String createdBy, String comment) {}

    /** One iteration as collected, with the numbers the report derives from it. */
    record Iteration(
            String name,
            String technique,
            String source,
            Status status,
            String reason,
            String image,
            String bases,
            long sizeBytes,
            long compressedBytes,
            int layers,
            List<Layer> history,
            String javaVersion,
            String health,
            double buildSeconds) {

        boolean ok() {
            return status == Status.OK;
        }
    }

    /** The whole run: environment facts and every iteration, in table order. */
    record Run(String engine, String basesMode, String machine, String date, List<Iteration> iterations) {

        Optional<Iteration> naive() {
            return iterations.stream()
                    .filter(i -> i.name().equals(NAIVE) && i.ok())
                    .findFirst();
        }

        Optional<Iteration> smallest() {
            return iterations.stream().filter(Iteration::ok).min(Comparator.comparingLong(Iteration::sizeBytes));
        }

        boolean anyFailed() {
            return iterations.stream().anyMatch(i -> i.status() == Status.FAILED);
        }

        /** Percent smaller than the naive image of the same run; empty without a measured naive image. */
        Optional<Double> reduction(Iteration it) {
            if (!it.ok()) {
                return Optional.empty();
            }
            return naive().map(n -> reductionPercent(n.sizeBytes(), it.sizeBytes()));
        }

        /** The issue's target: smallest ≥ 90 % smaller than naive, and it is the slim Jib or the jlink image. */
        boolean targetMet() {
            Optional<Iteration> s = smallest();
            Optional<Double> r = s.flatMap(this::reduction);
            return s.isPresent()
                    && r.isPresent()
                    && r.get() >= TARGET_REDUCTION_PERCENT
                    && (s.get().name().equals("jib-slim") || s.get().name().equals("v4-jlink"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SizesReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java -cp 'target/lib/*' src/scripts/SizesReport.java COLLECTED OUT_DIR");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        JsonNode collected;
        if (Files.isDirectory(in)) {
            collected = collect(in);
            Files.writeString(out.resolve("collected.json"), JSON.writeValueAsString(collected) + "\n");
        } else {
            collected = JSON.readTree(Files.readString(in, StandardCharsets.UTF_8));
        }
        Run run = parse(collected);
        Files.writeString(out.resolve("sizes.json"), JSON.writeValueAsString(toJson(run)) + "\n");
        Files.writeString(out.resolve("sizes.svg"), svg(run));
        Files.writeString(out.resolve("sizes.md"), markdown(run));
        PrintStream o = System.out;
        o.print(text(run));
        o.println("Wrote " + out.resolve("sizes.json") + ", " + out.resolve("sizes.svg") + " and "
                + out.resolve("sizes.md") + " (the table in Markdown)");
        System.exit(run.anyFailed() ? 1 : 0);
    }

    // ---------------------------------------------------------------- collecting the script's output

    /**
     * Assembles the collected JSON from the directory src/scripts/sizes.sh writes, so that the script never has
     * to produce JSON itself: {@code run.env} (key=value lines: engine, bases, machine, date) and one directory
     * per iteration, in table order by name ({@code 0-naive}, {@code 1-v1-jre}, ...), each with {@code meta.env}
     * (name, technique, source, status, reason, image, bases, health, buildSeconds, compressedBytes) and, for a
     * measured image, {@code inspect.json}, {@code history.json} (a JSON array, or one object per line as docker
     * prints it) and {@code java-version.txt}.
     */
    static ObjectNode collect(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        keyValues(dir.resolve("run.env")).forEach(root::put);
        ArrayNode its = root.putArray("iterations");
        List<Path> dirs;
        try (var s = Files.list(dir)) {
            dirs = s.filter(Files::isDirectory)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
        for (Path d : dirs) {
            ObjectNode it = its.addObject();
            Map<String, String> meta = keyValues(d.resolve("meta.env"));
            for (var e : meta.entrySet()) {
                switch (e.getKey()) {
                    case "buildSeconds" -> it.put(e.getKey(), Double.parseDouble(e.getValue()));
                    case "compressedBytes" -> it.put(e.getKey(), Long.parseLong(e.getValue()));
                    default -> it.put(e.getKey(), e.getValue());
                }
            }
            Path inspect = d.resolve("inspect.json");
            if (Files.isRegularFile(inspect)) {
                it.set("inspect", JSON.readTree(Files.readString(inspect)));
            }
            Path history = d.resolve("history.json");
            if (Files.isRegularFile(history)) {
                it.set("history", readJsonArrayOrLines(Files.readString(history)));
            }
            Path java = d.resolve("java-version.txt");
            if (Files.isRegularFile(java)) {
                it.put("javaVersion", Files.readString(java));
            }
        }
        return root;
    }

    static ArrayNode readJsonArrayOrLines(String text) throws IOException {
        String t = text.strip();
        if (t.startsWith("[")) {
            return (ArrayNode) JSON.readTree(t);
        }
        ArrayNode arr = JSON.createArrayNode();
        for (String line :
                t.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            arr.add(JSON.readTree(line));
        }
        return arr;
    }

    /** key=value lines (the value is everything after the first '='; blank lines and # comments skipped). */
    static Map<String, String> keyValues(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return m;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || eq <= 0) {
                continue;
            }
            m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return m;
    }

    // ---------------------------------------------------------------- parsing engine output

    static Run parse(JsonNode root) {
        List<Iteration> its = new ArrayList<>();
        for (JsonNode n : root.path("iterations")) {
            its.add(parseIteration(n));
        }
        return new Run(
                root.path("engine").asText(""),
                root.path("bases").asText(""),
                root.path("machine").asText(""),
                root.path("date").asText(""),
                List.copyOf(its));
    }

    static Iteration parseIteration(JsonNode n) {
        Status status = Status.valueOf(n.path("status").asText("failed").toUpperCase(Locale.ROOT));
        String reason = n.path("reason").asText("");
        long size = 0;
        int layers = 0;
        List<Layer> history = List.of();
        if (status == Status.OK) {
            JsonNode inspect = n.path("inspect");
            if (inspect.isArray()) {
                inspect = inspect.path(0);
            }
            if (!inspect.path("Size").canConvertToLong() || inspect.path("Size").asLong() <= 0) {
                status = Status.FAILED;
                reason = "no image size in the engine's inspect output";
            } else {
                size = inspect.path("Size").asLong();
                layers = inspect.path("RootFS").path("Layers").size();
                history = parseHistory(n.path("history"));
            }
        }
        return new Iteration(
                n.path("name").asText(),
                n.path("technique").asText(""),
                n.path("source").asText(""),
                status,
                reason,
                n.path("image").asText(""),
                n.path("bases").asText(""),
                size,
                n.path("compressedBytes").asLong(0),
                layers,
                history,
                n.path("javaVersion").asText(""),
                n.path("health").asText(""),
                n.path("buildSeconds").asDouble(0));
    }

    /**
     * History as either engine prints it: podman's {@code history --format json} (an array, keys
     * {@code size}, {@code CreatedBy}, {@code comment}, sizes in bytes) or docker's {@code history --no-trunc
     * --human=false --format '{{json .}}'} (one object per line, collected into an array by the script; keys
     * {@code Size} as a string of bytes, {@code CreatedBy}, {@code Comment}). Newest layer first, as both print.
     */
    static List<Layer> parseHistory(JsonNode history) {
        List<Layer> layers = new ArrayList<>();
        for (JsonNode h : history) {
            JsonNode size = field(h, "size");
            long bytes = size.isNumber() ? size.asLong() : parseBytes(size.asText("0"));
            layers.add(new Layer(
                    bytes,
                    field(h, "createdBy").asText("").trim(),
                    field(h, "comment").asText("").trim()));
        }
        return List.copyOf(layers);
    }

    private static JsonNode field(JsonNode node, String name) {
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static final Pattern HUMAN = Pattern.compile("(?i)\\s*([0-9.]+)\\s*([kmgt]?i?b?)\\s*");

    /** Bytes from "12345", or from a human size such as "77.8MB" / "1.2 kB" (SI units, as docker prints). */
    static long parseBytes(String s) {
        Matcher m = HUMAN.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: " + s);
        }
        double v = Double.parseDouble(m.group(1));
        String u = m.group(2).toLowerCase(Locale.ROOT);
        double f = switch (u.isEmpty() ? ' ' : u.charAt(0)) {
            case 'k' -> u.contains("i") ? 1024d : 1e3;
            case 'm' -> u.contains("i") ? 1024d * 1024 : 1e6;
            case 'g' -> u.contains("i") ? 1024d * 1024 * 1024 : 1e9;
            case 't' -> u.contains("i") ? 1024d * 1024 * 1024 * 1024 : 1e12;
            default -> 1;
        };
        return Math.round(v * f);
    }

    // ---------------------------------------------------------------- numbers

    static double reductionPercent(long naiveBytes, long bytes) {
        return (1.0 - (double) bytes / naiveBytes) * 100.0;
    }

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    /** A size as {@code docker images} prints it: SI units, three significant digits, no trailing zeros. */
    static String human(long bytes) {
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < UNITS.length - 1) {
            v /= 1000;
            u++;
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3, RoundingMode.HALF_EVEN));
        if (d.compareTo(BigDecimal.valueOf(1000)) >= 0 && u < UNITS.length - 1) {
            d = d.divide(BigDecimal.valueOf(1000)).round(new MathContext(3, RoundingMode.HALF_EVEN));
            u++;
        }
        return d.stripTrailingZeros().toPlainString() + UNITS[u];
    }

    static String percent(double p) {
        return String.format(Locale.ROOT, "%.1f%%", p);
    }

    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^(?:openjdk|java) version \"([^\"]+)\"");
    private static final Pattern JAVA_RUNTIME = Pattern.compile("(?m)^(.*Runtime Environment.*)$");

    /** "17.0.17 (Debian)" from java -version's output: the version and the vendor part of the runtime line. */
    static String javaShort(String javaVersionOutput) {
        Matcher v = JAVA_VERSION.matcher(javaVersionOutput);
        if (!v.find()) {
            return javaVersionOutput.isBlank() ? "" : "?";
        }
        String vendor = "";
        Matcher r = JAVA_RUNTIME.matcher(javaVersionOutput);
        if (r.find()) {
            String line = r.group(1);
            if (line.contains("Debian")) {
                vendor = "Debian";
            } else if (line.contains("Temurin")) {
                vendor = "Temurin";
            } else if (line.startsWith("OpenJDK")) {
                vendor = "OpenJDK";
            }
        }
        return vendor.isEmpty() ? v.group(1) : v.group(1) + " " + vendor;
    }

    // ---------------------------------------------------------------- text

    static String text(Run run) {
        StringBuilder b = new StringBuilder();
        b.append("Image sizes of task-api, measured ")
                .append(run.date())
                .append(" with ")
                .append(run.engine())
                .append(" on ")
                .append(run.machine())
                .append('\n');
        b.append("Bases: ").append(basesLine(run.basesMode())).append("\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VARIANT", "TECHNIQUE", "SIZE", "COMPRESSED", "LAYERS", "VS NAIVE", "JAVA"});
        for (Iteration it : run.iterations()) {
            if (it.ok()) {
                String red = it.name().equals(NAIVE)
                        ? "baseline"
                        : run.reduction(it).map(SizesReport::percent).orElse("n/a (no naive)");
                rows.add(new String[] {
                    it.name(),
                    it.technique(),
                    human(it.sizeBytes()),
                    it.compressedBytes() > 0 ? human(it.compressedBytes()) : "?",
                    Integer.toString(it.layers()),
                    red,
                    javaShort(it.javaVersion())
                });
            } else {
                rows.add(new String[] {
                    it.name(), it.technique(), it.status().name().toLowerCase(Locale.ROOT), "-", "-", "-", "-"
                });
            }
        }
        b.append(table(rows));
        for (Iteration it : run.iterations()) {
            if (!it.ok()) {
                b.append("  ")
                        .append(it.name())
                        .append(": ")
                        .append(it.status().name().toLowerCase(Locale.ROOT))
                        .append(": ")
                        .append(it.reason())
                        .append('\n');
            }
        }
        b.append('\n');
        Optional<Iteration> smallest = run.smallest();
        Optional<Iteration> naive = run.naive();
        if (smallest.isPresent() && naive.isPresent()) {
            Iteration s = smallest.get();
            b.append(String.format(
                    Locale.ROOT,
                    "Smallest: %s, %s -> %s (%s smaller than naive). Target (>= %.0f %%, "
                            + "the slim Jib or the jlink image): %s%n",
                    s.name(),
                    human(naive.get().sizeBytes()),
                    human(s.sizeBytes()),
                    percent(run.reduction(s).orElse(0.0)),
                    TARGET_REDUCTION_PERCENT,
                    run.targetMet() ? "met" : "NOT met"));
        }
        smallest.ifPresent(s -> {
            b.append("\nLayers of the smallest image, ")
                    .append(s.image())
                    .append(" (newest first, like docker history):\n");
            List<String[]> lr = new ArrayList<>();
            lr.add(new String[] {"SIZE", "CREATED BY"});
            for (Layer l : s.history()) {
                lr.add(new String[] {human(l.bytes()), abbreviate(describe(l), 100)});
            }
            b.append(table(lr));
        });
        b.append("\nJava runtime in each image (java -version, run with the image's own java):\n");
        for (Iteration it : run.iterations()) {
            if (it.ok()) {
                String first = it.javaVersion()
                        .lines()
                        .filter(l -> l.contains("Runtime Environment"))
                        .findFirst()
                        .orElse(it.javaVersion().lines().findFirst().orElse("(none)"));
                b.append(String.format(Locale.ROOT, "  %-16s %s%n", it.name(), first.trim()));
            }
        }
        b.append("\nBases of each image:\n");
        for (Iteration it : run.iterations()) {
            if (!it.bases().isEmpty()) {
                b.append(String.format(Locale.ROOT, "  %-16s %s%n", it.name(), it.bases()));
            }
        }
        return b.toString();
    }

    static String basesLine(String mode) {
        return switch (mode) {
            case "debian" ->
                "Debian-built (BASES=debian): bookworm images made by mmdebstrap/dpkg from Debian packages "
                        + "stand in for the upstream images; Alpine has no such equivalent";
            case "upstream" -> "upstream (BASES=upstream): the images named in each Dockerfile's ARG defaults";
            default -> mode;
        };
    }

    /** What made a layer: the command (docker history's CREATED BY), with the engine's comment if it adds one. */
    static String describe(Layer l) {
        String by = l.createdBy().replaceFirst("^/bin/sh -c #\\(nop\\)\\s*", "").replaceFirst("^/bin/sh -c ", "RUN ");
        // podman notes the parent image ("FROM 1a2b3c", "FROM base:tag"): the table's order already says that.
        // COPY/ADD name their content by a 64-digit digest: 12 digits identify it, like docker's image IDs.
        String c = l.comment().startsWith("FROM ") ? "" : l.comment();
        by = by.replaceAll("\\b(file|dir):([0-9a-f]{12})[0-9a-f]{52}\\b", "$1:$2");
        if (by.isEmpty()) {
            by = c.isEmpty() ? "(unknown)" : c;
        } else if (!c.isEmpty() && !by.contains(c) && !c.equals("imported from tarball")) {
            by = by + " (" + c + ")";
        }
        return by.replaceAll("\\s+", " ").trim();
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    static String table(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                line.append(String.format("%-" + w[c] + "s", r[c]));
                if (c < cols - 1) {
                    line.append("  ");
                }
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    /** The table as Markdown, for the README. */
    static String markdown(Run run) {
        StringBuilder b = new StringBuilder("| Variant | Technique | Size | Compressed | Layers | vs naive | Java |\n");
        b.append("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
        for (Iteration it : run.iterations()) {
            if (it.ok()) {
                b.append(String.format(
                        "| %s | %s | %s | %s | %d | %s | %s |%n",
                        it.name(),
                        it.technique(),
                        human(it.sizeBytes()),
                        human(it.compressedBytes()),
                        it.layers(),
                        it.name().equals(NAIVE)
                                ? "baseline"
                                : run.reduction(it).map(SizesReport::percent).orElse("n/a"),
                        javaShort(it.javaVersion())));
            } else {
                b.append(String.format(
                        "| %s | %s | %s: %s | | | | |%n",
                        it.name(), it.technique(), it.status().name().toLowerCase(Locale.ROOT), it.reason()));
            }
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- JSON

    static ObjectNode toJson(Run run) {
        ObjectNode root = JSON.createObjectNode();
        root.put("date", run.date());
        root.put("engine", run.engine());
        root.put("machine", run.machine());
        root.put("bases", run.basesMode());
        root.put("basesDescription", basesLine(run.basesMode()));
        run.naive().ifPresentOrElse(n -> root.put("naiveBytes", n.sizeBytes()), () -> root.putNull("naiveBytes"));
        ArrayNode arr = root.putArray("iterations");
        for (Iteration it : run.iterations()) {
            ObjectNode o = arr.addObject();
            o.put("name", it.name());
            o.put("technique", it.technique());
            o.put("source", it.source());
            o.put("status", it.status().name().toLowerCase(Locale.ROOT));
            if (!it.reason().isEmpty()) {
                o.put("reason", it.reason());
            }
            o.put("image", it.image());
            o.put("bases", it.bases());
            if (it.ok()) {
                o.put("sizeBytes", it.sizeBytes());
                o.put("size", human(it.sizeBytes()));
                o.put("compressedBytes", it.compressedBytes());
                o.put("compressed", human(it.compressedBytes()));
                o.put("layers", it.layers());
                run.reduction(it)
                        .ifPresentOrElse(
                                r -> o.put("reductionPercent", Math.round(r * 10) / 10.0),
                                () -> o.putNull("reductionPercent"));
                o.put("java", javaShort(it.javaVersion()));
                o.put("javaVersion", it.javaVersion());
                o.put("health", it.health());
            }
            o.put("buildSeconds", it.buildSeconds());
        }
        run.smallest().ifPresent(s -> {
            ObjectNode sm = root.putObject("smallest");
            sm.put("name", s.name());
            sm.put("image", s.image());
            sm.put("sizeBytes", s.sizeBytes());
            run.reduction(s).ifPresent(r -> sm.put("reductionPercent", Math.round(r * 10) / 10.0));
            ArrayNode ls = sm.putArray("layers");
            for (Layer l : s.history()) {
                ls.addObject()
                        .put("bytes", l.bytes())
                        .put("size", human(l.bytes()))
                        .put("createdBy", describe(l));
            }
        });
        ObjectNode target = root.putObject("target");
        target.put("reductionPercentAtLeast", TARGET_REDUCTION_PERCENT);
        target.put("smallestMustBe", "jib-slim or v4-jlink");
        target.put("met", run.targetMet());
        root.put("failed", run.anyFailed());
        return root;
    }

    // ---------------------------------------------------------------- SVG

    static final int SVG_WIDTH = 900;
    static final int BAR_X = 170;
    static final int BAR_MAX = 480;
    static final int ROW = 34;

    /** Horizontal bars, one per iteration, in table order; a failed or skipped one gets its reason, no bar. */
    static String svg(Run run) {
        long max = run.iterations().stream()
                .filter(Iteration::ok)
                .mapToLong(Iteration::sizeBytes)
                .max()
                .orElse(1);
        int top = 56;
        int height = top + ROW * run.iterations().size() + 30;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(SVG_WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(SVG_WIDTH)
                .append(' ')
                .append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"13\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        b.append("<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">task-api image size per iteration ")
                .append("(uncompressed, as docker images shows it)</text>\n");
        b.append("<text x=\"10\" y=\"42\" fill=\"#555555\">")
                .append(esc(run.engine() + ", bases: " + run.basesMode() + ", " + run.date()))
                .append("</text>\n");
        int y = top;
        Optional<Iteration> smallest = run.smallest();
        for (Iteration it : run.iterations()) {
            b.append("<g class=\"iteration\" data-name=\"")
                    .append(esc(it.name()))
                    .append("\" data-status=\"")
                    .append(it.status().name().toLowerCase(Locale.ROOT))
                    .append("\">");
            b.append("<text x=\"10\" y=\"")
                    .append(y + 20)
                    .append("\">")
                    .append(esc(it.name()))
                    .append("</text>");
            if (it.ok()) {
                long w = Math.max(1, Math.round((double) it.sizeBytes() / max * BAR_MAX));
                String fill = smallest.isPresent() && smallest.get() == it
                        ? "#2e7d32"
                        : it.name().equals(NAIVE) ? "#c62828" : "#1565c0";
                b.append("<rect x=\"")
                        .append(BAR_X)
                        .append("\" y=\"")
                        .append(y + 6)
                        .append("\" width=\"")
                        .append(w)
                        .append("\" height=\"20\" fill=\"")
                        .append(fill)
                        .append("\" data-bytes=\"")
                        .append(it.sizeBytes())
                        .append("\"/>");
                String label = human(it.sizeBytes())
                        + (it.name().equals(NAIVE)
                                ? "  baseline"
                                : run.reduction(it).map(r -> "  -" + percent(r)).orElse(""));
                b.append("<text x=\"")
                        .append(BAR_X + w + 8)
                        .append("\" y=\"")
                        .append(y + 20)
                        .append("\">")
                        .append(esc(label))
                        .append("</text>");
            } else {
                b.append("<text x=\"")
                        .append(BAR_X)
                        .append("\" y=\"")
                        .append(y + 20)
                        .append("\" fill=\"")
                        .append(it.status() == Status.FAILED ? "#c62828" : "#777777")
                        .append("\" font-style=\"italic\">")
                        .append(esc(abbreviate(it.status().name().toLowerCase(Locale.ROOT) + ": " + it.reason(), 95)))
                        .append("</text>");
            }
            b.append("</g>\n");
            y += ROW;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
