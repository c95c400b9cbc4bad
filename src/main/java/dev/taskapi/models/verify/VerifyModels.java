package dev.taskapi.models.verify;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code verify-models}: checks models against their SHA256SUMS before the service starts (docs/models.md). Run by
 * the service image as an init container, after the kubelet has pulled the models image:
 *
 * <pre>
 *   verify-models DIR                verify DIR in place (an image volume: read-only, nothing written)
 *   verify-models --publish VOLUME   verify VOLUME/.incoming (where the models image's copy step put its files),
 *                                    publish it as VOLUME/versions/ID and switch VOLUME/current to it
 * </pre>
 *
 * <p>A one-shot command on the calling thread. Exit codes: 0 verified (and published); 1 refused: one line on
 * stderr naming the file and the cause, nothing published, {@code .incoming} removed so that the next copy starts
 * clean; 2 usage.
 */
public final class VerifyModels {
    public static final String COMMAND = "verify-models";
    static final int EXIT_OK = 0;
    static final int EXIT_REFUSED = 1;
    static final int EXIT_USAGE = 2;
    private static final String USAGE = "usage: " + COMMAND + " DIR | " + COMMAND + " --publish VOLUME";

    private VerifyModels() {}

    /** Runs the command with {@code args} (the command's name excluded); the result on {@code out}, a refusal on {@code err}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean publish = args.size() == 2 && args.get(0).equals("--publish");
        if (!(publish || args.size() == 1) || args.get(args.size() - 1).startsWith("-")) {
            err.println(USAGE);
            return EXIT_USAGE;
        }
        Path dir = Path.of(args.get(args.size() - 1));
        long started = System.nanoTime();
        try {
            String done = publish ? publish(new ModelsVolume(dir)) : verify(dir);
            out.println(COMMAND + ": " + done + " (" + (System.nanoTime() - started) / 1_000_000 + " ms)");
            return EXIT_OK;
        } catch (ModelsRefusedException e) {
            err.println(COMMAND + ": refused: " + e.getMessage());
            return EXIT_REFUSED;
        } catch (IOException | RuntimeException e) {
            err.println(COMMAND + ": failed: "
                    + (e.getClass().getSimpleName() + ": " + e.getMessage()).replaceAll("\\s*\\R\\s*", " "));
            return EXIT_REFUSED;
        }
    }

    private static String verify(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new ModelsRefusedException(dir + " is not a directory (mount the models there)");
        }
        return dir + ": " + describe(ModelsCheck.verify(dir));
    }

    private static String publish(ModelsVolume volume) throws IOException {
        volume.requireWritableDirectory();
        Path incoming = volume.incoming();
        if (!Files.isDirectory(incoming, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModelsRefusedException(
                    incoming + " is not a directory: the models image's copy step writes its files there");
        }
        try (FileChannel lock = volume.lock()) {
            volume.removeLeftovers();
            ModelsCheck.Summary summary;
            try {
                summary = ModelsCheck.verify(incoming);
            } catch (ModelsRefusedException e) {
                ModelsVolume.deleteTree(incoming);
                throw e;
            }
            Optional<String> previous = volume.currentVersion();
            if (Files.isDirectory(volume.version(summary.id()))) {
                ModelsVolume.deleteTree(incoming);
                ModelsCheck.verify(volume.version(summary.id()));
            } else {
                volume.publish(incoming, summary.id());
            }
            volume.switchTo(summary.id());
            volume.prune(summary.id(), previous);
            return describe(summary) + "; " + volume.dir().resolve(ModelsVolume.CURRENT) + " -> "
                    + ModelsVolume.VERSIONS + "/" + summary.id()
                    + (previous.equals(Optional.of(summary.id())) ? " (already current)" : "");
        }
    }

    private static String describe(ModelsCheck.Summary summary) {
        return summary.files() + " file(s), " + summary.bytes() + " bytes verified against SHA256SUMS";
    }
}
