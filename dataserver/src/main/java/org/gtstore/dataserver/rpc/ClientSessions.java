package org.gtstore.dataserver.rpc;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.Map;

/**
 * The session each client instance registered with this server (the first batch of a session
 * names its client id), so that this server, as the tail of a partition, can send a client the
 * Committed replies of writes that entered at another server. The latest session of a client
 * id takes its replies; a session that ends is forgotten. Driver thread only.
 */
public final class ClientSessions {
    private final Map<ByteString, ClientSession> byClient = new HashMap<>();

    /**
     * Registers {@code session} as the one of {@code clientId} and buffers the notice for the
     * client; true if it was not registered yet (the session then has an answer to flush).
     */
    public boolean register(ByteString clientId, ClientSession session) {
        ClientSession old = byClient.put(clientId, session);
        if (old == session) {
            return false;
        }
        session.onEnd(() -> byClient.remove(clientId, session));
        session.registered();
        return true;
    }

    /** The live session of the client, or null if it has none with this server. */
    public ClientSession of(ByteString clientId) {
        ClientSession s = byClient.get(clientId);
        return s == null || s.isClosed() ? null : s;
    }

    public int size() {
        return byClient.size();
    }
}
