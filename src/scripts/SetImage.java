import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Pins one entry of a kustomization's {@code images:} list to a digest, in place, as {@code kustomize edit set
 * image NAME=NEWNAME@DIGEST} does:
 *
 * <pre>java -cp snakeyaml.jar src/scripts/SetImage.java KUSTOMIZATION NAME NEWNAME DIGEST</pre>
 *
 * (src/scripts/pin-image.sh runs it with the SnakeYAML version pom.xml declares). The entry whose {@code name} is
 * NAME gets {@code newName: NEWNAME} and {@code digest: DIGEST} (added when absent) and loses any {@code newTag}
 * (a digest names the image on its own).
 *
 * <p>SnakeYAML parses the file; the edit is then made in the file's text at the positions the parser reports,
 * so every comment, blank line, quote and indentation outside the changed values stays byte for byte. (Dumping
 * SnakeYAML's node tree back, even with its comment support, moves comments that precede list items into the
 * items and re-indents comments at the ends of lists, which would show up in every {@code git diff} of a pin.)
 * Before anything is written, the result is parsed again and must equal the original document with exactly that
 * entry changed. Fails, changing nothing, when the file has no such entry.
 */
public final class SetImage {

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern IMAGE_NAME = Pattern.compile("[^\\s@]+");

    /** A replacement of the text between two offsets. */
    private record Edit(int start, int end, String text) {}

