package org.gtstore.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesANewFileAndReplacesAnOldOneLeavingNoTemporaryFile() throws Exception {
        Path f = dir.resolve("id");
        DurableFiles.replace(f, "first\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("first\n", Files.readString(f));
        byte[] longer = new byte[100_000];
        longer[99_999] = 7;
        DurableFiles.replace(f, longer);
        assertArrayEquals(longer, Files.readAllBytes(f));
        DurableFiles.replace(f, new byte[0]);
        assertEquals(0, Files.size(f));
        try (var names = Files.list(dir)) {
            assertEquals(List.of(f), names.toList());
        }
    }

    @Test
    void aStaleTemporaryFileFromACrashIsOverwritten() throws Exception {
        Path f = dir.resolve("snapshot");
        Files.writeString(dir.resolve("snapshot.tmp"), "half of an earlier write");
        DurableFiles.replace(f, "whole".getBytes(StandardCharsets.UTF_8));
        assertEquals("whole", Files.readString(f));
        assertEquals(List.of(f), Files.list(dir).toList());
    }
}
