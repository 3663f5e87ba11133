package io.dibex.xml;

import io.dibex.ExchangePlan;
import io.dibex.MalformedMessageException;
import io.dibex.codec.Limits;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageReader;
import io.dibex.codec.MessageWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The streaming XML codec: messages in the {@link XmlDialect#SEED seed} or the
 * {@link XmlDialect#V8MSG v8msg} layout, written and read one item at a time in bounded memory.
 * Immutable and thread-safe: one codec serves every node and thread. {@code docs/wire-format.md}
 * is the grammar of both dialects.
 *
 * <h2>Reading untrusted input (R16)</h2>
 *
 * <p>Every reader parses with one safe configuration, built once per codec and never handed out:
 * no DTD (a DOCTYPE is refused), no external or undeclared entity (only the five predefined ones
 * and character references), no processing instruction, XML 1.0 only. The bytes are decoded by
 * dibex itself before the parser sees them: UTF-8 only, with or without a byte-order mark, every
 * sequence in its shortest form, and only characters XML 1.0 allows. The codec's {@link Limits}
 * bound depth, attributes per element and their length, text length, elements, binary size and
 * total bytes; an error names the limit, the value seen and how to raise it. Header numbers match
 * {@code [1-9][0-9]{0,18}} ({@code ReceivedNo} also {@code 0}) and fit a long; decimals are
 * {@code xs:decimal} without exponent. A truncated file, anything after the root element but
 * comments and whitespace, and a second root are errors. Every failure is a
 * {@link MalformedMessageException} (or its {@link io.dibex.LimitExceededException}) naming the
 * message and the line and column; no parser or stream exception escapes except as its cause.
 *
 * <h2>Writing</h2>
 *
 * <p>Values round-trip exactly: whitespace, CR (written as {@code &#13;}), characters outside
 * the BMP, decimals' scale, null against the empty string, local date-times against instants;
 * binaries are written in base64 a chunk at a time. A string XML 1.0 cannot carry (U+0000, most
 * control characters, U+FFFE, U+FFFF, a lone surrogate), or in {@code v8msg} a name that is not
 * an XML name, is refused with an {@link io.dibex.InvalidValueException} before any byte of its
 * item is written; the writer stays usable.
 *
 * <h2>dibex's additions</h2>
 *
 * <p>What 1C's format has no place for is written in the namespace {@code urn:dibex:exchange},
 * which other readers can ignore: the format version, the message id and {@code receivedId},
 * the {@code restored} flag, rejected keys, retractions, and (in {@code v8msg}) the scale of a
 * decimal whose scale is negative. {@link Builder#additions(boolean) additions(false)} writes
 * none of them, for a strict 1C reader, and the codec then declares none of the
 * {@link #capabilities()} that need them, so that the engine adapts and a plan that needs them is
 * refused when its node is built ({@link io.dibex.Node.Builder#build()}):
 * <ul>
 *   <li>message ids (R4): a message without them gets implied ids ({@link #impliedMessageId}),
 *       which the engine also gives its own messages, so acknowledgments match; a restore is then
 *       found only when a peer acknowledges a number never sent;</li>
 *   <li>the restored flag (R4): a node that finds itself restored cannot tell its peer, and
 *       journals that the peer must register again for it;</li>
 *   <li>quarantine (R6), which needs rejected keys: refused;</li>
 *   <li>retractions (R9), which routing other than {@link io.dibex.Routing#EVERYWHERE} needs:
 *       refused;</li>
 *   <li>reconciliation (SPEC §5), whose repair flags and control items are additions too (this
 *       version of the format has none yet).</li>
 * </ul>
 * As a last guard the writer refuses, with an {@link io.dibex.InvalidValueException}, a header
 * with the restored flag or rejected keys and a retraction. The reader reads additions whenever a
 * message has them, whatever this switch says. Both ends of a link must use the same setting.
 */
public final class XmlCodec implements MessageCodec {

    private final XmlDialect dialect;
    private final Limits limits;
    private final boolean additions;
    private final SafeStax stax;

    private XmlCodec(Builder b) {
        this.dialect = b.dialect;
        this.limits = b.limits;
        this.additions = b.additions;
        this.stax = new SafeStax(limits);
    }

    /**
     * The seed dialect with default limits and dibex's additions.
     *
     * @return a codec
     */
    public static XmlCodec seed() {
        return builder(XmlDialect.SEED).build();
    }

    /**
     * The v8msg dialect with default limits and dibex's additions.
     *
     * @return a codec
     */
    public static XmlCodec v8msg() {
        return builder(XmlDialect.V8MSG).build();
    }

    /**
     * Starts a codec of a dialect: default limits, additions on.
     *
     * @param dialect the layout
     * @return a builder
     */
    public static Builder builder(XmlDialect dialect) {
        return new Builder(dialect);
    }

    /**
     * The dialect.
     *
     * @return the layout this codec reads and writes
     */
    public XmlDialect dialect() {
        return dialect;
    }

    /**
     * The limits every reader enforces.
     *
     * @return the limits
     */
    public Limits limits() {
        return limits;
    }

    /**
     * Whether dibex's additions are written.
     *
     * @return true unless switched off for a strict 1C reader
     */
    public boolean additions() {
        return additions;
    }

    /**
     * Every capability with dibex's additions on; none with them off, since the message ids, the
     * restored flag, rejected keys, retractions, and repair flags and control items are all
     * additions (both dialects carry control items, objects of dibex's reserved kinds, as any
     * other object).
     *
     * @return the capabilities
     */
    @Override
    public Set<Capability> capabilities() {
        return additions ? EnumSet.allOf(Capability.class) : EnumSet.noneOf(Capability.class);
    }

    /**
     * {@code xml-seed} or {@code xml-v8msg}, with {@code -plain} when additions are off.
     *
     * @return the name for journals
     */
    @Override
    public String name() {
        return (dialect == XmlDialect.SEED ? "xml-seed" : "xml-v8msg") + (additions ? "" : "-plain");
    }

    /**
     * Starts a message: the declaration, the root and the header are written at once into the
     * writer's buffer. Bytes reach {@code out} as the buffer fills, and all of them on
     * {@link MessageWriter#finish()}, which also flushes {@code out}; neither the writer nor its
     * {@code close()} closes {@code out}. A stream failure is a {@link io.dibex.TransportException}
     * with the cause kept, and leaves the writer failed.
     *
     * @param plan the plan: in {@code v8msg} its kinds' categories and field types decide element
     *     names and which values are written bare
     * @throws io.dibex.InvalidValueException when the header holds a string XML 1.0 cannot carry,
     *     or, with additions off, the restored flag or rejected keys
     */
    @Override
    public MessageWriter writer(OutputStream out, ExchangePlan plan, MessageHeader header) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(header, "header");
        return dialect == XmlDialect.SEED ? new SeedWriter(out, header, additions)
                : new V8Writer(out, plan, header, additions);
    }

    /**
     * Starts reading a message: reads and checks the header at once. Reads {@code in} through a
     * buffer of its own, accepts a stream that returns any number of bytes per call, and never
     * closes it.
     *
     * @param plan the plan: in {@code v8msg} its field types type bare values
     * @throws MalformedMessageException when the message is not well-formed, safe and within the
     *     limits up to the end of its header, or the header is invalid
     */
    @Override
    public MessageReader reader(InputStream in, ExchangePlan plan, String source) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(source, "source");
        XmlInput x = XmlInput.open(stax, in, limits, source);
        try {
            return dialect == XmlDialect.SEED ? new SeedReader(x, limits, source)
                    : new V8Reader(x, plan, limits, source);
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
    }

    /**
     * Reads a file of 1C's XML upload tool ({@code V8Exch:_1CV8DtUD}, namespace
     * {@code http://www.1c.ru/V8/1CV8DtUD/}) as a plain stream of objects, typed as the
     * {@code v8msg} dialect types them. Such a file has no header; an exchange message is read
     * with {@link #reader} instead. The same safety rules and limits apply.
     *
     * @param in the file's bytes; not closed
     * @param plan the plan, for field types
     * @param source the file's name, for errors
     * @return a reader positioned before the first object
     * @throws MalformedMessageException when the file does not start like an upload file
     */
    public ItemReader readUpload(InputStream in, ExchangePlan plan, String source) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(source, "source");
        XmlInput x = XmlInput.open(stax, in, limits, source);
        return new UploadReader(x, new V8Body(x, new V8Fields(plan), limits), source);
    }

    /**
     * The id a reader gives a message whose header carries none (one written without additions,
     * or by 1C): a name-based UUID of the plan, the sender, the recipient and the number, so that
     * both ends of a link imply the same id for the same message. An engine serving a plan
     * without additions gives its messages these ids, so that acknowledgments match.
     *
     * @param plan the plan's name
     * @param from the sender
     * @param to the recipient
     * @param messageNo the message's number
     * @return the implied id
     */
    public static UUID impliedMessageId(String plan, String from, String to, long messageNo) {
        return MessageHeader.impliedId(plan, from, to, messageNo);
    }

    @Override
    public String toString() {
        return "XmlCodec[" + name() + ", " + limits + "]";
    }

    /** Builds an {@link XmlCodec}. */
    public static final class Builder {
        private final XmlDialect dialect;
        private Limits limits = Limits.DEFAULTS;
        private boolean additions = true;

        private Builder(XmlDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
        }

        /**
         * The limits every reader enforces (default {@link Limits#DEFAULTS}).
         *
         * @param limits the limits
         * @return this builder
         */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Whether dibex's additions are written (default true). Switch them off only for a
         * strict 1C reader; a node of a plan that needs them (quarantine, routing that retracts)
         * then refuses to be built, and restores are detected the weaker way listed on
         * {@link XmlCodec}.
         *
         * @param on whether to write them
         * @return this builder
         */
        public Builder additions(boolean on) {
            this.additions = on;
            return this;
        }

        /**
         * The codec; its parser configuration is built here, once.
         *
         * @return the codec
         */
        public XmlCodec build() {
            return new XmlCodec(this);
        }
    }
}
