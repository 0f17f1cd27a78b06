package org.gtstore.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A result never changes, although the client builds it without copying key or value. */
@Timeout(10)
class GetResultTest {
    @Test
    void arraysGivenOrTakenAreCopies() {
        byte[] key = {1, 2};
        byte[] value = {3, 4};
        GetResult r = new GetResult(key, true, value, "server1", 7, 3, List.of("server1"), 5);
        key[0] = 9;
        value[0] = 9;
        assertArrayEquals(new byte[] {1, 2}, r.key());
        assertArrayEquals(new byte[] {3, 4}, r.value());
        r.value()[1] = 9;
        assertArrayEquals(new byte[] {3, 4}, r.value());
        assertNotSame(r.value(), r.value());
    }

    @Test
    void resultOverByteStringsEqualsTheCopyingOne() {
        GetResult a = new GetResult(ByteString.copyFromUtf8("k"), true,
                ByteString.copyFromUtf8("v"), "server2", 1, 2, List.of("server2"), 3);
        GetResult b = new GetResult(new byte[] {'k'}, true, new byte[] {'v'}, "server2", 1, 2,
                List.of("server2"), 3);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("k", a.keyUtf8());
        assertEquals("v", a.valueUtf8());
    }
}