    /** A failure the user can act on: printed as {@code error: MESSAGE}. */
    private static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private SetImage() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: SetImage.java KUSTOMIZATION NAME NEWNAME DIGEST");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String name = args[1];
        String newName = args[2];
        String digest = args[3];
        try {
            if (!Files.isRegularFile(file)) {
                throw new Failure(file + " not found");
            }
            if (!DIGEST.matcher(digest).matches()) {
                throw new Failure("digest must be sha256:<64 hex digits>, not '" + digest + "'");
            }
            String last = newName.substring(newName.lastIndexOf('/') + 1);
            if (!IMAGE_NAME.matcher(newName).matches() || last.contains(":")) {
                throw new Failure("NEWNAME must be an image name without a tag or digest, not '" + newName + "'");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String pinned = pin(text, file.toString(), name, newName, digest);
            Path tmp = file.resolveSibling(file.getFileName() + ".pin.tmp");
            try {
                Files.writeString(tmp, pinned, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            System.out.println("pinned " + name + " in " + file + ": " + newName + "@" + digest);
        } catch (Failure e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The kustomization TEXT with entry NAME pinned; FILE names it in messages. */
    static String pin(String text, String file, String name, String newName, String digest) throws Failure {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (YAMLException e) {
            throw new Failure(file + " is not YAML that can be read: " + e.getMessage());
        }
        Optional<Node> images = root instanceof MappingNode m ? value(m, "images") : Optional.empty();
        if (images.isEmpty() || !(images.get() instanceof SequenceNode list)) {
            throw new Failure(file + " has no images: list (block style) to pin " + name + " in");
        }
        if (list.getFlowStyle() == DumperOptions.FlowStyle.FLOW) {
            throw new Failure(
                    file + "'s images: list is in flow style ([...]); only block style (- name: ...) is edited");
        }
        List<String> names = new ArrayList<>();
        List<Edit> edits = new ArrayList<>();
        for (Node item : list.getValue()) {
            if (!(item instanceof MappingNode entry)) {
                continue;
            }
            String entryName = value(entry, "name").map(SetImage::scalar).orElse("");
            names.add(entryName);
            if (!entryName.equals(name)) {
                continue;
            }
            if (entry.getFlowStyle() == DumperOptions.FlowStyle.FLOW) {
                throw new Failure(
                        file + "'s images: entry " + name + " is in flow style ({...}); only block style is edited");
            }
            edits.addAll(pinEntry(text, entry, newName, digest));
        }
        if (edits.isEmpty()) {
            throw new Failure(
                    file + " has no images: entry named " + name + " (entries: " + String.join(", ", names) + ")");
        }
        StringBuilder b = new StringBuilder(text);
        edits.sort(Comparator.comparingInt(Edit::start).reversed());
        for (Edit e : edits) {
            b.replace(e.start(), e.end(), e.text());
        }
        String pinned = b.toString();
        check(text, pinned, name, newName, digest);
        return pinned;
    }

    /** The edits that pin one entry: values replaced in place, newTag's slot reused or removed, keys appended. */
    private static List<Edit> pinEntry(String text, MappingNode entry, String newName, String digest) {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("newName", newName);
        wanted.put("digest", digest);
        List<Edit> edits = new ArrayList<>();
        NodeTuple newTag = null;
        for (NodeTuple t : entry.getValue()) {
            String key = scalar(t.getKeyNode());
            if (key.equals("newTag")) {
                newTag = t;
            } else if (wanted.containsKey(key)) {
                edits.add(new Edit(
                        offset(text, t.getValueNode().getStartMark()),
                        offset(text, t.getValueNode().getEndMark()),
                        yaml(wanted.remove(key), t.getValueNode())));
            }
        }
        List<Map.Entry<String, String>> missing = new ArrayList<>(wanted.entrySet());
        if (newTag != null) {
            int start = offset(text, newTag.getKeyNode().getStartMark());
            int end = offset(text, newTag.getValueNode().getEndMark());
            if (!missing.isEmpty()) {
                // newTag's place takes the first key that is missing (also when it shares the line of the item's "-").
                Map.Entry<String, String> first = missing.remove(0);
                edits.add(new Edit(start, end, first.getKey() + ": " + yaml(first.getValue(), null)));
            } else {
                edits.add(removal(text, entry, newTag, start, end));
            }
        }
        if (!missing.isEmpty()) {
            NodeTuple lastTuple = entry.getValue().get(entry.getValue().size() - 1);
            int at = lineEnd(text, offset(text, lastTuple.getValueNode().getEndMark()));
            String indent = " "
                    .repeat(entry.getValue().get(0).getKeyNode().getStartMark().getColumn());
            StringBuilder add = new StringBuilder(at == text.length() && !text.endsWith("\n") ? "\n" : "");
            for (Map.Entry<String, String> e : missing) {
                add.append(indent)
                        .append(e.getKey())
                        .append(": ")
                        .append(yaml(e.getValue(), null))
                        .append('\n');
            }
            edits.add(new Edit(at, at, add.toString()));
        }
        return edits;
    }

    /** newTag removed: its whole line(s), or, on the line of the item's "-", up to the next key. */
    private static Edit removal(String text, MappingNode entry, NodeTuple newTag, int start, int end) {
        int lineStart = text.lastIndexOf('\n', start - 1) + 1;
        if (text.substring(lineStart, start).isBlank()) {
            return new Edit(lineStart, lineEnd(text, end), "");
        }
        List<NodeTuple> tuples = entry.getValue();
        NodeTuple next = tuples.get(tuples.indexOf(newTag) + 1); // not the last: the entry has name, newName, digest
        return new Edit(start, offset(text, next.getKeyNode().getStartMark()), "");
    }

    /** The parsed result must be the original document with only the pinned entry's three keys changed. */
    private static void check(String before, String after, String name, String newName, String digest) throws Failure {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Object expected = yaml.load(before);
        @SuppressWarnings("unchecked")
        List<Object> images = (List<Object>) ((Map<?, ?>) expected).get("images");
        for (Object item : images) {
            if (item instanceof Map<?, ?> m && Objects.equals(m.get("name"), name)) {
                @SuppressWarnings("unchecked")
                Map<Object, Object> entry = (Map<Object, Object>) m;
                entry.remove("newTag");
                entry.put("newName", newName);
                entry.put("digest", digest);
            }
        }
        Object actual;
        try {
            actual = yaml.load(after);
        } catch (YAMLException e) {
            throw new Failure("the edit would break the YAML (" + e.getMessage() + "); nothing was written");
        }
        if (!expected.equals(actual)) {
            throw new Failure("the edit would change more than the entry " + name + "; nothing was written");
        }
    }

    private static Optional<Node> value(MappingNode map, String key) {
        return map.getValue().stream()
                .filter(t -> scalar(t.getKeyNode()).equals(key))
                .map(NodeTuple::getValueNode)
                .findFirst();
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : "";
    }

    /** VALUE as a YAML scalar: in the quotes the replaced value had, else plain when YAML reads it back as is. */
    private static String yaml(String value, Node replaced) {
        DumperOptions.ScalarStyle style =
                replaced instanceof ScalarNode s ? s.getScalarStyle() : DumperOptions.ScalarStyle.PLAIN;
        if (style == DumperOptions.ScalarStyle.SINGLE_QUOTED) {
            return "'" + value.replace("'", "''") + "'";
        }
        if (style != DumperOptions.ScalarStyle.DOUBLE_QUOTED) {
            Object read = new Yaml(new SafeConstructor(new LoaderOptions())).load("k: " + value);
            if (read instanceof Map<?, ?> m && value.equals(m.get("k"))) {
                return value;
            }
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The offset in TEXT of a parser mark (which counts code points). */
    private static int offset(String text, Mark mark) {
        return text.offsetByCodePoints(0, mark.getIndex());
    }

    /** The offset just after the line break that ends the line holding OFFSET (the text's end if there is none). */
    private static int lineEnd(String text, int offset) {
        int nl = text.indexOf('\n', offset);
        return nl < 0 ? text.length() : nl + 1;
    }
}
