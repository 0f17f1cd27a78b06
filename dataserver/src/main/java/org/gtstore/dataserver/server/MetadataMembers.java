package org.gtstore.dataserver.server;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gtstore.dataserver.rpc.Channels;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.TransportSecurity;

/**
 * Which metadata member a data server asks, and how it calls one: the leader as last known,
 * moving on to the hinted leader (a {@code NOT_LEADER} answer names it in {@code leader_hint})
 * or to the next member when a call fails; one channel per member; answers handed to the
 * session's thread. Every part of the metadata session (registration and heartbeats, maps,
 * reports) follows the same leader through this. Not thread-safe: used on the session thread.
 */
final class MetadataMembers implements AutoCloseable {
    private List<String> members;
    private final long rpcTimeoutMs;
    private final TransportSecurity security;
    private final Executor thread;
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private String leader;
    private volatile boolean closed;

    /**
     * @param rpcTimeoutMs deadline of a metadata call
     * @param thread the session's thread, where every answer is handled
     */
    MetadataMembers(List<String> members, long rpcTimeoutMs, Executor thread) {
        this(members, rpcTimeoutMs, thread, TransportSecurity.plaintext());
    }

    /** @param security how the channels to the members are secured */
    MetadataMembers(List<String> members, long rpcTimeoutMs, Executor thread,
            TransportSecurity security) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no metadata members");
        }
        this.members = List.copyOf(members);
        this.rpcTimeoutMs = rpcTimeoutMs;
        this.security = security;
        this.thread = thread;
        this.leader = this.members.get(0);
    }

    /** The member to ask next: the leader as last known. */
    String leader() {
        return leader;
    }

    int size() {
        return members.size();
    }

    /** {@code member} answered as the leader. */
    void led(String member) {
        leader = member;
    }

    /** Switches to the hinted leader, or to the next member if there is no hint. */
    void follow(String from, String hint) {
        if (!hint.isEmpty()) {
            leader = hint;
        } else {
            failed(from);
        }
    }

    /**
     * A call to {@code member} failed: the next call goes to the member after it. Several calls
     * to the same member failing move on once, not once each.
     */
    void failed(String member) {
        if (leader.equals(member)) {
            // A hinted leader may not be in the list: it goes on from the start.
            leader = members.get((members.indexOf(member) + 1) % members.size());
        }
    }

    /**
     * The group's members as the leader's answer names them: a member added since starts
     * being asked, and a removed one is no longer asked (its channel closes). The leader as
     * last known stays if it is still a member. An empty list changes nothing.
     */
    boolean update(List<String> current) {
        if (current.isEmpty() || current.equals(members)) {
            return false;
        }
        members = List.copyOf(current);
        for (String gone : new ArrayList<>(channels.keySet())) {
            if (!members.contains(gone)) {
                Channels.close(channels.remove(gone));
            }
        }
        if (!members.contains(leader)) {
            leader = members.get(0);
        }
        return true;
    }

    /** A stub for a unary call, with the metadata RPC deadline. */
    MetadataServiceGrpc.MetadataServiceStub stub(String target) {
        return stub(target, rpcTimeoutMs);
    }

    /** A stub for a unary call with its own deadline (one answered once a command applied). */
    MetadataServiceGrpc.MetadataServiceStub stub(String target, long deadlineMs) {
        return streamStub(target).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    /** A stub without a deadline, for a stream. */
    MetadataServiceGrpc.MetadataServiceStub streamStub(String target) {
        return MetadataServiceGrpc.newStub(channels.computeIfAbsent(target,
                a -> Channels.forAddress(a, security)));
    }

    /** A unary call's observer whose answer or failure runs on the session thread. */
    <T> StreamObserver<T> callback(Consumer<T> onOk, Consumer<Throwable> onFail) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                onThread(() -> onOk.accept(value));
            }

            @Override
            public void onError(Throwable t) {
                onThread(() -> onFail.accept(t));
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /** Runs {@code r} on the session thread unless the session closed meanwhile. */
    void onThread(Runnable r) {
        thread.execute(() -> {
            if (!closed) {
                r.run();
            }
        });
    }

    /** True once closed: nothing more is sent, no answer is handled. */
    boolean closed() {
        return closed;
    }

    /** A failed call in one line for the log: the status code and its description. */
    static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        return s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription());
    }

    /** Closes every channel; answers still on their way are dropped. On the session thread. */
    @Override
    public void close() {
        closed = true;
        List<ManagedChannel> all = new ArrayList<>(channels.values());
        channels.clear();
        all.forEach(Channels::close);
    }
}
