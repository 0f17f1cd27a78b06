package org.gtstore.client.internal;

import java.util.List;

/** Checks {@code host:port} addresses at the boundary, so a typo fails with a plain message. */
public final class HostPort {
    private HostPort() {
    }

    /** Throws IllegalArgumentException unless the list is non-empty and all are host:port. */
    public static void checkAll(List<String> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no metadata addresses given (host:port,...)");
        }
        for (String a : addresses) {
            check(a);
        }
    }

    /** Throws IllegalArgumentException unless the address is host:port with a valid port. */
    public static String check(String address) {
        if (address == null) {
            throw new NullPointerException("address == null");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got: \"" + address + "\"");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unexpected port in \"" + address + "\"", e);
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("unexpected port: " + port + " in \""
                    + address + "\"");
        }
        return address;
    }
}
