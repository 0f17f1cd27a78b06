package org.gtstore.bench.ycsb;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A YCSB record (field name to bytes) as one GTStore value: per field, its name's length
 * (4 bytes), the name in UTF-8, the value's length (4 bytes) and the value.
 */
final class RecordCodec {
    private RecordCodec() {
    }

    static byte[] encode(Map<String, byte[]> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> f : fields.entrySet()) {
            byte[] name = f.getKey().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(name.length).array());
            out.writeBytes(name);
            out.writeBytes(ByteBuffer.allocate(4).putInt(f.getValue().length).array());
            out.writeBytes(f.getValue());
        }
        return out.toByteArray();
    }

    /** The fields of an encoded record, in their order. */
    static Map<String, byte[]> decode(byte[] raw) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(raw);
        while (b.remaining() >= 4) {
            byte[] name = new byte[b.getInt()];
            b.get(name);
            byte[] value = new byte[b.getInt()];
            b.get(value);
            fields.put(new String(name, StandardCharsets.UTF_8), value);
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("not a YCSB record: " + b.remaining()
                    + " stray bytes");
        }
        return fields;
    }
}
