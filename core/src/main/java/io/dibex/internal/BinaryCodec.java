package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.codec.Limits;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageReader;
import io.dibex.codec.MessageWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The compact binary codec: self-describing, streaming, exact and strict. Every value
 * round-trips {@code equals}-exact (a decimal's scale, null against the empty string, any
 * character, time to the nanosecond), and fields, tabular parts and record sets keep their order.
 * Obtain it from {@link MessageCodec#binary()}; this class is not API.
 *
 * <h2>Layout (version 4)</h2>
 *
 * <pre>
 * message  = magic version header item* END
 * magic    = 0x89 'D' 'B' 'X'
 * version  = 0x04
 * header   = string(plan) string(from) string(to) varint(messageNo) uuid(messageId)
 *            varint(receivedNo) flags [uuid(receivedId)] [uuid(previousId)] [varint(count) uuid{count}]
 *            [varint(restoredSinceNo)]
 *            varint(count) key{count}
 * flags    = one byte: 0x01 restored (restoredSinceNo follows), 0x02 a receivedId follows (exactly when receivedNo &gt; 0),
 *            0x04 a previousId follows, 0x08 the earlier ids follow it (1 to 16, of the messages
 *            ending at messageNo - 2; only with 0x04)
 * item     = (UPSERT since object) | (DELETION since key) | (RETRACTION since key)    ; since: varint;
 *            a tag or'ed with 0x10 marks a reconciliation's repair (SPEC §5), with 0x20 a state the
 *            sender may hold from its backup (R4)
 * object   = key fields varint(count) (string(table) rows){count}
 *                   varint(count) (string(register) rows){count}
 * rows     = varint(count) fields{count}
 * fields   = varint(count) (string(name) value){count}
 * key      = string(kind) string(id)
 * value    = NULL | TEXT string | DECIMAL zigzag(scale) varint(n) byte{n} | INT64 zigzag
 *          | FALSE | TRUE | DATE zigzag(epochDay) | DATE_TIME zigzag(epochDay) varint(nanoOfDay)
 *          | INSTANT zigzag(epochSecond) varint(nano) | REF key | ENUM string string
 *          | BINARY varint(n) byte{n}
 * string   = varint(length in UTF-16 units) UTF-8 bytes
 * uuid     = 16 bytes: most significant long, then least, big-endian
 * varint   = unsigned LEB128, shortest form, at most 64 bits; zigzag = a signed long as a varint
 * </pre>
 *
 * <p>Item tags: END 0x00, UPSERT 0x01, DELETION 0x02, RETRACTION 0x03, each but END or-ed with
 * REPAIR 0x10 when {@link io.dibex.codec.MessageItem#repair()} and FROM_BACKUP 0x20 when
 * {@link io.dibex.codec.MessageItem#fromBackup()}. Value tags: NULL 0x00,
 * TEXT 0x01, DECIMAL 0x02 (the unscaled value in the shortest two's complement form, as {@link
 * java.math.BigInteger#toByteArray()} gives it), INT64 0x03, FALSE 0x04, TRUE 0x05, DATE 0x06,
 * DATE_TIME 0x07, INSTANT 0x08, REF 0x09, ENUM 0x0A, BINARY 0x0B. Every value has exactly one
 * encoding, and the reader refuses any other.
 *
 * <h2>Reading untrusted input (R16)</h2>
 *
 * <p>The reader checks every length and count against the {@link Limits} before it allocates,
 * and allocates only as bytes arrive: {@code maxTextLength} bounds a string's UTF-16 units (and
 * a decimal's scale and unscaled bytes), {@code maxBinaryBytes} a binary value,
 * {@code maxElements} the items, rejected keys, values, tabular parts, record sets and rows of
 * the message together, and {@code maxTotalBytes} the bytes read. The format nests to a fixed
 * depth of 5, and has no attributes, so {@code maxDepth}, {@code maxAttributes} and
 * {@code maxAttributeLength} do not apply. Any failure, an {@link java.io.IOException} of the
 * stream included, is a {@link io.dibex.MalformedMessageException} (or its {@link
 * io.dibex.LimitExceededException}) naming the source and the position as {@code "byte N"}.
 *
 * <p>Immutable and thread-safe; each writer and reader is for one thread.
 */
public final class BinaryCodec implements MessageCodec {

    private final Limits limits;

    /**
     * A codec that reads with these limits.
     *
     * @param limits the limits every reader of this codec enforces
     */
    public BinaryCodec(Limits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Returns {@code "binary"}. */
    @Override
    public String name() {
        return "binary";
    }

    /**
     * Starts a message: the header is written at once into the writer's buffer. Bytes reach
     * {@code out} as the buffer fills and all of them on {@link MessageWriter#finish()}, which
     * also flushes {@code out}. A stream failure is a {@link io.dibex.TransportException} with
     * the cause kept; a string that UTF-8 cannot carry (a lone surrogate) is refused with a
     * {@link io.dibex.DibexException} before any byte of its item is written. Neither the writer
     * nor its {@code close()} closes {@code out}.
     *
     * @param plan the plan; the format is self-describing and needs nothing from it
     * @throws io.dibex.DibexException when the header holds a string UTF-8 cannot carry
     */
    @Override
    public MessageWriter writer(OutputStream out, ExchangePlan plan, MessageHeader header) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(header, "header");
        return new BinaryMessageWriter(out, header);
    }

    /**
     * Starts reading a message: reads and checks the header at once. The reader reads {@code in}
     * through a buffer of its own, accepts a stream that returns any number of bytes per call,
     * and does not close it.
     *
     * @param plan the plan; the format is self-describing and needs nothing from it
     * @throws io.dibex.MalformedMessageException when the header is malformed or truncated, or
     *     the stream fails
     */
    @Override
    public MessageReader reader(InputStream in, ExchangePlan plan, String source) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(source, "source");
        return new BinaryMessageReader(in, limits, source);
    }

    @Override
    public String toString() {
        return "BinaryCodec[" + limits + "]";
    }
}
