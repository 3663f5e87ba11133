package io.dibex.codec;

import io.dibex.ExchangePlan;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Set;

/**
 * Turns messages into bytes and back, streaming. Implementations are immutable and thread-safe:
 * one codec serves every node and thread. The binary codec in core is {@link #binary()}; the XML
 * dialects are in the {@code dibex-xml} module.
 *
 * <p>A codec may carry less than dibex's whole header and body, as a format read by other
 * software must (SPEC §4: the XML dialects without dibex's additions). It says so in
 * {@link #capabilities()}, and {@link io.dibex.Node.Builder#build()} refuses a plan that needs what
 * its codec cannot carry, instead of losing it at the first message.
 */
public interface MessageCodec {

    /** What a codec's messages can carry beyond the five header values and object states. */
    enum Capability {
        /**
         * Each message's random id and the id of the message acknowledged ({@code receivedId},
         * R1, R4). Without them the engine gives its messages
         * {@link MessageHeader#impliedId implied ids}, which both ends compute alike: a restore is
         * then found only when a peer acknowledges a number this node never sent, not when it
         * acknowledges a number with another message's id, and a peer restored from a backup is
         * not told so by an acknowledgment.
         */
        MESSAGE_IDS,
        /**
         * The {@code restored} flag (R4). Without it a node that finds itself restored cannot tell
         * its peer: it still lets the peer's versions win at its own end until its first message
         * after the restore is acknowledged, and journals that the peer must register again for
         * it whatever it sent since the backup.
         */
        RESTORED_FLAG,
        /** Rejected keys in the header: needed by the quarantine policy (R6). */
        REJECTED_KEYS,
        /** Retractions in the body: needed by routing that can stop sending an object to a node (R9). */
        RETRACTIONS,
        /**
         * Repair flags and control items (SPEC §5): needed by a plan with reconciliation settings.
         * Items then carry {@link MessageItem#repair()}, and the body carries dibex's control items,
         * objects of the reserved kind prefix {@link io.dibex.ExchangePlan#RESERVED_KIND_PREFIX}
         * with fields of every value type (binary included) and tabular parts.
         */
        CONTROL_ITEMS
    }

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

    /**
     * What this codec's messages carry. The default, every capability, is right for a codec that
     * writes dibex's whole header and body; a codec that writes less must override it.
     *
     * @return the capabilities, an immutable set or a copy
     */
    default Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    /** The compact binary codec with default limits. */
    static MessageCodec binary() {
        return new io.dibex.internal.BinaryCodec(Limits.DEFAULTS);
    }

    /** The compact binary codec with these limits. */
    static MessageCodec binary(Limits limits) {
        return new io.dibex.internal.BinaryCodec(limits);
    }
}
