package io.dibex.xml;

import io.dibex.LimitExceededException;
import io.dibex.MalformedMessageException;
import io.dibex.codec.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes a message's bytes strictly, before the parser sees them (R16): UTF-8 only, with or
 * without a byte-order mark; every sequence in its shortest form; no encoded surrogates, nothing
 * above U+10FFFF; and only characters XML 1.0 allows (no C0 control but tab, LF and CR; no U+FFFE
 * or U+FFFF). It also counts the bytes against {@link Limits#maxTotalBytes()} and bounds the length
 * of a tag, from {@code <} to {@code >}, so that a name the parser would buffer whole cannot grow
 * without end (attribute values and text are bounded by the parser and the readers).
 *
 * <p>A failure is a {@link Failure}, an {@link IOException} that the parser passes on as its cause;
 * {@link XmlInput} unwraps it into the {@link MalformedMessageException} it carries. Positions are
 * lines and columns of characters, as the parser counts them, plus the byte offset.
 */
final class Utf8Source extends Reader {

    /** Thrown through the parser, carrying the library exception. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;

        /** The exception to throw to the caller. */
        final transient MalformedMessageException exception;

        Failure(MalformedMessageException exception) {
            super(exception.getMessage());
            this.exception = exception;
        }
    }

    private static final int BUFFER_SIZE = 16 * 1024;

    /** The bytes copied as they are: ASCII that XML 1.0 allows (no C0 control but tab, LF, CR). */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            PLAIN[c] = true;
        }
        PLAIN['\t'] = true;
        PLAIN['\n'] = true;
        PLAIN['\r'] = true;
    }
    /** Reads eight bytes as one long, the first byte lowest. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;
    /** Four two-byte sequences: each lead 110xxxxx, each continuation 10xxxxxx. */
    private static final long TWO_BYTE_MASK = 0xC0E0C0E0C0E0C0E0L;
    private static final long TWO_BYTE_FORM = 0x80C080C080C080C0L;
    /**
     * A lead below C2 (overlong) has none of the bits 0x1E: adding 0xFF to each lead's bits 0x1E
     * carries into bit 8 of its 16-bit lane exactly when one is set.
     */
    private static final long OVERLONG_BITS = 0x001E001E001E001EL;
    private static final long OVERLONG_CARRY = 0x00FF00FF00FF00FFL;
    private static final long OVERLONG_TEST = 0x0100010001000100L;
    private static final long LEAD_BITS = 0x001F001F001F001FL;
    private static final long CONTINUATION_BITS = 0x003F003F003F003FL;
    /** Room for the longest lookahead: a four-byte sequence, or {@code <![} after a {@code <}. */
    private static final int LOOKAHEAD = 4;

    private final InputStream in;
    private final String source;
    private final long maxBytes;
    private final long maxTag;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int pos;
    private int end;
    /** Bytes of the stream before {@code buf[0]}. */
    private long base;
    private boolean eof;
    private boolean started;
    /** A low surrogate that did not fit into the caller's array. */
    private char pendingLow;
    private boolean hasPendingLow;
    /** Characters handed out so far. */
    private long chars;
    private long line = 1;
    /** The index of the first character of the current line. */
    private long lineStart;
    /** The end of the bytes {@link #account} has counted lines and tags in. */
    private int accounted;
    /** The index of the {@code <} that opened the current tag, or -1 outside a tag. */
    private long tagStart = -1;
    private Failure failure;

    Utf8Source(InputStream in, Limits limits, String source) {
        this.in = in;
        this.source = source;
        this.maxBytes = limits.maxTotalBytes();
        // A start tag holds at most maxAttributes attributes of maxAttributeLength characters, plus names.
        this.maxTag = (long) (limits.maxAttributes() + 1) * (limits.maxAttributeLength() + 1024L);
    }

    /** The number of bytes read from the stream so far. */
    long bytesRead() {
        return base + end;
    }

    /** The current position, for errors: line and column of the next character, and its byte. */
    String position() {
        return "line " + line + ", column " + (chars - lineStart + 1) + " (byte " + (base + pos) + ")";
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (len == 0) {
            return 0;
        }
        if (!started) {
            start();
        }
        int o = off;
        int limit = off + len;
        if (hasPendingLow) {
            cbuf[o++] = pendingLow;
            hasPendingLow = false;
        }
        byte[] b = buf;
        int p = pos;
        while (o < limit) {
            int safe = eof ? end : end - LOOKAHEAD;
            if (p >= safe) {
                if (eof) {
                    break;
                }
                if (o > off) {
                    break; // hand out what is decoded; the next call refills
                }
                pos = p;
                fill();
                p = pos;
                continue;
            }
            // The bulk of any message: runs of ASCII and runs of two-byte sequences (Cyrillic, accented
            // Latin), eight bytes at a time where they can be checked as one long, else a byte or a
            // sequence at a time. Line breaks and '<' '>' (the tag guard) do not interrupt a run:
            // account() finds them afterwards, in a pass without branches to mispredict.
            int stop = Math.min(safe, p + (limit - o));
            while (p < stop) {
                if (p + 8 <= stop) {
                    long w = (long) LONGS.get(b, p);
                    if ((w & HIGH_BITS) == 0 && ((w - SPACES) & HIGH_BITS) == 0) {
                        // Eight bytes of ASCII, none below U+0020 (the subtraction borrows only there).
                        cbuf[o] = (char) (w & 0x7F);
                        cbuf[o + 1] = (char) ((w >>> 8) & 0x7F);
                        cbuf[o + 2] = (char) ((w >>> 16) & 0x7F);
                        cbuf[o + 3] = (char) ((w >>> 24) & 0x7F);
                        cbuf[o + 4] = (char) ((w >>> 32) & 0x7F);
                        cbuf[o + 5] = (char) ((w >>> 40) & 0x7F);
                        cbuf[o + 6] = (char) ((w >>> 48) & 0x7F);
                        cbuf[o + 7] = (char) (w >>> 56);
                        o += 8;
                        p += 8;
                        continue;
                    }
                }
                // Up to eight bytes one by one (the word holds a line break, a tab or a non-ASCII byte).
                int until = Math.min(stop, p + 8);
                while (p < until && PLAIN[b[p] & 0xFF]) {
                    cbuf[o++] = (char) b[p];
                    p++;
                }
                if (p < until) {
                    break;
                }
            }
            if (p >= stop) {
                continue;
            }
            int c = b[p];
            if (c >= (byte) 0xC2 && c <= (byte) 0xDF) {
                // Lead C2..DF, one continuation byte: four such sequences at a time, then one by one.
                while (p + 8 <= stop) {
                    long w = (long) LONGS.get(b, p);
                    if ((w & TWO_BYTE_MASK) != TWO_BYTE_FORM
                            || ((w & OVERLONG_BITS) + OVERLONG_CARRY & OVERLONG_TEST) != OVERLONG_TEST) {
                        break;
                    }
                    long chars4 = ((w & LEAD_BITS) << 6) | ((w >>> 8) & CONTINUATION_BITS);
                    cbuf[o] = (char) chars4;
                    cbuf[o + 1] = (char) (chars4 >>> 16);
                    cbuf[o + 2] = (char) (chars4 >>> 32);
                    cbuf[o + 3] = (char) (chars4 >>> 48);
                    o += 4;
                    p += 8;
                }
                if (p >= stop) {
                    continue;
                }
                c = b[p];
                int c2;
                while (c >= (byte) 0xC2 && c <= (byte) 0xDF && p + 1 < end && ((c2 = b[p + 1]) & 0xC0) == 0x80) {
                    cbuf[o++] = (char) (((c & 0x1F) << 6) | (c2 & 0x3F));
                    p += 2;
                    if (p >= stop) {
                        break;
                    }
                    c = b[p];
                }
                if (p >= stop || c < (byte) 0xC2 || c > (byte) 0xDF) {
                    continue;
                }
                // A lead without its continuation byte: reported below.
            } else if (c >= 0) {
                pos = p;
                throw fail(o - off, "character U+" + hex(c) + " is not allowed in XML 1.0"
                        + (c == 0 ? " (is the message UTF-16? only UTF-8 is accepted)" : ""));
            }
            // Any other multi-byte sequence: the lead byte says how long, and the second byte's range depends on it.
            int lead = c & 0xFF;
            int n;
            int min2 = 0x80;
            int max2 = 0xBF;
            int cp;
            if (lead >= 0xC2 && lead <= 0xDF) {
                n = 2;
                cp = lead & 0x1F;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                n = 3;
                cp = lead & 0x0F;
                if (lead == 0xE0) {
                    min2 = 0xA0; // shorter forms are overlong
                } else if (lead == 0xED) {
                    max2 = 0x9F; // U+D800..U+DFFF are surrogates, never encoded
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                n = 4;
                cp = lead & 0x07;
                if (lead == 0xF0) {
                    min2 = 0x90; // overlong
                } else if (lead == 0xF4) {
                    max2 = 0x8F; // above U+10FFFF
                }
            } else {
                pos = p;
                throw fail(o - off, "byte 0x" + hex(lead) + " cannot start a UTF-8 sequence"
                        + (lead == 0xC0 || lead == 0xC1 ? " (an overlong encoding)" : "")
                        + "; only strict UTF-8 is accepted");
            }
            if (end - p < n) {
                pos = p;
                throw fail(o - off, "the file ends inside a " + n + "-byte UTF-8 sequence");
            }
            for (int i = 1; i < n; i++) {
                int cont = b[p + i] & 0xFF;
                int lo = i == 1 ? min2 : 0x80;
                int hi = i == 1 ? max2 : 0xBF;
                if (cont < lo || cont > hi) {
                    pos = p;
                    throw fail(o - off, "invalid UTF-8 sequence " + bytes(b, p, i + 1) + ": "
                            + (cont < 0x80 || cont > 0xBF ? "byte " + (i + 1) + " is not a continuation byte"
                                    : lead == 0xED ? "it encodes a surrogate" : lead == 0xF4 ? "it is above U+10FFFF"
                                    : "it is an overlong encoding"));
                }
                cp = (cp << 6) | (cont & 0x3F);
            }
            if (cp < 0x10000) {
                if (cp == 0xFFFE || cp == 0xFFFF) {
                    pos = p;
                    throw fail(o - off, "character U+" + hex(cp) + " is not allowed in XML 1.0");
                }
                cbuf[o++] = (char) cp;
            } else {
                cbuf[o++] = Character.highSurrogate(cp);
                char low = Character.lowSurrogate(cp);
                if (o < limit) {
                    cbuf[o++] = low;
                } else {
                    pendingLow = low;
                    hasPendingLow = true;
                }
            }
            p += n;
        }
        pos = p;
        int count = o - off;
        chars += count; // a pending low surrogate is counted when it is handed out
        account(p);
        if (tagStart >= 0 && chars - tagStart > maxTag) {
            throw fail(0, "a tag runs for more than " + maxTag + " characters without '>': names and attributes"
                    + " are bounded by the limits maxAttributes and maxAttributeLength");
        }
        return count == 0 && eof && p >= end ? -1 : count;
    }

    /**
     * Brings the line count and the tag guard up to {@code buf[upTo]}, whose characters end at
     * index {@link #chars}: counts line breaks, and finds the last line break and the last
     * {@code <} or {@code >} by scanning back, which usually stops after a few bytes.
     */
    private void account(int upTo) {
        byte[] b = buf;
        int from = accounted;
        if (upTo <= from) {
            return;
        }
        int newlines = 0;
        int i8 = from;
        for (; i8 + 8 <= upTo; i8 += 8) {
            // A byte of w is zero where the byte is '\n'; t gets the high bit of exactly those bytes.
            long w = (long) LONGS.get(b, i8) ^ NEWLINES;
            long t = ~(((w & LOW_SEVEN) + LOW_SEVEN) | w | LOW_SEVEN);
            newlines += Long.bitCount(t);
        }
        for (int i = i8; i < upTo; i++) {
            newlines += b[i] == '\n' ? 1 : 0;
        }
        boolean lineFound = newlines == 0;
        boolean tagFound = false;
        long after = 0; // characters after byte i, up to upTo
        for (int i = upTo - 1; i >= from && !(lineFound && tagFound); i--) {
            int c = b[i];
            if (!lineFound && c == '\n') {
                lineStart = chars - after;
                lineFound = true;
            }
            if (!tagFound && (c == '<' || c == '>')) {
                tagFound = true;
                // "<![" opens CDATA (or a DTD section, refused anyway), which is text, not a tag.
                boolean cdata = c == '<' && i + 2 < end && b[i + 1] == '!' && b[i + 2] == '[';
                tagStart = c == '>' || cdata ? -1 : chars - after - 1;
            }
            if ((c & 0xC0) != 0x80) {
                after += (c & 0xF8) == 0xF0 ? 2 : 1;
            }
        }
        line += newlines;
        accounted = upTo;
    }

    /** Skips a UTF-8 byte-order mark and refuses the marks of other encodings. */
    private void start() throws IOException {
        started = true;
        fill();
        int n = end - pos;
        if (n >= 3 && (buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF) {
            pos = 3;
            accounted = 3;
        } else if (n >= 2 && ((buf[0] & 0xFF) == 0xFE && (buf[1] & 0xFF) == 0xFF
                || (buf[0] & 0xFF) == 0xFF && (buf[1] & 0xFF) == 0xFE)) {
            throw fail(0, "the message starts with a UTF-16 byte-order mark; only UTF-8 is accepted");
        }
    }

    /** Moves the unread bytes to the front and reads until the buffer is full or the stream ends. */
    private void fill() throws IOException {
        if (pos > 0) {
            account(pos);
            System.arraycopy(buf, pos, buf, 0, end - pos);
            base += pos;
            end -= pos;
            accounted -= pos;
            pos = 0;
        }
        // Read until at least the lookahead is there, so that decoding never depends on chunk sizes.
        while (!eof && end < buf.length && (end < LOOKAHEAD || end < buf.length / 2)) {
            int r;
            try {
                r = in.read(buf, end, buf.length - end);
            } catch (IOException e) {
                throw fail(0, "cannot read the message: " + e.getMessage(), e);
            }
            if (r < 0) {
                eof = true;
            } else {
                end += r;
                if (base + end > maxBytes) {
                    LimitExceededException limit = new LimitExceededException(source, position(), "maxTotalBytes",
                            maxBytes, base + end);
                    failure = new Failure(limit);
                    throw failure;
                }
                if (r == 0) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    private Failure fail(int decodedInThisCall, String problem) {
        return fail(decodedInThisCall, problem, null);
    }

    private Failure fail(int decodedInThisCall, String problem, Throwable cause) {
        chars += decodedInThisCall;
        account(pos);
        failure = new Failure(new MalformedMessageException(source, position(), problem, cause));
        return failure;
    }

    private static String hex(int c) {
        String h = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
        return "0000".substring(Math.min(4, h.length())) + h;
    }

    private static String bytes(byte[] b, int from, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append(String.format("%02X", b[from + i] & 0xFF));
        }
        return s.toString();
    }

    /** Does not close the stream: the caller owns it. */
    @Override
    public void close() {
        // The message's stream belongs to the caller (MessageCodec#reader).
    }
}
