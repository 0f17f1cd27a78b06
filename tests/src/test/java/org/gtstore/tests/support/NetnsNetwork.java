package org.gtstore.tests.support;

import static org.gtstore.tests.support.HostCommands.must;
import static org.gtstore.tests.support.HostCommands.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network of its own for a test cluster: every member (and every client process) in a network
 * namespace of its own with its own address, each attached by a veth pair to one bridge that
 * also holds the test JVM's address. {@link #cut} moves members' links to a second bridge, an
 * island: they still reach each other but nothing else, and packets to them vanish (timeouts,
 * later "no route to host"), as in a real partition; {@link #heal} moves them back.
 *
 * <p>Needs root ({@code ip netns}, veth, bridges). Names carry a random tag, so runs never
 * collide, and {@link #close} (also run by a shutdown hook) deletes every namespace, veth and
 * bridge it made, whatever happened before.
 */
public final class NetnsNetwork implements AutoCloseable {
    private final String tag;
    private final String subnet;
    private final String mainBridge;
    private final String islandBridge;
    private final Map<String, Integer> indexOf = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private final Thread cleanup = new Thread(this::deleteAll, "netns-cleanup");
    private boolean closed;

    private NetnsNetwork(String tag, String subnet) {
        this.tag = tag;
        this.subnet = subnet;
        this.mainBridge = "gtb" + tag;
        this.islandBridge = "gti" + tag;
    }

    /** True if this process may make namespaces (root, and {@code ip} works). */
    public static boolean available() {
        return HostCommands.isRoot() && run(List.of("ip", "netns", "list")).isEmpty();
    }

    /** Makes the two bridges and gives the test JVM an address on the main one. */
    public static NetnsNetwork create() {
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        String subnet = "10.213." + ThreadLocalRandom.current().nextInt(1, 255);
        NetnsNetwork n = new NetnsNetwork(tag, subnet);
        Runtime.getRuntime().addShutdownHook(n.cleanup);
        try {
            for (String bridge : List.of(n.mainBridge, n.islandBridge)) {
                must("ip", "link", "add", bridge, "type", "bridge");
                must("ip", "link", "set", bridge, "up");
            }
            must("ip", "addr", "add", subnet + ".1/24", "dev", n.mainBridge);
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
    }

    /** The test JVM's address on the main bridge. */
    public String hostAddress() {
        return subnet + ".1";
    }

    /** Adds a namespace for {@code name} on the main bridge; returns its address. */
    public synchronized String add(String name) {
        int i = indexOf.size() + 10;
        indexOf.put(name, i);
        String ns = namespace(name);
        must("ip", "netns", "add", ns);
        namespaces.add(ns);
        must("ip", "link", "add", veth(name), "type", "veth", "peer", "name", "eth0", "netns",
                ns);
        must("ip", "link", "set", veth(name), "master", mainBridge, "up");
        must("ip", "-n", ns, "addr", "add", subnet + "." + i + "/24", "dev", "eth0");
        must("ip", "-n", ns, "link", "set", "eth0", "up");
        must("ip", "-n", ns, "link", "set", "lo", "up");
        return address(name);
    }

    public synchronized String address(String name) {
        return subnet + "." + requireKnown(name);
    }

    /** The namespace's name, for {@code ip netns exec}. */
    public String namespace(String name) {
        return "gt" + tag + "-" + name;
    }

    /** Moves these members to the island: from now on they reach only each other. */
    public synchronized void cut(Set<String> names) {
        for (String name : names) {
            requireKnown(name);
            must("ip", "link", "set", veth(name), "nomaster");
            must("ip", "link", "set", veth(name), "master", islandBridge);
        }
    }

    /** Moves every member back to the main bridge. */
    public synchronized void heal() {
        for (String name : indexOf.keySet()) {
            must("ip", "link", "set", veth(name), "nomaster");
            must("ip", "link", "set", veth(name), "master", mainBridge);
        }
    }

    private int requireKnown(String name) {
        Integer i = indexOf.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no namespace for " + name + " in " + indexOf);
        }
        return i;
    }

    /** The host end of a member's veth pair (at most 15 characters). */
    private String veth(String name) {
        return "gv" + tag + "x" + requireKnown(name);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs deleteAll, which finds nothing left.
        }
    }

    /** Deleting a namespace deletes its veth end and with it the peer on the bridge. */
    private void deleteAll() {
        for (String ns : List.copyOf(namespaces)) {
            run(List.of("ip", "netns", "delete", ns));
        }
        for (String bridge : List.of(mainBridge, islandBridge)) {
            run(List.of("ip", "link", "delete", bridge));
        }
        namespaces.clear();
    }
}
