package org.gtstore.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback port that accepts every connection and closes it at once, counting them: a server
 * that cannot be reached, where a test can still see how often the client tried.
 */
final class ClosingListener implements AutoCloseable {
    final AtomicInteger connections = new AtomicInteger();
    private final ServerSocket socket;
    private final Thread acceptor;

    ClosingListener() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptAll, "closing-listener");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    private void acceptAll() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                connections.incrementAndGet();
            } catch (IOException e) {
                return;   // closed
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        socket.close();
        acceptor.join(5000);
    }
}
