package io.dibex.internal;

import io.dibex.StorageException;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The (key, digest) pairs an export wrote, kept until they are recorded after the message is
 * complete (R3). Holds up to a fixed number of pairs in memory and spills the rest to a temporary
 * file, so that memory does not grow with the number of registrations.
 */
final class DigestSpool implements AutoCloseable {

    private static final int IN_MEMORY = 4096;

    private final List<ObjectKey> keys = new ArrayList<>();
    private final List<Digest> digests = new ArrayList<>();
    private Path file;
    private DataOutputStream spill;
    private long size;

    void add(ObjectKey key, Digest digest) {
        size++;
        if (spill == null && keys.size() < IN_MEMORY) {
            keys.add(key);
            digests.add(digest);
            return;
        }
        try {
            if (spill == null) {
                file = Files.createTempFile("dibex-export-", ".spool");
                spill = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)));
            }
            spill.writeUTF(key.kind());
            spill.writeUTF(key.id());
            spill.write(digest.bytes());
        } catch (IOException e) {
            throw new StorageException("cannot spool export digests to a temporary file: " + e.getMessage(), e);
        }
    }

    long size() {
        return size;
    }

    void forEach(BiConsumer<ObjectKey, Digest> action) {
        for (int i = 0; i < keys.size(); i++) {
            action.accept(keys.get(i), digests.get(i));
        }
        if (spill == null) {
            return;
        }
        try {
            spill.flush();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                byte[] d = new byte[Digest.LENGTH];
                while (true) {
                    String kind;
                    try {
                        kind = in.readUTF();
                    } catch (EOFException end) {
                        break;
                    }
                    String id = in.readUTF();
                    in.readFully(d);
                    action.accept(new ObjectKey(kind, id), Digest.of(d));
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot read spooled export digests: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (spill != null) {
                spill.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new StorageException("cannot remove temporary spool " + file + ": " + e.getMessage(), e);
        }
    }
}
