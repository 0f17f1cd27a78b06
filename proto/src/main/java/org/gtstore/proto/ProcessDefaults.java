package org.gtstore.proto;

/**
 * System properties every GTStore process (data server, metadata member, gtctl) sets at the top
 * of its {@code main}, before any Netty class loads; a property given with {@code -D} wins.
 *
 * <p>Netty's leak detector is off: at its default level it records a stack trace for one
 * buffer allocation in 128, and on a data server's I/O thread those traces were about 1% of the
 * CPU of a K=3 benchmark. The two shaded copies (gRPC's and Ratis's) read their own names.
 * Two costs of gRPC's Netty start are spared too: the allocator's Flight Recorder events
 * (their set-up generates classes at run time) and the machine id of channel ids, which Netty
 * finds by listing the network interfaces (ids only name channels in Netty's own logs).
 */
public final class ProcessDefaults {
    private static final String GRPC_NETTY = "io.grpc.netty.shaded.io.netty.";
    private static final String RATIS_NETTY = "org.apache.ratis.thirdparty.io.netty.";

    private ProcessDefaults() {
    }

    /** Sets the defaults that are not set yet. */
    public static void apply() {
        setIfAbsent(GRPC_NETTY + "leakDetection.level", "disabled");
        setIfAbsent(RATIS_NETTY + "leakDetection.level", "disabled");
        setIfAbsent(GRPC_NETTY + "jfr.enabled", "false");
        setIfAbsent(GRPC_NETTY + "machineId", "00:00:00:00:00:00:00:01");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
