package org.gtstore.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.gtstore.client.InvalidRequestException;
import org.junit.jupiter.api.Test;

class ScannerTest {

    @Test
    void aCursorNamesThePartitionAndTheLastKeyRead() {
        Scanner.Position p = new Scanner.Position(37,
                ByteString.copyFrom("user:é 42", StandardCharsets.UTF_8));
        String cursor = Scanner.encode(p);
        assertEquals(p, Scanner.decode(cursor));
        assertEquals(new Scanner.Position(0, ByteString.EMPTY),
                Scanner.decode(Scanner.encode(new Scanner.Position(0, ByteString.EMPTY))));
    }

    @Test
    void anythingElseIsRefusedAsNotACursor() {
        for (String bad : new String[] {"", "!!!", "AA", "AgAAAAE", "AQ"}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> Scanner.decode(bad), bad);
            assertEquals("not a scan cursor: " + bad, e.getMessage());
        }
    }
}
