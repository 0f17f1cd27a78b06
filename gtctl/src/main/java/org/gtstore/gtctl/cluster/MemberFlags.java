package org.gtstore.gtctl.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The extra command-line flags of cluster members, as recorded in cluster.json: a list of
 * {@code --name value} pairs (or {@code --name=value}, or a lone {@code --name}).
 */
public final class MemberFlags {
    private MemberFlags() {
    }

    /** The value of flag {@code name} ({@code --name value} or {@code --name=value}), if given. */
    public static Optional<String> value(List<String> flags, String name) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        split(flags, byName);
        List<String> f = byName.get(name);
        if (f == null) {
            return Optional.empty();
        }
        return f.size() == 2 ? Optional.of(f.get(1))
                : f.get(0).startsWith(name + "=")
                        ? Optional.of(f.get(0).substring(name.length() + 1)) : Optional.empty();
    }

    /**
     * The recorded flags with every flag given now put in place of the recorded one of the
     * same name (or added at the end), so a later {@code cluster start --restart-grace-ms 8000}
     * changes that flag and keeps, say, a recorded {@code --failure-timeout-ms}.
     */
    static List<String> merge(List<String> recorded, List<String> given) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        split(recorded, byName);
        split(given, byName);
        List<String> out = new ArrayList<>();
        byName.values().forEach(out::addAll);
        return List.copyOf(out);
    }

    private static void split(List<String> flags, Map<String, List<String>> into) {
        for (int i = 0; i < flags.size(); i++) {
            String f = flags.get(i);
            int eq = f.indexOf('=');
            if (f.startsWith("--") && eq > 0) {
                into.put(f.substring(0, eq), List.of(f));
            } else if (f.startsWith("--") && i + 1 < flags.size()
                    && !flags.get(i + 1).startsWith("--")) {
                into.put(f, List.of(f, flags.get(++i)));
            } else {
                into.put(f, List.of(f));
            }
        }
    }
}
