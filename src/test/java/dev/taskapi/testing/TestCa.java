package dev.taskapi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A certificate authority made for one test run with openssl: a self-signed CA (EC P-256 keys, or RSA 2048 where
 * asked), and certificates it signs for servers (with the subject alternative names given) and clients (the user
 * name as common name), valid now or expired, with keys of the CA's kind. Everything lives in the directory given,
 * readable by the PostgreSQL server's user.
 */
public final class TestCa {
    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Keys keys;
    private final AtomicInteger issued = new AtomicInteger();

    /** A certificate and its key, as PEM files. */
    public record Issued(Path cert, Path key) {}

    /** The kind of key of the CA and of every certificate it issues: signatures ECDSA, or RSA. */
    public enum Keys {
        EC_P256("ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        RSA_2048("rsa:2048");

        /** openssl req's -newkey argument, and its options. */
        private final List<String> newKey;

        Keys(String... newKey) {
            this.newKey = List.of(newKey);
        }
    }

    private TestCa(Path dir, Keys keys) {
        this.dir = dir;
        this.keys = keys;
    }

    /** Skips the calling test (fails it under CI=true) without openssl. */
    public static void require() {
        Prerequisites.require(
                Command.works("openssl", "version"),
                "openssl is not installed (the TLS tests make their certificates with it): apt-get install openssl");
    }

    /** A new CA, {@code CN=name}, in {@code dir}, with EC P-256 keys. */
    public static TestCa create(Path dir, String name) {
        return create(dir, name, Keys.EC_P256);
    }

    /** A new CA, {@code CN=name}, in {@code dir}, with {@code keys} for itself and what it issues. */
    public static TestCa create(Path dir, String name, Keys keys) {
        require();
        TestCa ca = new TestCa(dir, keys);
        ca.newKey(
                name,
                ca.caKey(),
                ca.cert(),
                "-x509",
                "-days",
                "2",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /** The CA's certificate: what PGSSLROOTCERT names. */
    public Path cert() {
        return dir.resolve("ca.crt");
    }

    private Path caKey() {
        return dir.resolve("ca.key");
    }

    /**
     * A server certificate for {@code names} (DNS names, or IP addresses), valid for a day from now; the first name
     * is also its common name.
     */
    public Issued server(List<String> names) {
        return issue(names.get(0), names, false, "serverAuth");
    }

    /** A server certificate for {@code names} that expired a year ago. */
    public Issued expiredServer(List<String> names) {
        return issue(names.get(0), names, true, "serverAuth");
    }

    /** A client certificate for the database user {@code user} (its common name, as PostgreSQL's cert auth maps it). */
    public Issued client(String user) {
        return issue(user, List.of(), false, "clientAuth");
    }

    private Issued issue(String commonName, List<String> names, boolean expired, String usage) {
        String base = "issued-" + issued.incrementAndGet();
        Path key = dir.resolve(base + ".key");
        Path csr = dir.resolve(base + ".csr");
        Path cert = dir.resolve(base + ".crt");
        Path extensions = dir.resolve(base + ".ext");
        List<String> sans = new ArrayList<>();
        for (String name : names) {
            sans.add((name.matches("[0-9.]+|.*:.*") ? "IP:" : "DNS:") + name);
        }
        try {
            Files.writeString(
                    extensions,
                    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage="
                            + usage + "\n" + (sans.isEmpty() ? "" : "subjectAltName=" + String.join(",", sans) + "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        newKey(commonName, key, csr);
        if (expired) {
            // `openssl ca` is the one openssl command that takes both dates.
            Path db = dir.resolve(base + ".db");
            try {
                Files.createDirectories(db);
                Files.writeString(db.resolve("index.txt"), "");
                Files.writeString(
                        db.resolve("ca.cnf"),
                        "[ca]\ndefault_ca=test\n[test]\ndatabase=" + db.resolve("index.txt") + "\nnew_certs_dir=" + db
                                + "\nserial=" + db.resolve("serial") + "\ndefault_md=sha256\npolicy=any\n"
                                + "[any]\ncommonName=supplied\n");
                Files.writeString(db.resolve("serial"), "01\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            openssl(
                    "ca",
                    "-batch",
                    "-config",
                    db.resolve("ca.cnf").toString(),
                    "-cert",
                    cert().toString(),
                    "-keyfile",
                    caKey().toString(),
                    "-in",
                    csr.toString(),
                    "-out",
                    cert.toString(),
                    "-notext",
                    "-startdate",
                    "20200101000000Z",
                    "-enddate",
                    "20210101000000Z",
                    "-extfile",
                    extensions.toString());
        } else {
            openssl(
                    "x509",
                    "-req",
                    "-in",
                    csr.toString(),
                    "-CA",
                    cert().toString(),
                    "-CAkey",
                    caKey().toString(),
                    "-CAcreateserial",
                    "-days",
                    "1",
                    "-sha256",
                    "-extfile",
                    extensions.toString(),
                    "-out",
                    cert.toString());
        }
        return new Issued(cert, key);
    }

    /**
     * A new key of this CA's kind in {@code key}, and a request for {@code CN=commonName} (or, with -x509, a
     * certificate) in {@code out}.
     */
    private void newKey(String commonName, Path key, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("req", "-new", "-newkey"));
        args.addAll(keys.newKey);
        args.addAll(List.of("-nodes", "-subj"));
        args.addAll(List.of("/CN=" + commonName, "-keyout", key.toString(), "-out", out.toString()));
        args.addAll(List.of(options));
        openssl(args.toArray(String[]::new));
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Command.exec(OPENSSL_TIMEOUT, command).check("openssl " + args[0]);
    }
}
