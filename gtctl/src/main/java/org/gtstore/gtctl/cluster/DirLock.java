package org.gtstore.gtctl.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An exclusive lock on the cluster directory while members are started or stopped. */
final class DirLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirLock.class);

    private final FileChannel channel;
    private final FileLock lock;

    private DirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DirLock acquire(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new ClusterException("another gtctl is starting the cluster in " + dir
                        + "; wait for it to finish");
            }
            return new DirLock(channel, lock);
        } catch (IOException e) {
            throw new ClusterException("cannot lock " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            LOG.warn("cannot release the lock of the cluster directory: {}", e.toString());
        }
    }
}
