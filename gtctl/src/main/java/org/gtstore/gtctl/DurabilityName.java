package org.gtstore.gtctl;

import org.gtstore.proto.Durability;

/**
 * The durability modes as gtctl's options and output name them ({@code --durability
 * replicated|fsync}, {@code Durability fsync} in {@code cluster status}).
 */
public final class DurabilityName {
    public static final String REPLICATED = "replicated";
    static final String FSYNC = "fsync";

    private DurabilityName() {
    }

    /** The name of a mode of the map's settings. */
    public static String of(Durability d) {
        return d == Durability.FSYNC ? FSYNC : REPLICATED;
    }

    /** {@code value} if it names a mode; otherwise the usage error of {@code option}. */
    public static String check(String option, String value) {
        if (!REPLICATED.equals(value) && !FSYNC.equals(value)) {
            throw new GtctlException(option + " must be " + REPLICATED + " or " + FSYNC
                    + ", got '" + value + "'", Gtctl.EXIT_USAGE);
        }
        return value;
    }
}
