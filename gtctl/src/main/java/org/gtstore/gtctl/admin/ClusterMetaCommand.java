package org.gtstore.gtctl.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaMember;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster meta add|remove|replace}: changes the metadata group's members one at a
 * time (a Raft configuration change on the leader). For a cluster of {@code --dir} gtctl starts
 * a new member and stops a removed one; with {@code --meta} the operator does.
 */
@Command(name = "meta", description = "Add, remove or replace a metadata member, one at a"
        + " time.", subcommands = {ClusterMetaCommand.Add.class, ClusterMetaCommand.Remove.class,
            ClusterMetaCommand.Replace.class})
final class ClusterMetaCommand {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RETRY_FOR = Duration.ofSeconds(20);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(300);

    /** {@code meta add}: a new member joins. */
    @Command(name = "add", description = "Start a new metadata member (of --dir) and add it;"
            + " with --meta, add one started by hand with --join.")
    static final class Add implements Callable<Integer> {
        @Mixin
        private CommonOptions common;
        @Spec
        private CommandSpec spec;
        @Option(names = "--id", description = "The new member's id (default: the next metaN).")
        private String id;
        @Mixin
        private NewMemberAddresses addresses;
        private final Connector connector;

        Add(Connector connector) {
            this.connector = connector;
        }

        @Override
        public Integer call() {
            Changes c = new Changes(common, connector);
            try (MetadataView view = common.secured(connector)
                    .openMetadata(common.metadataAddresses())) {
                String line = common.hasMeta()
                        ? c.addStarted(view, addresses.byHand(id))
                        : c.addLocal(view, Optional.ofNullable(id));
                c.print(spec, "joined", line);
            }
            return Gtctl.EXIT_OK;
        }
    }

    /** {@code meta remove ID}: a member leaves. */
    @Command(name = "remove", description = "Remove a metadata member (a member of --dir is"
            + " then stopped).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        private CommonOptions common;
        @Spec
        private CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ID", description = "The member, e.g. meta2.")
        private String id;
        private final Connector connector;

        Remove(Connector connector) {
            this.connector = connector;
        }

        @Override
        public Integer call() {
            Changes c = new Changes(common, connector);
            try (MetadataView view = common.secured(connector)
                    .openMetadata(common.metadataAddresses())) {
                c.print(spec, "left", c.remove(view, id));
            }
            return Gtctl.EXIT_OK;
        }
    }

    /** {@code meta replace ID}: a new member joins, then ID leaves. */
    @Command(name = "replace", description = "Add a new metadata member, then remove ID (the"
            + " group never has fewer members than it had).")
    static final class Replace implements Callable<Integer> {
        @Mixin
        private CommonOptions common;
        @Spec
        private CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ID", description = "The member to replace.")
        private String id;
        @Option(names = "--with", paramLabel = "NEW_ID",
                description = "The new member's id (default: the next metaN).")
        private String newId;
        @Mixin
        private NewMemberAddresses addresses;
        private final Connector connector;

        Replace(Connector connector) {
            this.connector = connector;
        }

        @Override
        public Integer call() {
            Changes c = new Changes(common, connector);
            try (MetadataView view = common.secured(connector)
                    .openMetadata(common.metadataAddresses())) {
                if (common.hasMeta()) {
                    c.print(spec, "joined", c.addStarted(view, addresses.byHand(newId)));
                } else {
                    c.requireLocalMember(id);
                    c.print(spec, "joined", c.addLocal(view, Optional.ofNullable(newId)));
                }
                c.print(spec, "left", c.remove(view, id));
            }
            return Gtctl.EXIT_OK;
        }
    }

    /** The addresses of a member started by hand, which {@code add} and {@code replace} take. */
    static final class NewMemberAddresses {
        @Option(names = "--raft-address", paramLabel = "HOST:PORT",
                description = "With --meta: the new member's Raft address.")
        private String raft;
        @Option(names = "--rpc-address", paramLabel = "HOST:PORT",
                description = "With --meta: the new member's MetadataService address.")
        private String rpc;

        MetaMember byHand(String id) {
            if (id == null || raft == null || rpc == null) {
                throw new GtctlException("with --meta, name the new member, started by hand"
                        + " with --join: --id ID --raft-address HOST:PORT --rpc-address"
                        + " HOST:PORT", Gtctl.EXIT_USAGE);
            }
            return MetaMember.newBuilder().setId(id).setRaftAddress(raft).setRpcAddress(rpc)
                    .build();
        }
    }

