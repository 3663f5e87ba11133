package io.dibex.xml.file;

import io.dibex.TransportException;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.OutgoingMessage;
import io.dibex.spi.Transport;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Messages as files in one folder, as 1C and offline SymmetricDS exchange them (SPEC §4): the
 * message from {@code A} to {@code B} is {@code Message_A_B.xml}, or {@code Message_A_B.zip} when
 * compressed, and every node of a link reads and writes the same folder (a shared or synchronized
 * directory, or one that a mail or FTP job fills).
 *
 * <ul>
 *   <li><b>Sending</b> writes to a temporary name in the folder, flushes, fsyncs, and renames the
 *       file atomically to its final name; a message closed unsent leaves nothing behind. The
 *       folder keeps only the newest message per (sender, recipient): a newer one replaces an
 *       older one not yet taken, which R3 and R5 make redundant (every message carries every
 *       unacknowledged change).</li>
 *   <li><b>Receiving</b> claims a file by renaming it to a private name before anything reads it,
 *       so that a newer message renamed into place meanwhile is never lost, and two receivers
 *       never take the same file. {@link IncomingMessage#commit()} removes the claimed file (or
 *       moves it to the archive folder); {@link IncomingMessage#release()} puts it back, unless a
 *       newer message has taken its name, which then supersedes it.</li>
 *   <li><b>Zip files</b> are read safely: exactly one entry, named as the message
 *       ({@code Message_A_B.xml}, no path), and the inflated bytes are counted while inflating,
 *       against {@link Builder#maxInflatedBytes} and {@link Builder#maxInflateRatio}. A zip that
 *       breaks a rule yields a stream that fails on its first read, so the engine reports the
 *       message as malformed and nothing is imported.</li>
 *   <li><b>Node names</b> that become parts of file names are checked: 1 to 128 letters, digits,
 *       {@code -} and {@code .}; no {@code _} (it separates sender and recipient), no path
 *       separator, NUL or {@code ..}, no leading dot, no trailing dot, and no reserved device name
 *       ({@code CON}, {@code NUL}, {@code COM1}...). A name that breaks them is an
 *       {@link IllegalArgumentException}.</li>
 * </ul>
 *
 * <p>A receiver that crashed between claiming and committing leaves its claimed files under
 * private names; {@link #recover(String)} puts them back. Thread-safe, and safe for several
 * processes sharing the folder: every step is a rename, create or delete of its own.
 */
public final class FileTransport implements Transport {

    private static final Set<String> RESERVED = Set.of("CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$");
    private static final String PREFIX = "Message_";
    static final String XML = ".xml";
    static final String ZIP = ".zip";
    static final String CLAIMED = ".claimed";
    static final String TEMPORARY = ".tmp";

    private final Path directory;
    private final boolean compress;
    private final Path archive;
    private final long maxInflatedBytes;
    private final int maxInflateRatio;

    private FileTransport(Builder b) {
        this.directory = b.directory;
        this.compress = b.compress;
        this.archive = b.archive;
        this.maxInflatedBytes = b.maxInflatedBytes;
        this.maxInflateRatio = b.maxInflateRatio;
    }

    /**
     * Starts a transport over a folder: uncompressed, removing committed messages, with zip limits
     * of 16 GiB and a ratio of 200.
     *
     * @param directory the exchange folder; created if missing
     * @return a builder
     */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /**
     * The exchange folder.
     *
     * @return the folder every message is written to and read from
     */
    public Path directory() {
        return directory;
    }

    /**
     * The file name of the message from {@code from} to {@code to}.
     *
     * @param from the sender
     * @param to the recipient
     * @param compressed whether the message is a zip file
     * @return {@code Message_<from>_<to>.xml} or {@code .zip}
     * @throws IllegalArgumentException when a name cannot be part of a file name
     */
    public static String fileName(String from, String to, boolean compressed) {
        return PREFIX + checkNode(from, "sender") + "_" + checkNode(to, "recipient") + (compressed ? ZIP : XML);
    }

    /**
     * Starts a message in a temporary file of the folder.
     *
     * @throws IllegalArgumentException when a name cannot be part of a file name
     * @throws TransportException when the file cannot be created
     */
    @Override
    public OutgoingMessage create(String from, String to) {
        String name = fileName(from, to, compress);
        String other = fileName(from, to, !compress);
        return new FileOutgoing(directory, name, other, compress ? fileName(from, to, false) : null);
    }

    /**
     * Claims every message waiting for {@code to}, oldest first, by renaming each to a private
     * name. A file another receiver claimed first is skipped.
     *
     * @throws IllegalArgumentException when {@code to} cannot be part of a file name
     * @throws TransportException when the folder cannot be listed
     */
    @Override
    public List<IncomingMessage> receive(String to) {
        checkNode(to, "recipient");
        List<Path> waiting = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                if (senderOf(file.getFileName().toString(), to) != null) {
                    waiting.add(file);
                }
            }
        } catch (IOException e) {
            throw new TransportException("cannot list the exchange folder " + directory + ": " + e.getMessage(), e);
        }
        waiting.sort(Comparator.comparing(FileTransport::modified).thenComparing(p -> p.getFileName().toString()));
        List<IncomingMessage> claimed = new ArrayList<>();
        for (Path file : waiting) {
            FileIncoming message = FileIncoming.claim(file, to, archive, maxInflatedBytes, maxInflateRatio);
            if (message != null) {
                claimed.add(message);
            }
        }
        return claimed;
    }

    /**
     * Puts back the messages for {@code to} that a receiver claimed but neither committed nor
     * released, because its process ended. Call it when a node starts, while no other receiver
     * for {@code to} runs. A message whose name a newer one has taken is removed, as a release
     * would.
     *
     * @param to the recipient
     * @return how many claimed messages were put back or superseded
     * @throws TransportException when the folder cannot be listed
     */
    public int recover(String to) {
        checkNode(to, "recipient");
        int recovered = 0;
        List<Path> claims = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String n = file.getFileName().toString();
                int cut = n.endsWith(CLAIMED) ? n.lastIndexOf('.', n.length() - CLAIMED.length() - 1) : -1;
                if (cut > 0 && senderOf(n.substring(0, cut), to) != null) {
                    claims.add(file);
                }
            }
        } catch (IOException e) {
            throw new TransportException("cannot list the exchange folder " + directory + ": " + e.getMessage(), e);
        }
        for (Path claim : claims) {
            String n = claim.getFileName().toString();
            String original = n.substring(0, n.lastIndexOf('.', n.length() - CLAIMED.length() - 1));
            FileIncoming.putBack(claim, directory.resolve(original));
            recovered++;
        }
        return recovered;
    }

    @Override
    public String toString() {
        return "FileTransport[" + directory + (compress ? ", zip" : "") + "]";
    }

    /**
     * The sender of a file waiting for {@code to}, or null if the name is not such a file's.
     */
    static String senderOf(String fileName, String to) {
        String tail;
        if (fileName.endsWith("_" + to + XML)) {
            tail = "_" + to + XML;
        } else if (fileName.endsWith("_" + to + ZIP)) {
            tail = "_" + to + ZIP;
        } else {
            return null;
        }
        if (!fileName.startsWith(PREFIX) || fileName.length() <= PREFIX.length() + tail.length()) {
            return null;
        }
        String from = fileName.substring(PREFIX.length(), fileName.length() - tail.length());
        return problem(from) == null ? from : null;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0); // claimed by someone else meanwhile; the claim will skip it
        }
    }

    /** Checks a node name that becomes part of a file name. */
    static String checkNode(String node, String role) {
        Objects.requireNonNull(node, role);
        String problem = problem(node);
        if (problem != null) {
            throw new IllegalArgumentException("the " + role + " '" + printable(node)
                    + "' cannot be part of a message file name: " + problem);
        }
        return node;
    }

    private static String problem(String node) {
        if (node.isEmpty() || node.length() > 128) {
            return "a node name has 1 to 128 characters";
        }
        for (int i = 0; i < node.length(); i++) {
            char c = node.charAt(i);
            if (c == '_') {
                return "'_' separates the sender from the recipient in file names";
            }
            if (!Character.isLetterOrDigit(c) && c != '-' && c != '.') {
                return "only letters, digits, '-' and '.' are allowed (no separator, NUL or other character)";
            }
        }
        if (node.startsWith(".") || node.endsWith(".") || node.contains("..")) {
            return "a name may not start or end with '.', nor hold '..'";
        }
        String base = node.toUpperCase(Locale.ROOT);
        int dot = base.indexOf('.');
        if (dot >= 0) {
            base = base.substring(0, dot);
        }
        if (RESERVED.contains(base) || base.length() == 4 && (base.startsWith("COM") || base.startsWith("LPT"))
                && (Character.isDigit(base.charAt(3)) || "¹²³".indexOf(base.charAt(3)) >= 0)) {
            return "it is a reserved device name on Windows";
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** Builds a {@link FileTransport}. */
    public static final class Builder {
        private final Path directory;
        private boolean compress;
        private Path archive;
        private long maxInflatedBytes = 16L * 1024 * 1024 * 1024;
        private int maxInflateRatio = 200;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /**
         * Whether outgoing messages are zip files (default false). Incoming messages are read
         * either way.
         *
         * @param on whether to compress
         * @return this builder
         */
        public Builder compress(boolean on) {
            this.compress = on;
            return this;
        }

        /**
         * Moves committed messages to this folder instead of removing them.
         *
         * @param folder the archive folder; created if missing
         * @return this builder
         */
        public Builder archive(Path folder) {
            this.archive = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /**
         * The most bytes a zip file may inflate to (default 16 GiB, as
         * {@link io.dibex.codec.Limits#maxTotalBytes()}).
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxInflatedBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxInflatedBytes must be positive, got " + bytes);
            }
            this.maxInflatedBytes = bytes;
            return this;
        }

        /**
         * The most a zip file may inflate to per byte of the file (default 200; XML usually
         * compresses 10 to 50 times, a zip bomb thousands of times). The first 1 MiB is exempt,
         * so that small messages never trip it.
         *
         * @param ratio at least 1
         * @return this builder
         */
        public Builder maxInflateRatio(int ratio) {
            if (ratio < 1) {
                throw new IllegalArgumentException("maxInflateRatio must be positive, got " + ratio);
            }
            this.maxInflateRatio = ratio;
            return this;
        }

        /**
         * The transport.
         *
         * @return the transport
         * @throws TransportException when a folder cannot be created
         */
        public FileTransport build() {
            try {
                Files.createDirectories(directory);
                if (archive != null) {
                    Files.createDirectories(archive);
                }
            } catch (IOException e) {
                throw new TransportException("cannot create the exchange folder " + directory + ": " + e.getMessage(), e);
            }
            return new FileTransport(this);
        }
    }
}
