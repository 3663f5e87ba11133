package io.dibex.xml.file;

import io.dibex.TransportException;
import io.dibex.spi.IncomingMessage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Enumeration;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A message claimed by renaming its file to a private name. A zip file is checked when it is
 * claimed (one entry, the expected name, a declared size within the limit) and inflated on each
 * {@link #open()} with the limits counted as bytes come out; a zip that breaks a rule opens as a
 * stream that fails on its first read, naming the rule.
 */
final class FileIncoming implements IncomingMessage {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    /** Bytes of a zip's content exempt from the ratio check, so that small messages never trip it. */
    private static final long RATIO_SLACK = 1024 * 1024;

    private final String name;
    private final Path original;
    private final Path claimed;
    private final Path archive;
    private final String entry;
    private final long maxInflated;
    private final int maxRatio;
    private final long fileSize;
    private final long size;
    private final String problem;
    private boolean done;

    private FileIncoming(String name, Path original, Path claimed, Path archive, String entry, long maxInflated,
            int maxRatio) {
        this.name = name;
        this.original = original;
        this.claimed = claimed;
        this.archive = archive;
        this.entry = entry;
        this.maxInflated = maxInflated;
        this.maxRatio = maxRatio;
        long length;
        try {
            length = Files.size(claimed);
        } catch (IOException e) {
            length = 0;
        }
        this.fileSize = length;
        if (entry == null) {
            this.size = length;
            this.problem = null;
        } else {
            long[] declared = {length};
            this.problem = checkZip(declared);
            this.size = declared[0];
        }
    }

    /**
     * Claims a waiting file by renaming it to a private name.
     *
     * @return the claimed message, or null if another receiver took the file first
     */
    static FileIncoming claim(Path file, String to, Path archive, long maxInflated, int maxRatio) {
        String name = file.getFileName().toString();
        Path claimed = file.resolveSibling(name + "." + UUID.randomUUID() + FileTransport.CLAIMED);
        try {
            Files.move(file, claimed, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new TransportException("cannot claim " + file + ": " + e.getMessage(), e);
        }
        String entry = name.endsWith(FileTransport.ZIP)
                ? name.substring(0, name.length() - FileTransport.ZIP.length()) + FileTransport.XML : null;
        return new FileIncoming(name, file, claimed, archive, entry, maxInflated, maxRatio);
    }

    /** Reads the zip's directory: exactly one entry, named as the message, with a size within the limit. */
    private String checkZip(long[] size) {
        try (ZipFile zip = new ZipFile(claimed.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            if (!entries.hasMoreElements()) {
                return "the zip file " + name + " holds no entry; it must hold exactly " + entry;
            }
            ZipEntry e = entries.nextElement();
            if (entries.hasMoreElements()) {
                return "the zip file " + name + " holds more than one entry; it must hold exactly " + entry;
            }
            if (!e.getName().equals(entry) || e.isDirectory()) {
                return "the zip file " + name + " holds the entry '" + printable(e.getName()) + "'; it must hold exactly "
                        + entry + " (no path)";
            }
            if (e.getSize() < 0) {
                return "the zip file " + name + " does not declare the size of " + entry;
            }
            if (e.getSize() > maxInflated) {
                return "the zip file " + name + " declares " + e.getSize() + " bytes, more than maxInflatedBytes "
                        + maxInflated + " (raise it with FileTransport.Builder.maxInflatedBytes if such messages"
                        + " are expected)";
            }
            size[0] = e.getSize();
            return null;
        } catch (IOException e) {
            return "the zip file " + name + " cannot be read: " + e.getMessage();
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The message's size: the file's, or for a zip the declared size of its entry, checked while inflating. */
    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream open() {
        if (problem != null) {
            return new FailingStream(problem);
        }
        try {
            if (entry == null) {
                return Files.newInputStream(claimed);
            }
            ZipFile zip = new ZipFile(claimed.toFile());
            try {
                ZipEntry e = zip.getEntry(entry);
                return new Inflated(zip, zip.getInputStream(e), e.getSize());
            } catch (IOException | RuntimeException e) {
                zip.close();
                throw e;
            }
        } catch (IOException e) {
            throw new TransportException("cannot open " + claimed + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void commit() {
        if (done) {
            return;
        }
        try {
            if (archive != null) {
                String stamp = LocalDateTime.now().format(STAMP);
                Files.move(claimed, archive.resolve(name + "." + stamp + "." + UUID.randomUUID().toString().substring(0, 8)));
            } else {
                Files.deleteIfExists(claimed);
            }
            done = true;
        } catch (IOException e) {
            throw new TransportException("cannot " + (archive != null ? "archive " : "remove ") + claimed + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void release() {
        if (done) {
            return;
        }
        putBack(claimed, original);
        done = true;
    }

    /**
     * Gives a claimed file its name back, unless a newer message has taken the name: that one
     * carries everything this one did (R3), so this one is dropped. A hard link makes the check
     * and the naming one atomic step; where links are not supported, a rename follows a check.
     */
    static void putBack(Path claimed, Path original) {
        try {
            try {
                Files.createLink(original, claimed);
            } catch (FileAlreadyExistsException newer) {
                // Superseded by a newer message: drop this one below.
            } catch (UnsupportedOperationException | IOException noLinks) {
                if (!Files.exists(original)) {
                    Files.move(claimed, original, StandardCopyOption.ATOMIC_MOVE);
                    return;
                }
            }
            Files.deleteIfExists(claimed);
        } catch (IOException e) {
            throw new TransportException("cannot give " + claimed + " back as " + original.getFileName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "FileIncoming[" + name + "]";
    }

    /** The bytes of a zip's one entry, counted against the limits while they are inflated. */
    private final class Inflated extends FilterInputStream {
        private final ZipFile zip;
        private final long declared;
        private long count;

        Inflated(ZipFile zip, InputStream in, long declared) {
            super(in);
            this.zip = zip;
            this.declared = declared;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            // Never inflate past the declared size: a lying header cannot make us produce more.
            int n = super.read(b, off, (int) Math.min(len, Math.max(1, declared - count + 1)));
            if (n < 0) {
                if (count != declared) {
                    throw new IOException("the zip file " + name + " inflates to " + count + " bytes, but declares "
                            + declared);
                }
                return n;
            }
            count += n;
            if (count > declared) {
                throw new IOException("the zip file " + name + " inflates to more than the " + declared
                        + " bytes it declares");
            }
            if (count > maxInflated) {
                throw new IOException("the zip file " + name + " inflates to more than maxInflatedBytes " + maxInflated
                        + " (raise it with FileTransport.Builder.maxInflatedBytes if such messages are expected)");
            }
            if (count > RATIO_SLACK && count > (long) maxRatio * fileSize) {
                throw new IOException("the zip file " + name + " inflates more than " + maxRatio + " times its "
                        + fileSize + " bytes (a zip bomb?); raise FileTransport.Builder.maxInflateRatio if such"
                        + " messages are expected");
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] sink = new byte[(int) Math.min(n, 8192)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                zip.close();
            }
        }
    }

    /** A stream that fails on its first read: the message cannot be read, and says why. */
    private static final class FailingStream extends InputStream {
        private final String problem;

        FailingStream(String problem) {
            this.problem = problem;
        }

        @Override
        public int read() throws IOException {
            throw new IOException(problem);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            throw new IOException(problem);
        }
    }
}
