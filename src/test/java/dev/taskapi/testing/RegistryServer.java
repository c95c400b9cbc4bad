package dev.taskapi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A throwaway local OCI registry for the integration tests: Debian's {@code docker-registry} started by
 * src/scripts/registry.sh (the same script and config as {@code make registry-up}) on a free loopback port, its
 * storage under target/. It speaks plain HTTP: docker pulls from a 127.0.0.1 registry so without configuration,
 * podman needs {@code --tls-verify=false} (src/scripts/lib.sh pull-flags), Jib
 * {@code -Djib.allowInsecureRegistries=true} (src/scripts/build-images.sh gives it for loopback registries).
 */
public final class RegistryServer implements AutoCloseable {
    private static final Path SCRIPT = Path.of("src", "scripts", "registry.sh").toAbsolutePath();
    private static RegistryServer shared;

    private final Path dir;
    private final String address;

    private RegistryServer(Path dir, String address) {
        this.dir = dir;
        this.address = address;
    }

    /** Skips the calling test (fails it under CI=true) when docker-registry is not installed. */
    public static void require() {
        Prerequisites.require(
                Command.works("sh", "-c", "command -v docker-registry"),
                "docker-registry is not installed (apt-get install docker-registry)");
    }

    /** One registry for the whole test run, stopped when the JVM exits. */
    public static synchronized RegistryServer shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A registry of the caller's own; {@link #close} stops it and deletes what it stored. */
    public static RegistryServer start() {
        require();
        try {
            Files.createDirectories(Path.of("target"));
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "registry-");
            String address = "127.0.0.1:" + FreePort.pick();
            Command.exec(Duration.ofSeconds(30), List.of("bash", SCRIPT.toString(), "start", address, dir.toString()))
                    .check("starting a registry on " + address);
            return new RegistryServer(dir, address);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** host:port, e.g. 127.0.0.1:41234. */
    public String address() {
        return address;
    }

    /** Where it keeps its blobs (for tests that look at what was pushed). */
    public Path storage() {
        return dir.resolve("storage");
    }

    @Override
    public void close() {
        Command.exec(Duration.ofSeconds(30), List.of("bash", SCRIPT.toString(), "stop", dir.toString()));
        Command.exec(Duration.ofSeconds(60), List.of("rm", "-rf", dir.toString()));
    }
}
