package org.gtstore.client;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.Committed;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReplyBatch;

/**
 * A data server on a loopback port whose answers the test scripts. By default it behaves like a
 * healthy chain member: puts go into a store shared by the servers of one test (standing in for
 * the chain), gets read it. A handler that returns null never answers. Every request is recorded
 * unless {@code record} is off (a throughput probe: the lists copy themselves on every add).
 * The fakes run on event-loop threads of their own ({@code fake-data-server-*}), apart from the
 * client's, so a probe can tell the client's CPU time from theirs.
 */
final class FakeDataServer implements AutoCloseable {
    static final String THREAD_PREFIX = "fake-data-server";
    private static final EventLoopGroup LOOPS = new NioEventLoopGroup(2,
            new DefaultThreadFactory(THREAD_PREFIX, true));

    final String id;
    final List<PutRequest> puts = new CopyOnWriteArrayList<>();
    final List<GetRequest> gets = new CopyOnWriteArrayList<>();
    volatile boolean record = true;
    /** Sessions that named their client (registered). */
    final AtomicLong sessions = new AtomicLong();
    /** A scripted OK with this message is the head's answer to a retry, not a Committed. */
    static final String RETRY = "retry of a write already applied";
    volatile Function<PutRequest, PutResponse> putHandler;
    volatile Function<GetRequest, GetResponse> getHandler;
    private final Map<ByteString, ByteString> store;
    private final AtomicLong version = new AtomicLong();
    private final Server server;
    private final String address;

    FakeDataServer(String id, Map<ByteString, ByteString> store) throws IOException {
        this(id, store, 0);
    }

    /** A server on the given port (0: any free port), e.g. one restarted at its old address. */
    FakeDataServer(String id, Map<ByteString, ByteString> store, int port) throws IOException {
        this.id = id;
        this.store = store;
        this.putHandler = this::storePut;
        this.getHandler = this::storeGet;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .bossEventLoopGroup(LOOPS)
                .workerEventLoopGroup(LOOPS)
                .channelType(NioServerSocketChannel.class)
                .directExecutor()
                .addService(new Service())
                .build()
                .start();
        this.address = "127.0.0.1:" + server.getPort();
    }

    static FakeDataServer start(String id) throws IOException {
        return new FakeDataServer(id, new ConcurrentHashMap<>());
    }

    String address() {
        return address;
    }

    int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    PutResponse storePut(PutRequest r) {
        if (r.getTombstone()) {
            store.remove(r.getKey());
        } else {
            store.put(r.getKey(), r.getValue());
        }
        return PutResponse.newBuilder().setCode(ErrorCode.OK).setServerId(id)
                .setEpoch(r.getEpoch()).setVersion(version.incrementAndGet()).build();
    }

    GetResponse storeGet(GetRequest r) {
        ByteString v = store.get(r.getKey());
        return GetResponse.newBuilder().setCode(v == null ? ErrorCode.NOT_FOUND : ErrorCode.OK)
                .setServerId(id).setEpoch(r.getEpoch()).setValue(v == null ? ByteString.EMPTY : v)
                .setVersion(v == null ? 0 : 1).build();
    }

    PutResponse answer(ErrorCode code, long epoch) {
        return PutResponse.newBuilder().setCode(code).setServerId(id).setEpoch(epoch)
                .setMessage("scripted " + code).build();
    }

    /** Stops listening: new connections are refused. */
    void stop() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private final class Service extends DataServiceGrpc.DataServiceImplBase {

        @Override
        public StreamObserver<ClientBatch> session(StreamObserver<ReplyBatch> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(ClientBatch batch) {
                    if (!batch.getClientId().isEmpty()) {
                        sessions.incrementAndGet();
                        synchronized (out) {
                            out.onNext(ReplyBatch.newBuilder().setRegistered(true).build());
                        }
                    }
                    for (ClientOp op : batch.getOpsList()) {
                        long id = op.getId();
                        if (op.hasPut()) {
                            long requestId = op.getPut().getRequestId();
                            put(op.getPut(), new Answer<PutResponse>(out,
                                    r -> committedOrAnswer(id, requestId, r)));
                        } else {
                            get(op.getGet(), new Answer<GetResponse>(out,
                                    r -> OpReply.newBuilder().setId(id).setGet(r).build()));
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    synchronized (out) {
                        out.onCompleted();
                    }
                }
            };
        }

        private void put(PutRequest request, StreamObserver<PutResponse> out) {
            if (record) {
                puts.add(request);
            }
            PutResponse r = putHandler.apply(request);
            if (r != null) {
                out.onNext(r);
            }
        }

        private void get(GetRequest request, StreamObserver<GetResponse> out) {
            if (record) {
                gets.add(request);
            }
            GetResponse r = getHandler.apply(request);
            if (r != null) {
                out.onNext(r);
            }
        }
    }

    /**
     * A put's answer as the real servers send it: OK as a Committed reply (the fake is head and
     * tail at once, and the client takes a Committed reply from any session), anything else
     * from the head, by op id.
     */
    private static OpReply committedOrAnswer(long id, long requestId, PutResponse r) {
        if (r.getCode() == ErrorCode.OK && r.getVersion() > 0 && !r.getMessage().equals(RETRY)) {
            return OpReply.newBuilder().setCommitted(Committed.newBuilder()
                    .setRequestId(requestId).setVersion(r.getVersion())
                    .setEpoch(r.getEpoch())).build();
        }
        return OpReply.newBuilder().setId(id).setPut(r).build();
    }

    /** A unary observer whose answer goes out on a session stream, one reply per message. */
    private static final class Answer<T> implements StreamObserver<T> {
        private final StreamObserver<ReplyBatch> out;
        private final java.util.function.Function<T, OpReply> wrap;

        Answer(StreamObserver<ReplyBatch> out, java.util.function.Function<T, OpReply> wrap) {
            this.out = out;
            this.wrap = wrap;
        }

        @Override
        public void onNext(T value) {
            synchronized (out) {
                try {
                    out.onNext(ReplyBatch.newBuilder().addReplies(wrap.apply(value)).build());
                } catch (RuntimeException e) {
                    // the session is gone
                }
            }
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
