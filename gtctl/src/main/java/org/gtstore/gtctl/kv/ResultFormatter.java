package org.gtstore.gtctl.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.gtstore.gtctl.Errors;

/**
 * Turns results into the exact lines of SPEC.md ("The client driver"):
 *
 * <pre>
 * put     OK, server3
 * get     key1, value1, server5
 * missing key1, NOT_FOUND
 * delete  OK, server3
 * conflict CONFLICT, 7                 (a conditional put or delete: the key's version)
 * failure ERROR: &lt;one line&gt;          (shell only; single commands print to stderr)
 * </pre>
 *
 * With {@code verbose} a put/get/delete line ends with {@code " (chain a -> b -> c, epoch 12)"}.
 * With {@code json} every result is one JSON object:
 * {@code {"op":"get","key":"k","result":"OK","value":"v","server":"server5","version":7,
 * "epoch":12,"chain":["server1","server5"]}}; {@code result} is OK, NOT_FOUND, CONFLICT (with the
 * key's {@code version}) or ERROR (with {@code "error":"..."}).
 */
public final class ResultFormatter {
    /** Made on first use only, so that plain output never loads Jackson's databind. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final boolean json;
    private final boolean verbose;

    public ResultFormatter(boolean json, boolean verbose) {
        this.json = json;
        this.verbose = verbose;
    }

    public String put(String key, WriteOutcome r) {
        return write("put", key, r);
    }

    public String delete(String key, WriteOutcome r) {
        return write("delete", key, r);
    }

    private String write(String op, String key, WriteOutcome r) {
        if (r.conflict()) {
            if (json) {
                ObjectNode o = base(op, key, "CONFLICT");
                o.put("version", r.version());
                return toJson(o);
            }
            return "CONFLICT, " + r.version();
        }
        if (json) {
            ObjectNode o = base(op, key, "OK");
            o.put("server", r.serverId());
            o.put("version", r.version());
            addRoute(o, r.epoch(), r.chain());
            return toJson(o);
        }
        return "OK, " + r.serverId() + route(r.epoch(), r.chain());
    }

    public String get(String key, ReadOutcome r) {
        if (json) {
            ObjectNode o = base("get", key, r.found() ? "OK" : "NOT_FOUND");
            if (r.found()) {
                o.put("value", r.value());
            }
            o.put("server", r.serverId());
            if (r.found()) {
                o.put("version", r.version());
            }
            addRoute(o, r.epoch(), r.chain());
            return toJson(o);
        }
        if (!r.found()) {
            return key + ", NOT_FOUND" + route(r.epoch(), r.chain());
        }
        return key + ", " + r.value() + ", " + r.serverId() + route(r.epoch(), r.chain());
    }

    /** One key of a scan: {@code <key>, <value>} or {@code <key>}; JSON with its version. */
    public String scanEntry(ScanOutcome.Entry e, boolean keysOnly) {
        if (json) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("key", e.key());
            if (!keysOnly) {
                o.put("value", e.value());
            }
            o.put("version", e.version());
            return toJson(o);
        }
        return keysOnly ? e.key() : e.key() + ", " + e.value();
    }

    /** The line of a shell command that failed ({@code op} and {@code key} may be null). */
    public String error(String op, String key, String message) {
        String oneLine = Errors.oneLine(message);
        if (json) {
            ObjectNode o = base(op, key, "ERROR");
            o.put("error", oneLine);
            return toJson(o);
        }
        return "ERROR: " + oneLine;
    }

    private ObjectNode base(String op, String key, String result) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (op != null) {
            o.put("op", op);
        }
        if (key != null) {
            o.put("key", key);
        }
        o.put("result", result);
        return o;
    }

    private void addRoute(ObjectNode o, long epoch, List<String> chain) {
        o.put("epoch", epoch);
        ArrayNode a = o.putArray("chain");
        chain.forEach(a::add);
    }

    private String route(long epoch, List<String> chain) {
        if (!verbose) {
            return "";
        }
        if (chain.isEmpty()) {
            return " (epoch " + epoch + ")";
        }
        return " (chain " + String.join(" -> ", chain) + ", epoch " + epoch + ")";
    }

    private static String toJson(ObjectNode o) {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
