package org.gtstore.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessDefaultsTest {
    private static final String GRPC_LEAK = "io.grpc.netty.shaded.io.netty.leakDetection.level";
    private static final String RATIS_LEAK =
            "org.apache.ratis.thirdparty.io.netty.leakDetection.level";

    @AfterEach
    void clear() {
        System.clearProperty(GRPC_LEAK);
        System.clearProperty(RATIS_LEAK);
    }

    @Test
    void turnsTheLeakDetectorsOffWhenNotSet() {
        System.clearProperty(GRPC_LEAK);
        System.clearProperty(RATIS_LEAK);
        ProcessDefaults.apply();
        assertEquals("disabled", System.getProperty(GRPC_LEAK));
        assertEquals("disabled", System.getProperty(RATIS_LEAK));
    }

    @Test
    void keepsWhatTheUserSet() {
        System.setProperty(GRPC_LEAK, "paranoid");
        ProcessDefaults.apply();
        assertEquals("paranoid", System.getProperty(GRPC_LEAK));
    }
}
