package org.gtstore.metadata.server;

/**
 * One metadata member as given on the command line: {@code id=host:raftPort:rpcPort}. The raft
 * port carries Ratis; the rpc port carries MetadataService, and {@code host:rpcPort} is the
 * member's metadata address as users and data servers see it.
 */
public record PeerAddress(String id, String host, int raftPort, int rpcPort) {

    public PeerAddress {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("peer id is empty");
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("peer " + id + ": host is empty");
        }
        checkPort(id, "raft", raftPort);
        checkPort(id, "rpc", rpcPort);
        if (raftPort == rpcPort) {
            throw new IllegalArgumentException("peer " + id + ": raft and rpc port are both "
                    + raftPort);
        }
    }

    /** Parses {@code id=host:raftPort:rpcPort}. */
    public static PeerAddress parse(String spec) {
        int eq = spec.indexOf('=');
        String[] parts = eq < 0 ? new String[0] : spec.substring(eq + 1).split(":");
        if (eq <= 0 || parts.length != 3) {
            throw new IllegalArgumentException("expected id=host:raftPort:rpcPort, got: " + spec);
        }
        try {
            return new PeerAddress(spec.substring(0, eq), parts[0], Integer.parseInt(parts[1]),
                    Integer.parseInt(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in peer " + spec);
        }
    }

    public String raftAddress() {
        return host + ":" + raftPort;
    }

    public String rpcAddress() {
        return host + ":" + rpcPort;
    }

    @Override
    public String toString() {
        return id + "=" + host + ":" + raftPort + ":" + rpcPort;
    }

    private static void checkPort(String id, String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer " + id + ": unexpected " + name
                    + " port: " + port);
        }
    }
}
