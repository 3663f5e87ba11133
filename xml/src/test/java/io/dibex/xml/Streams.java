package io.dibex.xml;

import io.dibex.ExchangePlan;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.codec.MessageWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test helpers: writing messages to bytes and reading them back through every kind of stream. */
final class Streams {

    private Streams() {
    }

    /** How a reader gets its bytes: every mode must read every message alike. */
    enum Input {
        WHOLE {
            @Override
            InputStream over(byte[] bytes) {
                return new ByteArrayInputStream(bytes);
            }
        },
        ONE_BYTE_PER_READ {
            @Override
            InputStream over(byte[] bytes) {
                return new Chunked(bytes, new Random(1), 1);
            }
        },
        ODD_CHUNKS_AND_ZERO_READS {
            @Override
            InputStream over(byte[] bytes) {
                return new Chunked(bytes, new Random(2), 13);
            }
        };

        abstract InputStream over(byte[] bytes);
    }

    /** A message read back. */
    record Message(MessageHeader header, List<MessageItem> items) {
    }

    static byte[] write(MessageCodec codec, ExchangePlan plan, MessageHeader header, List<MessageItem> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MessageWriter writer = codec.writer(out, plan, header)) {
            for (MessageItem item : items) {
                writer.write(item);
            }
            writer.finish();
        }
        return out.toByteArray();
    }

    static Message read(MessageCodec codec, ExchangePlan plan, byte[] bytes, Input input) {
        try (MessageReader reader = codec.reader(input.over(bytes), plan, "Message_C_B1.xml")) {
            List<MessageItem> items = new ArrayList<>();
            for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                items.add(item);
            }
            return new Message(reader.header(), items);
        }
    }

    /** A stream that returns at most {@code max} bytes per read, sometimes none. */
    static final class Chunked extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private final int max;
        private int pos;

        Chunked(byte[] bytes, Random random, int max) {
            this.bytes = bytes;
            this.random = random;
            this.max = max;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= bytes.length) {
                return -1;
            }
            int n = max == 1 ? 1 : random.nextInt(max + 1); // 0 now and then: a stream may return nothing
            n = Math.min(Math.min(n, len), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
