package org.gtstore.metadata.service;

import java.util.concurrent.CompletableFuture;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;

/** Changes the metadata group's own members; implemented over Ratis by the server wiring. */
public interface MembershipChanges {

    /**
     * Adds or removes one member: OK once the new configuration is committed, or one line on
     * why nothing changed (INVALID_ARGUMENT, UNAVAILABLE, NOT_LEADER with a hint).
     */
    CompletableFuture<AdminResponse> change(ChangeMetaMembersRequest request);
}
