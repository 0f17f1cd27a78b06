package org.gtstore.proto;

/** The {@code host:port} addresses every process takes on its command line and the wire. */
public final class HostPorts {
    private HostPorts() {
    }

    /** Whether the text is host:port with a non-empty host and a port in 1..65535. */
    public static boolean isHostPort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            return false;
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            return port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
