package org.gtstore.metadata.service;

import java.util.regex.Pattern;
import org.gtstore.proto.RegisterRequest;

/**
 * What a Register must look like before the leader proposes it: the same server id rule as the
 * data server's {@code --id}, an address a client can dial ({@code host:port}), and bounded
 * identifiers. A registration that breaks one is refused with INVALID_ARGUMENT and changes
 * nothing, so a malformed or hostile request never puts an undialable server in the map.
 */
final class RegisterChecks {
    private static final Pattern SERVER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9_.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{0,128}");

    private RegisterChecks() {
    }

    /** Why the request may not be proposed, or null if it may. */
    static String invalid(RegisterRequest r) {
        if (!SERVER_ID.matcher(r.getServerId()).matches()) {
            return "server_id must be 1-64 letters, digits, '.', '_' or '-'";
        }
        String address = r.getAddress();
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || !HOST.matcher(address.substring(0, colon)).matches()
                || !validPort(address.substring(colon + 1))) {
            return "address of " + r.getServerId() + " must be host:port";
        }
        if (!TOKEN.matcher(r.getStorageId()).matches()
                || !TOKEN.matcher(r.getProcessId()).matches()
                || !TOKEN.matcher(r.getClusterId()).matches()) {
            return "storage, process and cluster ids of " + r.getServerId()
                    + " must be at most 128 printable ASCII characters";
        }
        return null;
    }

    private static boolean validPort(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(s);
        return port >= 1 && port <= 65_535;
    }
}
