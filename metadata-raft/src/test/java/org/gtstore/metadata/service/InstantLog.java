package org.gtstore.metadata.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.gtstore.metadata.command.Commands;
import org.gtstore.metadata.command.Outcome;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;

/**
 * For tests of the leader's duties: a log that applies each command at once with {@link
 * Commands#apply} (which validates it against the state, as the state machine would), keeping
 * every command it was given, and a duty queue that runs to the end when asked, as the leader's
 * one duty thread would.
 */
final class InstantLog {
    final AtomicReference<ClusterState> state;
    final List<MetaCommand> log = new ArrayList<>();
    final ArrayDeque<Runnable> duty = new ArrayDeque<>();

    InstantLog(ClusterState initial) {
        this.state = new AtomicReference<>(initial);
    }

    MetaCommandReply apply(MetaCommand cmd) {
        log.add(cmd);
        Outcome o = Commands.apply(state.get(), cmd);
        state.set(o.state());
        return o.reply();
    }

    void runDuty() {
        for (Runnable task = duty.poll(); task != null; task = duty.poll()) {
            task.run();
        }
    }
}
