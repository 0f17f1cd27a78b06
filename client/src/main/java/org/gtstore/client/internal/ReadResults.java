package org.gtstore.client.internal;

import com.google.protobuf.ByteString;
import java.util.List;
import org.gtstore.client.GetResult;

/**
 * Makes a {@link GetResult} from a tail's answer without copying the key or the value (the
 * client's own constructor over byte strings, which the public API does not offer).
 */
@FunctionalInterface
public interface ReadResults {
    GetResult of(ByteString key, boolean found, ByteString value, String serverId, long version,
            long epoch, List<String> chain, int partition);
}
