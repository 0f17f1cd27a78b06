package org.gtstore.bench.ycsb;

import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * YCSB's six core workloads, as its {@code workloads/workloada..f} files define them (the
 * files are not in YCSB's core jar): A update heavy, B read mostly, C read only, D read latest,
 * E short ranges, F read-modify-write. Record and operation counts come from the caller.
 */
public final class YcsbWorkloads {
    public static final List<String> ALL = List.of("a", "b", "c", "d", "e", "f");

    private YcsbWorkloads() {
    }

    /** The properties of workload {@code name} (a to f). */
    public static Properties of(String name) {
        Properties p = new Properties();
        p.setProperty("workload", "site.ycsb.workloads.CoreWorkload");
        p.setProperty("readallfields", "true");
        p.setProperty("requestdistribution", "zipfian");
        switch (name.toLowerCase(Locale.ROOT)) {
            case "a" -> mix(p, "0.5", "0.5", "0", "0", "0");
            case "b" -> mix(p, "0.95", "0.05", "0", "0", "0");
            case "c" -> mix(p, "1", "0", "0", "0", "0");
            case "d" -> {
                mix(p, "0.95", "0", "0", "0.05", "0");
                p.setProperty("requestdistribution", "latest");
            }
            case "e" -> {
                mix(p, "0", "0", "0.95", "0.05", "0");
                p.setProperty("maxscanlength", "100");
                p.setProperty("scanlengthdistribution", "uniform");
            }
            case "f" -> mix(p, "0.5", "0", "0", "0", "0.5");
            default -> throw new IllegalArgumentException("no YCSB workload '" + name
                    + "': expected one of a, b, c, d, e, f");
        }
        return p;
    }

    private static void mix(Properties p, String read, String update, String scan,
            String insert, String readModifyWrite) {
        p.setProperty("readproportion", read);
        p.setProperty("updateproportion", update);
        p.setProperty("scanproportion", scan);
        p.setProperty("insertproportion", insert);
        p.setProperty("readmodifywriteproportion", readModifyWrite);
    }
}
