package org.gtstore.dataserver.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

class StoreExceptionTest {

    @Test
    void aFullDiskIsRecognisedInRocksDbStatusOrMessage() {
        RocksDBException noSpace = new RocksDBException("While appending to file: x.log",
                new Status(Status.Code.IOError, Status.SubCode.NoSpace, "x"));
        assertTrue(StoreException.isOutOfSpace(new StoreException("write failed", noSpace)));
        assertTrue(StoreException.isOutOfSpace(new StoreException("write failed",
                new RocksDBException("While appending to file: /d/000014.log: No space left on"
                        + " device"))));
        assertTrue(StoreException.isOutOfSpace(new IOException("No space left on device")));
    }

    @Test
    void otherStoreFailuresAreNot() {
        assertFalse(StoreException.isOutOfSpace(new StoreException("write failed",
                new RocksDBException("Corruption: block checksum mismatch"))));
        assertFalse(StoreException.isOutOfSpace(new StoreException("write failed",
                new RocksDBException("IO error", new Status(Status.Code.IOError,
                        Status.SubCode.None, "EIO")))));
        assertFalse(StoreException.isOutOfSpace(new IllegalStateException()));
    }
}
