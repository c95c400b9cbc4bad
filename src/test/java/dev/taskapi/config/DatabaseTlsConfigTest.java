package dev.taskapi.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.DatabaseTls.SslMode;
import dev.taskapi.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PGSSLMODE, PGSSLROOTCERT, PGSSLCERT and PGSSLKEY, and their DATABASE_URL parameters, as the service reads them. */
class DatabaseTlsConfigTest {
    @TempDir
    Path dir;

    @Test
    void withoutSettingsItIsLibpqsDefaultPrefer() {
        assertEquals(DatabaseTls.DEFAULT, tls(Map.of()));
        assertEquals(SslMode.PREFER, tls(Map.of()).mode());
    }

    @ParameterizedTest
    @CsvSource({"disable,DISABLE", "allow,ALLOW", "prefer,PREFER", "require,REQUIRE", "REQUIRE,REQUIRE"})
    void everyLibpqModeThatNeedsNoCaIsTaken(String value, SslMode mode) {
        assertEquals(mode, tls(Map.of("PGSSLMODE", value)).mode());
    }

    @Test
    void anUnknownModeNamesTheVariableAndTheModes() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> tls(Map.of("PGSSLMODE", "verify")));
        assertEquals(
                "PGSSLMODE: cannot read 'verify' (expected one of disable, allow, prefer, require, verify-ca,"
                        + " verify-full)",
                e.getMessage());
        e = assertThrows(
                InvalidConfigException.class, () -> tls(Map.of("DATABASE_URL", "postgresql://h/db?sslmode=on")));
        assertTrue(e.getMessage().startsWith("DATABASE_URL's sslmode: cannot read 'on'"), e.getMessage());
    }

    @Test
    void verifyingModesNeedARootCertificate() {
        for (String mode : List.of("verify-ca", "verify-full")) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> tls(Map.of("PGSSLMODE", mode)));
            assertTrue(e.getMessage().startsWith("PGSSLROOTCERT must be set with sslmode=" + mode), e.getMessage());
        }
        DatabaseTls system = tls(Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", "system"));
        assertTrue(system.systemRoots());
        assertNull(system.rootCerts());
    }

    @Test
    void theUrlsParametersOverrideTheVariablesAsInLibpq() {
        TestCa ca = TestCa.create(dir, "config test CA");
        DatabaseTls tls = tls(Map.of(
                "PGSSLMODE",
                "disable",
                "DATABASE_URL",
                "postgresql://u:p@db.internal/tasks?sslmode=verify-full&sslrootcert=" + ca.cert()));
        assertEquals(SslMode.VERIFY_FULL, tls.mode());
        assertTrue(tls.rootCerts().contains("-----BEGIN CERTIFICATE-----"));
    }

    @Test
    void requireWithARootCertificateVerifiesTheCaAsLibpqDoes() throws Exception {
        TestCa ca = TestCa.create(dir, "config test CA");
        assertEquals(
                SslMode.VERIFY_CA,
                tls(Map.of("PGSSLMODE", "require", "PGSSLROOTCERT", ca.cert().toString()))
                        .mode());
    }

    @Test
    void aRootCertificateFileMustExistAndHoldCertificates() throws Exception {
        InvalidConfigException missing = assertThrows(
                InvalidConfigException.class,
                () -> tls(Map.of(
                        "PGSSLMODE",
                        "verify-full",
                        "PGSSLROOTCERT",
                        dir.resolve("none.crt").toString())));
        assertEquals(
                "PGSSLROOTCERT " + dir.resolve("none.crt") + " cannot be read (NoSuchFileException)",
                missing.getMessage());
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        InvalidConfigException garbage = assertThrows(
                InvalidConfigException.class,
                () -> tls(Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", notPem.toString())));
        assertTrue(
                garbage.getMessage().startsWith("PGSSLROOTCERT " + notPem + " is not a PEM file of certificates"),
                garbage.getMessage());
    }

    @Test
    void aClientCertificateNeedsItsUnencryptedKey() throws Exception {
        TestCa ca = TestCa.create(dir, "config test CA");
        TestCa.Issued client = ca.client("tasks");
        DatabaseTls tls = tls(Map.of(
                "PGSSLMODE",
                "require",
                "PGSSLCERT",
                client.cert().toString(),
                "PGSSLKEY",
                client.key().toString()));
        assertTrue(tls.clientKey().contains("PRIVATE KEY"));
        assertFalse(tls.toString().contains("PRIVATE KEY"), "the key never reaches a log: " + tls);

        InvalidConfigException alone = assertThrows(
                InvalidConfigException.class,
                () -> tls(Map.of("PGSSLCERT", client.cert().toString())));
        assertTrue(alone.getMessage().startsWith("PGSSLKEY must be set too"), alone.getMessage());

        Path encrypted = Files.writeString(
                dir.resolve("encrypted.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        InvalidConfigException locked = assertThrows(
                InvalidConfigException.class,
                () -> tls(Map.of("PGSSLCERT", client.cert().toString(), "PGSSLKEY", encrypted.toString())));
        assertTrue(locked.getMessage().contains("is encrypted"), locked.getMessage());

        TestCa.Issued other = ca.client("someone-else");
        InvalidConfigException mismatch = assertThrows(
                InvalidConfigException.class,
                () -> tls(Map.of(
                        "PGSSLCERT",
                        client.cert().toString(),
                        "PGSSLKEY",
                        other.key().toString())));
        assertTrue(
                mismatch.getMessage().contains("is not a PEM private key for the certificate of PGSSLCERT"),
                mismatch.getMessage());
    }

    @Test
    void otherUrlParametersAreRefusedByName() {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> tls(Map.of("DATABASE_URL", "postgresql://h/db?sslmode=require&target_session_attrs=any")));
        assertEquals(
                "DATABASE_URL parameter 'target_session_attrs' is not supported (supported: sslmode, sslrootcert,"
                        + " sslcert, sslkey)",
                e.getMessage());
    }

    private static DatabaseTls tls(Map<String, String> env) {
        return AppConfig.from(new HashMap<>(env)).database().tls();
    }
}
