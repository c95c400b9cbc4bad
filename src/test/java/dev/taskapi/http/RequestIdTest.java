package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdTest {
    @Test
    void generatedIdsAreVersion4UuidsAndDiffer() {
        String a = RequestId.generate();
        String b = RequestId.generate();
        assertNotEquals(a, b);
        UUID parsed = UUID.fromString(a);
        assertEquals(a, parsed.toString());
        assertEquals(4, parsed.version());
        assertEquals(2, parsed.variant());
    }

    @Test
    void aCallersIdIsKeptOnlyWhenItIsShortVisibleAscii() {
        assertTrue(RequestId.usable("abc-123_XYZ.:/"));
        assertTrue(RequestId.usable("x".repeat(128)));
        assertFalse(RequestId.usable(""));
        assertFalse(RequestId.usable("x".repeat(129)));
        assertFalse(RequestId.usable("two words"));
        assertFalse(RequestId.usable("line\nbreak"));
        assertFalse(RequestId.usable("é"));
    }
}
