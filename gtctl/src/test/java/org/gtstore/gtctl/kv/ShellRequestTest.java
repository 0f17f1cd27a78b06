package org.gtstore.gtctl.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.kv.ShellRequest.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ShellRequestTest {

    @Test
    void parsesTheThreeCommands() {
        assertEquals(new ShellRequest(Op.PUT, "key1", "value1"),
                ShellRequest.parse("put key1 value1"));
        assertEquals(new ShellRequest(Op.GET, "key1", null), ShellRequest.parse("get key1"));
        assertEquals(new ShellRequest(Op.DELETE, "key1", null),
                ShellRequest.parse("delete key1"));
    }

    @Test
    void commandsAreCaseInsensitiveAndToleratesExtraSpacesAndCrLf() {
        assertEquals(new ShellRequest(Op.PUT, "k", "v"), ShellRequest.parse("  PUT\tk   v\r"));
        assertEquals(new ShellRequest(Op.GET, "k", null), ShellRequest.parse("Get k  "));
    }

    @Test
    void unquotedValueIsTheRestOfTheLine() {
        assertEquals(new ShellRequest(Op.PUT, "greeting", "hello  big world"),
                ShellRequest.parse("put greeting hello  big world  "));
    }

    @Test
    void quotedKeyAndValueHoldSpacesQuotesAndBackslashes() {
        assertEquals(new ShellRequest(Op.PUT, "a key", "say \"hi\" \\ bye "),
                ShellRequest.parse("put \"a key\" \"say \\\"hi\\\" \\\\ bye \""));
        assertEquals(new ShellRequest(Op.GET, "a key", null), ShellRequest.parse("get \"a key\""));
    }

    @Test
    void nonAsciiPassesThrough() {
        assertEquals(new ShellRequest(Op.PUT, "clé", "値 ✓"),
                ShellRequest.parse("put clé 値 ✓"));
    }

    @Test
    void rejectsMalformedLinesWithAReason() {
        assertTrue(assertThrows(ShellRequest.SyntaxException.class,
                () -> ShellRequest.parse("fetch k")).getMessage().contains("unknown command"));
        assertTrue(assertThrows(ShellRequest.SyntaxException.class,
                () -> ShellRequest.parse("put k")).getMessage().contains("missing value"));
        assertTrue(assertThrows(ShellRequest.SyntaxException.class,
                () -> ShellRequest.parse("get")).getMessage().contains("missing key"));
        assertTrue(assertThrows(ShellRequest.SyntaxException.class,
                () -> ShellRequest.parse("get a b")).getMessage().contains("too many"));
        assertTrue(assertThrows(ShellRequest.SyntaxException.class,
                () -> ShellRequest.parse("get \"open")).getMessage().contains("quote"));
        assertTrue(assertThrows(ShellRequest.SyntaxException.class,
                () -> ShellRequest.parse("put k \"v\" extra")).getMessage().contains("after"));
    }

    @Test
    void blankLinesAndCommentsAreNotCommands() {
        assertTrue(ShellRequest.isBlankOrComment("   "));
        assertTrue(ShellRequest.isBlankOrComment("# put a b"));
        assertFalse(ShellRequest.isBlankOrComment("get a"));
    }
}
