package org.gtstore.bench.cost;

/** What a measured process is, for the split of CPU and memory in the report. */
public enum ProcessKind {
    /** The benchmark's own JVM. */
    CLIENT("client"),
    DATA_SERVER("data servers"),
    METADATA("metadata");

    private final String label;

    ProcessKind(String label) {
        this.label = label;
    }

    /** How the report names processes of this kind. */
    public String label() {
        return label;
    }
}
