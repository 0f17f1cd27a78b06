package org.gtstore.metadata.model;

import java.util.Objects;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/**
 * One registered data server as the metadata group agreed on it. The incarnation grows with
 * every registration, so a message from a previous life of the same server id can be told
 * apart and refused; the storage id names the server's data directory, so a restart with the
 * same disk can keep its chain positions while a wiped disk cannot; the process id names the
 * process that registered (empty if it sent none), so that its repeated Registers get this
 * registration instead of a new incarnation. A draining server is given no new position and
 * its positions are moved elsewhere; it stays draining across restarts until the operator
 * cancels the drain or forgets it.
 */
public record ServerEntry(String id, String address, long incarnation, ServerState state,
                          String storageId, String processId, boolean draining) {

    public ServerEntry {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(address, "address == null");
        Objects.requireNonNull(state, "state == null");
        Objects.requireNonNull(storageId, "storageId == null");
        Objects.requireNonNull(processId, "processId == null");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id is empty");
        }
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation < 1: " + incarnation);
        }
    }

    /** A registration that carried no process id (a data server that sends none). */
    public ServerEntry(String id, String address, long incarnation, ServerState state,
                       String storageId) {
        this(id, address, incarnation, state, storageId, "", false);
    }

    public ServerEntry(String id, String address, long incarnation, ServerState state,
                       String storageId, String processId) {
        this(id, address, incarnation, state, storageId, processId, false);
    }

    /** True if it may be given a new position: live and not draining. */
    public boolean takesPositions() {
        return !isDead() && !draining;
    }

    public ServerEntry withDraining(boolean drain) {
        return new ServerEntry(id, address, incarnation, state, storageId, processId, drain);
    }

    public boolean isDead() {
        return state == ServerState.DEAD;
    }

    public ServerEntry withState(ServerState newState) {
        return new ServerEntry(id, address, incarnation, newState, storageId, processId,
                draining);
    }

    public ServerInfo toProto() {
        return ServerInfo.newBuilder().setId(id).setAddress(address).setIncarnation(incarnation)
                .setState(state).setStorageId(storageId).setProcessId(processId)
                .setDraining(draining).build();
    }

    public static ServerEntry fromProto(ServerInfo p) {
        return new ServerEntry(p.getId(), p.getAddress(), p.getIncarnation(), p.getState(),
                p.getStorageId(), p.getProcessId(), p.getDraining());
    }
}
