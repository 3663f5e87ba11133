package io.dibex.xml.file;

import io.dibex.TransportException;
import io.dibex.spi.OutgoingMessage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A message being written to a temporary file of the folder; {@link #send()} makes it durable
 * (flush, fsync) and then visible under its final name in one atomic rename.
 */
final class FileOutgoing implements OutgoingMessage {

    private final Path directory;
    private final Path temporary;
    private final Path target;
    private final Path superseded;
    private final FileChannel channel;
    private final BufferedOutputStream buffered;
    private final ZipOutputStream zip;
    private final OutputStream stream;
    private boolean ended;

    FileOutgoing(Path directory, String name, String otherName, String zipEntry) {
        this.directory = directory;
        this.target = directory.resolve(name);
        this.superseded = directory.resolve(otherName);
        this.temporary = directory.resolve(name + "." + UUID.randomUUID() + FileTransport.TEMPORARY);
        try {
            this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new TransportException("cannot create " + temporary + ": " + e.getMessage(), e);
        }
        this.buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
        OutputStream out = buffered;
        ZipOutputStream z = null;
        if (zipEntry != null) {
            z = new ZipOutputStream(buffered);
            try {
                z.putNextEntry(new ZipEntry(zipEntry));
            } catch (IOException e) {
                discard();
                throw new TransportException("cannot start the zip file " + temporary + ": " + e.getMessage(), e);
            }
            out = z;
        }
        this.zip = z;
        OutputStream sink = out;
        this.stream = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                checkOpen();
                sink.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                checkOpen();
                sink.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                checkOpen();
                sink.flush();
            }

            /** The message, not its stream, decides when the file is complete. */
            @Override
            public void close() {
            }
        };
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("the message " + target.getFileName() + " was already sent or closed");
        }
    }

    @Override
    public OutputStream stream() {
        return stream;
    }

    @Override
    public void send() {
        checkOpen();
        ended = true;
        try {
            if (zip != null) {
                zip.closeEntry();
                zip.finish();
            }
            buffered.flush();
            channel.force(true);
            channel.close();
            // One atomic rename: a reader sees the old message or the whole new one, never a part.
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            discard();
            throw new TransportException("cannot send " + target.getFileName() + ": " + e.getMessage(), e);
        }
        try {
            // The same pair's message in the other form (.xml against .zip) is older: keep the newest only.
            Files.deleteIfExists(superseded);
        } catch (IOException e) {
            // Taken by a receiver meanwhile, or not removable: the older message is redundant either way (R3, R5).
        }
        syncDirectory();
    }

    /** Makes the rename durable where the platform allows an fsync of a directory (not on Windows). */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException e) {
            // The file's own bytes are synced; some platforms cannot sync a directory entry.
        }
    }

    @Override
    public void close() {
        if (!ended) {
            ended = true;
            discard();
        }
    }

    private void discard() {
        try {
            channel.close();
        } catch (IOException e) {
            // Deleting the file below is what matters.
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            // A temporary name is never read as a message; an operator may remove it.
        }
    }
}
