package org.gtstore.bench.loadbalance;

/** Where a load-balance result's keys-per-server numbers come from. */
public enum CountSource {
    /** Each data server's own {@code keys_headed}: the truth, used when it adds up. */
    SERVER_STATS("server stats"),
    /** Each inserted key routed through the partition map to its chain's head. */
    MAP_ROUTING("map routing");

    private final String label;

    CountSource(String label) {
        this.label = label;
    }

    /** How reports name the source. */
    public String label() {
        return label;
    }
}
