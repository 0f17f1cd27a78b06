package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;

/** One key of a partition scan, with its stored value (possibly a tombstone). */
public record StoredEntry(ByteString key, StoredValue value) {
}
