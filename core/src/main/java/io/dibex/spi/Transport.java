package io.dibex.spi;

import java.util.List;

/**
 * Moves message bytes between nodes: files, mail, a broker, or memory in tests.
 *
 * <p>What the engine relies on:
 * <ul>
 *   <li>An outgoing message is written completely through {@link OutgoingMessage#stream()}
 *       before {@link OutgoingMessage#send()} hands it over; a message closed unsent is
 *       discarded and never delivered, in whole or in part.</li>
 *   <li>Delivery may lose, duplicate, reorder or delay messages: the protocol copes (R5).</li>
 *   <li>{@link #receive} claims what it returns: the same message is not handed to another
 *       caller until it is {@linkplain IncomingMessage#release() released}. A claimed message
 *       is removed only by {@link IncomingMessage#commit()}, which the engine calls after the
 *       import has committed.</li>
 *   <li>Methods may be called from several threads at once.</li>
 *   <li>Failures are reported as {@link io.dibex.TransportException}.</li>
 * </ul>
 */
public interface Transport {

    /**
     * Starts a message from {@code from} to {@code to}.
     *
     * @return a message to write and then send, or close to discard
     */
    OutgoingMessage create(String from, String to);

    /**
     * Claims the messages waiting for {@code to}, in the order the transport holds them.
     *
     * @return the claimed messages; empty when none wait
     */
    List<IncomingMessage> receive(String to);
}
