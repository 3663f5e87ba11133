package io.dibex.codec;

import io.dibex.ExchangePlan;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Turns messages into bytes and back, streaming. Implementations are immutable and thread-safe:
 * one codec serves every node and thread. The binary codec in core is {@link #binary()}; the XML
 * dialects are in the {@code dibex-xml} module.
 */
public interface MessageCodec {

    /** A short name for journals, e.g. {@code "binary"} or {@code "xml-v8msg"}. */
    String name();

    /**
     * Starts writing a message to {@code out}; writes the header at once.
     *
     * @param plan the plan, for field metadata
     */
    MessageWriter writer(OutputStream out, ExchangePlan plan, MessageHeader header);

    /**
     * Starts reading a message from {@code in}; reads and checks the header at once.
     *
     * @param source the message's name, for errors
     * @throws io.dibex.MalformedMessageException when the header is malformed
     */
    MessageReader reader(InputStream in, ExchangePlan plan, String source);

    /** The compact binary codec with default limits. */
    static MessageCodec binary() {
        return new io.dibex.internal.BinaryCodec(Limits.DEFAULTS);
    }

    /** The compact binary codec with these limits. */
    static MessageCodec binary(Limits limits) {
        return new io.dibex.internal.BinaryCodec(limits);
    }
}
