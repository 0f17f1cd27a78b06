package org.gtstore.client.internal;

import io.grpc.Status;
import org.gtstore.proto.ErrorCode;

/**
 * Why one attempt of an operation failed, with what people need to read it later: which server
 * at which address, under which map epoch.
 *
 * @param kind what sort of failure
 * @param code the wire code the server answered (ANSWER only), else null
 * @param serverEpoch the server's epoch in its answer (ANSWER only), else 0
 * @param mapEpoch the epoch of the client's map the attempt was routed with
 * @param serverId the server tried, or null if none could be chosen
 * @param address its address, or null
 * @param detail a short human reading, e.g. "connection refused"
 */
public record Failure(Kind kind, ErrorCode code, long serverEpoch, long mapEpoch,
        String serverId, String address, String detail) {

    /** What sort of failure. */
    public enum Kind {
        /** The server answered with a wire error code. */
        ANSWER,
        /** Connection refused or reset, or no answer within the attempt timeout. */
        UNREACHABLE,
        /** Another transport failure that a later attempt may not see (e.g. cancelled). */
        TRANSIENT,
        /** A transport failure retrying cannot fix (e.g. UNIMPLEMENTED: not a data server). */
        BROKEN,
        /** The map gives no server to ask: no chain yet, or no live replica. */
        NO_ROUTE,
        /** The map could not be refreshed: no metadata member answered. */
        METADATA
    }

    public static Failure answer(ErrorCode code, long serverEpoch, long mapEpoch,
            String serverId, String address, String message) {
        String detail = serverId + " at " + address + " answered " + code + " (its epoch "
                + serverEpoch + ", ours " + mapEpoch + ")"
                + (message == null || message.isEmpty() ? "" : ": " + message);
        return new Failure(Kind.ANSWER, code, serverEpoch, mapEpoch, serverId, address, detail);
    }

    /** Sorts a gRPC transport failure into UNREACHABLE, TRANSIENT or BROKEN. */
    public static Failure transport(Throwable t, long timeoutMs, long mapEpoch, String serverId,
            String address) {
        Status.Code c = Status.fromThrowable(t).getCode();
        Kind kind = switch (c) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> Kind.UNREACHABLE;
            case CANCELLED, RESOURCE_EXHAUSTED, ABORTED -> Kind.TRANSIENT;
            // gRPC reports a connection that closed under a write (a killed server) as
            // "UNKNOWN: channel closed" with the socket's exception as the cause.
            case UNKNOWN -> Channels.isConnectionLost(t) ? Kind.UNREACHABLE : Kind.BROKEN;
            default -> Kind.BROKEN;
        };
        String detail = serverId + " at " + address + ": " + Channels.describe(t, timeoutMs);
        return new Failure(kind, null, 0, mapEpoch, serverId, address, detail);
    }

    public static Failure noRoute(long mapEpoch, String detail) {
        return new Failure(Kind.NO_ROUTE, null, 0, mapEpoch, null, null, detail);
    }

    public static Failure metadata(long mapEpoch, Throwable t) {
        return new Failure(Kind.METADATA, null, 0, mapEpoch, null, null,
                "cannot refresh the map: " + t.getMessage());
    }
}
