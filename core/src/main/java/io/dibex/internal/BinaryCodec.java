package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.codec.Limits;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageReader;
import io.dibex.codec.MessageWriter;
import java.io.InputStream;
import java.io.OutputStream;

/** The compact binary codec (placeholder, being written). */
public final class BinaryCodec implements MessageCodec {
    private final Limits limits;

    public BinaryCodec(Limits limits) {
        this.limits = limits;
    }

    @Override
    public String name() {
        return "binary";
    }

    @Override
    public MessageWriter writer(OutputStream out, ExchangePlan plan, MessageHeader header) {
        throw new UnsupportedOperationException("binary codec " + limits);
    }

    @Override
    public MessageReader reader(InputStream in, ExchangePlan plan, String source) {
        throw new UnsupportedOperationException();
    }
}
