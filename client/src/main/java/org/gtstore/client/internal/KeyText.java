package org.gtstore.client.internal;

import com.google.protobuf.ByteString;

/** A key as people read it in error messages: quoted UTF-8 if it is text, else hex; shortened. */
public final class KeyText {
    private static final int CHARS_MAX = 64;

    private KeyText() {
    }

    public static String of(ByteString key) {
        if (key.isValidUtf8()) {
            String s = key.toStringUtf8();
            if (s.codePoints().noneMatch(Character::isISOControl)) {
                return s.length() <= CHARS_MAX
                        ? "'" + s + "'"
                        : "'" + s.substring(0, CHARS_MAX) + "...' (" + key.size() + " bytes)";
            }
        }
        StringBuilder b = new StringBuilder("0x");
        int n = Math.min(key.size(), CHARS_MAX / 2);
        for (int i = 0; i < n; i++) {
            b.append(String.format("%02x", key.byteAt(i) & 0xff));
        }
        if (n < key.size()) {
            b.append("... (").append(key.size()).append(" bytes)");
        }
        return b.toString();
    }
}
