package io.dibex.tck;

import io.dibex.spi.IncomingMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An incoming message over a byte array, for feeding the same bytes to a node again and again.
 * Counts how often it was committed and released.
 */
public final class BytesMessage implements IncomingMessage {

    private final String name;
    private final byte[] bytes;
    private final AtomicInteger commits = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();

    /** A message named {@code name} with these bytes (not copied). */
    public BytesMessage(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes;
    }

    /** Reads a claimed message's bytes into a new {@link BytesMessage}, and commits the original. */
    public static BytesMessage take(IncomingMessage message) {
        try (InputStream in = message.open()) {
            BytesMessage copy = new BytesMessage(message.name(), in.readAllBytes());
            message.commit();
            return copy;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The bytes (not copied). */
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public void commit() {
        commits.incrementAndGet();
    }

    @Override
    public void release() {
        releases.incrementAndGet();
    }

    /** How often the engine committed it. */
    public int commits() {
        return commits.get();
    }

    /** How often the engine released it. */
    public int releases() {
        return releases.get();
    }
}