    /** The steps the three commands share. */
    private static final class Changes {
        private final CommonOptions common;
        private final Connector connector;

        Changes(CommonOptions common, Connector connector) {
            this.common = common;
            this.connector = connector;
        }

        /** Asks the leader to add a member that is already running; returns its answer. */
        String addStarted(MetadataView view, MetaMember m) {
            return ok("add " + m.getId(), change(view, ChangeMetaMembersRequest.newBuilder()
                    .setAdd(m).build()));
        }

        /**
         * Sends a change, again while the group cannot take it now (UNAVAILABLE: another
         * change is under way, too few members answered the leader lately, the leader was just
         * elected or could not hand over, the new member does not answer yet) or has no leader
         * that takes it (a removed leader hands over, and an election may follow on a loaded
         * machine), for up to {@link #RETRY_FOR}. A change a lost answer hid is found done
         * by the retry: the member is then already in (added) or out (removed).
         */
        private static AdminResponse change(MetadataView view, ChangeMetaMembersRequest req) {
            long deadline = System.nanoTime() + RETRY_FOR.toNanos();
            boolean retried = false;
            while (true) {
                try {
                    AdminResponse r = view.changeMetaMembers(req);
                    if (retried && doneBefore(req, r)) {
                        return r.toBuilder().setCode(ErrorCode.OK).setMessage((req.hasAdd()
                                ? req.getAdd().getId() + " joined" : req.getRemove()
                                + " left") + " (" + r.getMessage() + ")").build();
                    }
                    if (r.getCode() != ErrorCode.UNAVAILABLE
                            || System.nanoTime() - deadline > 0) {
                        return r;
                    }
                } catch (RuntimeException e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                }
                retried = true;
                try {
                    Thread.sleep(RETRY_PAUSE.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new GtctlException("interrupted");
                }
            }
        }

        private static boolean doneBefore(ChangeMetaMembersRequest req, AdminResponse r) {
            return r.getCode() == ErrorCode.INVALID_ARGUMENT && (req.hasAdd()
                    ? r.getMessage().equals(req.getAdd().getId() + " is already a member")
                    : r.getMessage().startsWith("'" + req.getRemove() + "' is not a member"));
        }

        /**
         * Starts a new member of {@code --dir} with --join and has the leader add it; if the
         * leader refuses, the new member is stopped and forgotten again.
         */
        String addLocal(MetadataView view, Optional<String> id) {
            ClusterLauncher launcher = ClusterDir.open(common, connector, "meta add");
            MetadataMember m = launcher.startJoiningMetadata(id, START_TIMEOUT);
            AdminResponse r = change(view, ChangeMetaMembersRequest.newBuilder()
                    .setAdd(MetaMember.newBuilder().setId(m.id())
                            .setRaftAddress(m.host() + ":" + m.raftPort())
                            .setRpcAddress(m.rpcAddress())).build());
            if (r.getCode() != ErrorCode.OK) {
                launcher.stopAndForget(m.id());
            }
            return ok("add " + m.id(), r);
        }

        /** Has the leader remove a member, then stops it if it is one of {@code --dir}. */
        String remove(MetadataView view, String id) {
            String line = ok("remove " + id, change(view, ChangeMetaMembersRequest.newBuilder()
                    .setRemove(id).build()));
            boolean local = !common.hasMeta() && common.clusterFile()
                    .map(f -> f.metadataMember(id).isPresent()).orElse(false);
            if (local) {
                ClusterDir.open(common, connector, "meta remove").stopAndForget(id);
                return line + "; " + id + " stopped";
            }
            return line + "; stop its process: it is no longer a member";
        }

        void requireLocalMember(String id) {
            boolean known = common.clusterFile().map(f -> f.metadataMember(id).isPresent())
                    .orElse(false);
            if (!known) {
                throw new GtctlException("cannot replace " + id + ": it is not a metadata"
                        + " member of " + common.dir());
            }
        }

        void print(CommandSpec spec, String what, String line) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(common.json() ? "{\"" + what + "\":\"" + line.replace("\"", "'")
                    + "\"}" : line);
            out.flush();
        }

        private static String ok(String what, AdminResponse r) {
            if (r.getCode() != ErrorCode.OK) {
                throw new GtctlException("cannot " + what + ": " + r.getCode() + ": "
                        + r.getMessage());
            }
            return r.getMessage();
        }
    }
}
