package org.gtstore.metadata.service;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.gtstore.proto.RegisterRequest;
import org.junit.jupiter.api.Test;

class RegisterChecksTest {
    private static RegisterRequest.Builder ok() {
        return RegisterRequest.newBuilder().setServerId("server1").setAddress("127.0.0.1:7001")
                .setStorageId("5f0c-aa").setProcessId("p-1");
    }

    @Test
    void wellFormedRegistrationsPass() {
        assertNull(RegisterChecks.invalid(ok().build()));
        assertNull(RegisterChecks.invalid(ok().setAddress("db-3.example.org:65535").build()));
        assertNull(RegisterChecks.invalid(ok().setAddress("[::1]:7001").build()));
    }

    @Test
    void malformedFieldsAreRefused() {
        assertNotNull(RegisterChecks.invalid(ok().setServerId("").build()));
        assertNotNull(RegisterChecks.invalid(ok().setServerId("x".repeat(65)).build()));
        assertNotNull(RegisterChecks.invalid(ok().setServerId("a b").build()));
        assertNotNull(RegisterChecks.invalid(ok().setAddress("").build()));
        assertNotNull(RegisterChecks.invalid(ok().setAddress("not an address").build()));
        assertNotNull(RegisterChecks.invalid(ok().setAddress("\u0000\ud800:1").build()));
        assertNotNull(RegisterChecks.invalid(ok().setAddress("host:0").build()));
        assertNotNull(RegisterChecks.invalid(ok().setAddress("host:70000").build()));
        assertNotNull(RegisterChecks.invalid(ok().setAddress(":7001").build()));
        assertNotNull(RegisterChecks.invalid(ok().setStorageId("s".repeat(129)).build()));
        assertNotNull(RegisterChecks.invalid(ok().setClusterId("has space").build()));
    }
}
