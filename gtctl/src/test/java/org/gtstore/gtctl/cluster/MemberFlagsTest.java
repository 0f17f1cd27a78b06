package org.gtstore.gtctl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemberFlagsTest {
    @Test
    void aFlagGivenAgainReplacesItsRecordedValueAndTheOthersStay() {
        List<String> recorded = List.of("--failure-timeout-ms", "10000", "--lease-ms", "8000");
        assertEquals(List.of("--failure-timeout-ms", "10000", "--lease-ms", "6000",
                "--restart-grace-ms", "5000"), MemberFlags.merge(recorded,
                List.of("--lease-ms", "6000", "--restart-grace-ms", "5000")));
    }

    @Test
    void nothingGivenKeepsTheRecordedFlagsAndNothingRecordedTakesTheGivenOnes() {
        List<String> flags = List.of("--restart-grace-ms", "5000");
        assertEquals(flags, MemberFlags.merge(flags, List.of()));
        assertEquals(flags, MemberFlags.merge(List.of(), flags));
    }

    @Test
    void equalsFormAndLoneFlagsAreNamedToo() {
        assertEquals(List.of("--a=2", "--verbose", "--b", "1"), MemberFlags.merge(
                List.of("--a=1", "--verbose"), List.of("--a=2", "--b", "1", "--verbose")));
    }

    @Test
    void valueReadsBothSpellingsAndNothingForALoneOrMissingFlag() {
        List<String> flags = List.of("--lease-ms", "800", "--durability=fsync", "--verbose");
        assertEquals(java.util.Optional.of("800"), MemberFlags.value(flags, "--lease-ms"));
        assertEquals(java.util.Optional.of("fsync"), MemberFlags.value(flags, "--durability"));
        assertEquals(java.util.Optional.empty(), MemberFlags.value(flags, "--verbose"));
        assertEquals(java.util.Optional.empty(), MemberFlags.value(flags, "--restart-grace-ms"));
    }
}
