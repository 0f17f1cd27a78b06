package org.gtstore.metadata.service;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.function.Consumer;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WatchMap stream. It sends each new map whose epoch is at least the next one the watcher
 * wants; when the watcher reads slowly (the stream is not ready) it keeps only the newest map,
 * because a map supersedes every older one. Called from the apply thread (must not block) and
 * from gRPC's ready and cancel callbacks.
 */
final class MapWatcher implements Consumer<AppliedMap> {

    private static final Logger LOG = LoggerFactory.getLogger(MapWatcher.class);

    private final ServerCallStreamObserver<GetMapResponse> stream;
    private final MemberView member;
    private long nextEpoch;
    private AppliedMap pending;
    private boolean closed;

    MapWatcher(ServerCallStreamObserver<GetMapResponse> stream, MemberView member,
               long fromEpoch) {
        this.stream = stream;
        this.member = member;
        this.nextEpoch = fromEpoch;
    }

    /** Subscribes, then offers the current map, so no epoch falls between the two. */
    void start() {
        stream.setOnCancelHandler(this::close);
        stream.setOnReadyHandler(this::drain);
        member.addMapListener(this);
        accept(member.applied());
    }

    @Override
    public synchronized void accept(AppliedMap map) {
        if (closed || map.epoch() < nextEpoch) {
            return;
        }
        if (pending == null || map.epoch() > pending.epoch()) {
            pending = map;
        }
        drain();
    }

    private synchronized void drain() {
        if (closed || pending == null || !stream.isReady()) {
            return;
        }
        AppliedMap next = pending;
        pending = null;
        nextEpoch = next.epoch() + 1;
        try {
            stream.onNext(GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(next.map())
                    .setServedBy(member.id()).build());
        } catch (RuntimeException e) {
            LOG.debug("[{}] watch stream gone: {}", member.id(), e.toString());
            close();
        }
    }

    private synchronized void close() {
        if (!closed) {
            closed = true;
            pending = null;
            member.removeMapListener(this);
        }
    }
}
