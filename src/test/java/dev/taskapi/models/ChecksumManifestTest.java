package dev.taskapi.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksumManifestTest {
    static final String A = "a".repeat(64);
    static final String B = "B".repeat(64);

    @Test
    void readsWhatSha256sumWrites() {
        ChecksumManifest m =
                ChecksumManifest.parse("# models\n" + A + "  dir/model.bin\n\n" + B + " *./weights.gguf\n");
        assertEquals(Map.of("dir/model.bin", A, "weights.gguf", B.toLowerCase()), m.expected());
        assertTrue(m.problems().isEmpty());
    }

    @Test
    void reportsMalformedAndDuplicateLinesByNumber() {
        ChecksumManifest m = ChecksumManifest.parse(A + "  x\nnot a checksum line\n" + A + "  x\n");
        assertEquals(2, m.problems().size());
        assertTrue(m.problems().get(0).contains("line 2"));
        assertTrue(m.problems().get(1).contains("line 3") && m.problems().get(1).contains("second time"));
    }
}
