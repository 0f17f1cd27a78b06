package org.gtstore.gtctl.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks free ephemeral ports on one host. All sockets stay bound until every port has been
 * picked, so the ports handed out are distinct; they are closed before the members start. A
 * port can in principle be taken by someone else in between; the member then fails to bind and
 * says so in its log, which the launcher reports.
 */
final class PortAllocator {
    private PortAllocator() {
    }

    static List<Integer> freePorts(String host, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            InetAddress address = InetAddress.getByName(host);
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, address);
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new ClusterException("cannot find free ports on " + host + ": "
                    + e.getMessage(), e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Closing a listening socket that accepted nothing cannot lose data.
                }
            }
        }
    }
}
