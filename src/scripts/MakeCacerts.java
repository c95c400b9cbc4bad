import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a Java trust store (JKS, password "changeit", as Debian's ca-certificates-java makes) from a directory
 * of PEM certificates, byte-for-byte reproducibly: keytool stamps every entry with the current time, this writes
 * epoch 0 and sorts entries by alias ("debian:NAME.pem", as on Debian). Usage: java MakeCacerts.java DIR OUT
 */
public class MakeCacerts {
    public static void main(String[] args) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            files = s.filter(p -> p.toString().endsWith(".crt")).sorted().toList();
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        char[] password = "changeit".toCharArray();
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        for (char c : password) {
            md.update((byte) (c >> 8));
            md.update((byte) c);
        }
        md.update("Mighty Aphrodite".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(0xfeedfeed);
        out.writeInt(2);
        out.writeInt(files.size());
        for (Path f : files) {
            Certificate cert;
            try (InputStream in = Files.newInputStream(f)) {
                cert = cf.generateCertificate(in);
            }
            String name = f.getFileName().toString();
            out.writeInt(2); // trusted certificate entry
            out.writeUTF("debian:" + name.substring(0, name.length() - 4).toLowerCase() + ".pem");
            out.writeLong(0L);
            out.writeUTF(cert.getType());
            byte[] der = cert.getEncoded();
            out.writeInt(der.length);
            out.write(der);
        }
        out.flush();
        byte[] body = buf.toByteArray();
        md.update(body);
        try (var file = Files.newOutputStream(Path.of(args[1]))) {
            file.write(body);
            file.write(md.digest());
        }
        System.out.println("cacerts: " + files.size() + " certificates -> " + args[1]);
    }
}
