package org.gtstore.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gtstore.client.MetadataUnavailableException;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.MetadataServiceGrpc.MetadataServiceStub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one metadata call to the group: first to the leader (once an answer has named it) or
 * else the member that last answered, then to every other member in turn. A member that
 * answers {@code NOT_LEADER} with a {@code leader_hint} sends the call to that address next. A
 * member that cannot be reached, times out or answers uselessly is skipped. When every member
 * has been tried the call fails with a {@link MetadataUnavailableException} that lists what
 * each address did, and says ({@link MetadataUnavailableException#refused()}) whether every
 * member refused the connection or the client's credentials: only then can retrying soon not
 * help.
 *
 * <p>Each member has one long-lived channel. Calls never block: results complete on the
 * channel's event-loop thread.
 */
public final class MetadataConnector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataConnector.class);

    private volatile List<String> addresses;
    private final long callTimeoutMs;
    private final Function<String, ManagedChannel> channelFactory;
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile String preferred;
    private volatile boolean closed;

    /** What one member's answer means for the call. */
    public enum Kind {
        /** The answer is the result. */
        ACCEPT,
        /** The answer will do if no member has a better one (e.g. an older map); ask the next. */
        USABLE_ASK_NEXT,
        /** Not the leader; ask the hinted leader (if any), else the next member. */
        LEADER_ELSEWHERE,
        /** The answer is useless; ask the next member. */
        ASK_NEXT
    }

    /**
     * A judgement of one answer: what to do and, for people, why. Of several usable answers
     * the one with the highest rank is the result.
     */
    public record Verdict(Kind kind, String leaderHint, String reason, long rank) {
        public static Verdict accept() {
            return new Verdict(Kind.ACCEPT, "", "", 0);
        }

        /** Accepts the answer of a member that names the leader, to be asked first next time. */
        public static Verdict accept(String leaderHint) {
            return new Verdict(Kind.ACCEPT, leaderHint, "", 0);
        }

        public static Verdict usable(String reason, long rank) {
            return new Verdict(Kind.USABLE_ASK_NEXT, "", reason, rank);
        }

        public static Verdict leaderElsewhere(String leaderHint, String reason) {
            return new Verdict(Kind.LEADER_ELSEWHERE, leaderHint, reason, 0);
        }

        public static Verdict askNext(String reason) {
            return new Verdict(Kind.ASK_NEXT, "", reason, 0);
        }
    }

    /** Starts one RPC on the given stub. */
    @FunctionalInterface
    public interface Invocation<R> {
        void invoke(MetadataServiceStub stub, StreamObserver<R> observer);
    }

    public MetadataConnector(List<String> addresses, long callTimeoutMs,
            Function<String, ManagedChannel> channelFactory) {
        HostPort.checkAll(addresses);
        this.addresses = List.copyOf(addresses);
        this.callTimeoutMs = callTimeoutMs;
        this.channelFactory = channelFactory;
    }

    public List<String> addresses() {
        return addresses;
    }

    public long callTimeoutMs() {
        return callTimeoutMs;
    }

    /**
     * The group's members as an answer names them (GetMap carries them), so a long-lived
     * client follows members added and removed since it started. An empty or malformed list
     * changes nothing.
     */
    public void learnMembers(List<String> members) {
        if (members.isEmpty() || members.equals(addresses)) {
            return;
        }
        try {
            HostPort.checkAll(members);
        } catch (IllegalArgumentException e) {
            LOG.debug("ignoring a malformed member list {}: {}", members, e.getMessage());
            return;
        }
        addresses = List.copyOf(members);
    }

    /** The member to try first: the last one that answered, else the first address. */
    public String preferred() {
        String p = preferred;
        return p != null ? p : addresses.get(0);
    }

    /** A stub for one member, with no deadline (for streams). */
    public MetadataServiceStub stub(String address) {
        if (closed) {
            throw new IllegalStateException("metadata client is closed");
        }
        return MetadataServiceGrpc.newStub(channels.computeIfAbsent(address, channelFactory));
    }

    /** Makes the channel to a member reconnect at once, e.g. after that member restarted. */
    public void resetBackoff(String address) {
        ManagedChannel ch = channels.get(address);
        if (ch != null) {
            ch.resetConnectBackoff();
        }
    }

    /** Sends the call to the group, trying members as described in the class comment. */
    public <R> CompletableFuture<R> call(String operation, Invocation<R> invocation,
            Function<R, Verdict> judge) {
        CompletableFuture<R> result = new CompletableFuture<>();
        Round<R> round = new Round<>(operation, invocation, judge, result);
        round.ask(preferred());
        return result;
    }

    /** Sends the call to exactly one member; fails if that member does not answer. */
    public <R> CompletableFuture<R> callOne(String address, Invocation<R> invocation) {
        CompletableFuture<R> result = new CompletableFuture<>();
        try {
            invocation.invoke(stub(address).withDeadlineAfter(callTimeoutMs,
                    TimeUnit.MILLISECONDS), new StreamObserver<>() {
                        @Override
                        public void onNext(R value) {
                            result.complete(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            resetBackoff(address);
                            result.completeExceptionally(new MetadataUnavailableException(
                                    "metadata member " + address + " is not reachable: "
                                            + Channels.describe(t, callTimeoutMs), t));
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public void close() {
        closed = true;
        for (ManagedChannel ch : channels.values()) {
            Channels.closeNow(ch);
        }
        channels.clear();
    }

    /**
     * One call's walk over the members. Only one member is asked at a time, so the fields are
     * touched by one thread at a time (each step starts in the previous step's callback).
     */
    private final class Round<R> {
        private final String operation;
        private final Invocation<R> invocation;
        private final Function<R, Verdict> judge;
        private final CompletableFuture<R> result;
        private final Set<String> tried = new LinkedHashSet<>();
        private final List<String> failures = new ArrayList<>();
        private boolean anyAnswered;
        private boolean allRefused = true;
        private boolean anySecurityFailure;
        private R usable;
        private long usableRank = Long.MIN_VALUE;

        Round(String operation, Invocation<R> invocation, Function<R, Verdict> judge,
                CompletableFuture<R> result) {
            this.operation = operation;
            this.invocation = invocation;
            this.judge = judge;
            this.result = result;
        }

        void ask(String address) {
            tried.add(address);
            MetadataServiceStub stub;
            try {
                stub = stub(address).withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            invocation.invoke(stub, new StreamObserver<>() {
                @Override
                public void onNext(R value) {
                    answered(address, value);
                }

                @Override
                public void onError(Throwable t) {
                    resetBackoff(address);
                    boolean security = Channels.isSecurityFailure(t);
                    anySecurityFailure |= security;
                    allRefused &= Channels.isConnectionRefused(t) || security;
                    failed(address, Channels.describe(t, callTimeoutMs), "");
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        private void answered(String address, R value) {
            Verdict v;
            try {
                v = judge.apply(value);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            anyAnswered = true;
            allRefused = false;
            switch (v.kind()) {
                case ACCEPT -> {
                    // Ask the leader first next time, if it is a member we know.
                    preferred = addresses.contains(v.leaderHint()) ? v.leaderHint() : address;
                    result.complete(value);
                }
                case USABLE_ASK_NEXT -> {
                    if (usable == null || v.rank() > usableRank) {
                        usable = value;
                        usableRank = v.rank();
                    }
                    failed(address, v.reason(), "");
                }
                case LEADER_ELSEWHERE -> failed(address, v.reason(), v.leaderHint());
                case ASK_NEXT -> failed(address, v.reason(), "");
                default -> throw new IllegalStateException("unexpected verdict: " + v);
            }
        }

        private void failed(String address, String reason, String leaderHint) {
            failures.add(address + ": " + reason);
            LOG.debug("metadata {} at {} failed: {}", operation, address, reason);
            String next = next(leaderHint);
            if (next != null && !closed) {
                ask(next);
            } else if (usable != null) {
                result.complete(usable);
            } else {
                result.completeExceptionally(new MetadataUnavailableException(message(), null,
                        allRefused));
            }
        }

        private String next(String leaderHint) {
            if (leaderHint != null && !leaderHint.isEmpty() && !tried.contains(leaderHint)) {
                return leaderHint;
            }
            for (String a : addresses) {
                if (!tried.contains(a)) {
                    return a;
                }
            }
            return null;
        }

        private String message() {
            String head = anyAnswered
                    ? "metadata " + operation + " failed at every member"
                    : "no metadata server reachable at " + String.join(",", addresses);
            return head + " (" + String.join("; ", failures) + ")" + (anySecurityFailure
                    ? "" : ": is the cluster running? (gtctl cluster status)");
        }
    }
}
