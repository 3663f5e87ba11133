package io.dibex.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.LimitExceededException;
import io.dibex.MalformedMessageException;
import io.dibex.TransportException;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The binary codec: exact round trips through every kind of stream, and strictness on hostile input (R16). */
class BinaryCodecTest {

    private static final ExchangePlan PLAN = ExchangePlan.builder("Trade").central("Centre").node("Shop1", "Centre")
            .build();
    private static final MessageCodec CODEC = MessageCodec.binary();
    private static final String SOURCE = "Message_Centre_Shop1.bin";
    private static final UUID MESSAGE_ID = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    private static final UUID RECEIVED_ID = UUID.fromString("11111111-2222-3333-4444-555555555555");

    /** How the reader gets its bytes: each mode must read every message alike. */
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
                return new ChunkedInputStream(bytes, new Random(1), 1);
            }
        },
        RANDOM_CHUNKS_AND_ZERO_READS {
            @Override
            InputStream over(byte[] bytes) {
                return new ChunkedInputStream(bytes, new Random(2), 13);
            }
        };

        abstract InputStream over(byte[] bytes);
    }

    // Round trips.

    @ParameterizedTest
    @EnumSource(Input.class)
    void headerRoundTripsWithEveryField(Input input) {
        MessageHeader header = new MessageHeader("Trade", "Centre", "Shop1", Long.MAX_VALUE, MESSAGE_ID,
                Long.MAX_VALUE - 1, RECEIVED_ID, true,
                List.of(ObjectKey.of("Catalog.Goods", "000123"), ObjectKey.of("Document.Invoice", RECEIVED_ID)),
                UUID.fromString("99999999-8888-7777-6666-555555555555"), Long.MAX_VALUE - 5);

        Message read = read(write(header, List.of()), input);

        assertThat(read.header()).isEqualTo(header);
        assertThat(read.items()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Input.class)
    void headerWithoutAcknowledgmentRoundTrips(Input input) {
        MessageHeader header = header(1);

        assertThat(read(write(header, List.of()), input).header()).isEqualTo(header);
    }

    @ParameterizedTest
    @EnumSource(Input.class)
    void everyValueTypeRoundTripsEqualsExact(Input input) {
        DataObject object = everyValue();

        Message read = read(write(header(7), List.of(new MessageItem.Upsert(object))), input);

        DataObject back = ((MessageItem.Upsert) read.items().get(0)).object();
        assertThat(back).isEqualTo(object);
        // Map.equals ignores order, so the order is checked on its own.
        assertThat(back.fields().keySet()).containsExactlyElementsOf(object.fields().keySet());
        back.fields().forEach((name, value) -> assertThat(value).as(name).isEqualTo(object.get(name)));
        assertThat(((Value.Decimal) back.get("one000")).value().scale()).isEqualTo(3);
        assertThat(((Value.Decimal) back.get("one")).value().scale()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Input.class)
    void tabularPartsAndRecordSetsRoundTripInOrderIncludingEmptyOnes(Input input) {
        DataObject object = document();

        Message read = read(write(header(2), List.of(new MessageItem.Upsert(object))), input);

        DataObject back = ((MessageItem.Upsert) read.items().get(0)).object();
        assertThat(back).isEqualTo(object);
        assertThat(back.tables().keySet()).containsExactly("Goods", "Empty");
        assertThat(back.tables().get("Empty")).isEmpty();
        assertThat(back.tables().get("Goods").get(1).fields().keySet()).containsExactly("Qty", "Item", "Note");
        assertThat(back.recordSets()).extracting(RecordSet::register).containsExactly("Stock", "Nothing");
        assertThat(back.recordSets().get(1).records()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Input.class)
    void deletionsRetractionsAndUpsertsKeepTheirOrder(Input input) {
        List<MessageItem> items = List.of(
                new MessageItem.Deletion(ObjectKey.of("Catalog.Goods", "A-1")),
                new MessageItem.Upsert(DataObject.builder(ObjectKey.of("Catalog.Goods", "A-2")).build()),
                new MessageItem.Retraction(ObjectKey.of("Document.Invoice", UUID.randomUUID())),
                new MessageItem.Deletion(ObjectKey.of("Справочник.Номенклатура", "Ёлка 🎄")));

        assertThat(read(write(header(3), items), input).items()).containsExactlyElementsOf(items);
    }

    @ParameterizedTest
    @EnumSource(Input.class)
    void longStringsCrossBufferBoundariesInsideMultiByteCharacters(Input input) {
        // 4-, 3-, 2- and 1-byte characters, so sequences straddle every buffer and chunk boundary.
        String text = "😀€Жa".repeat(9_000);
        String emoji = "😀".repeat(8_193);
        DataObject object = DataObject.builder(ObjectKey.of("Catalog.Notes", "1"))
                .set("text", text).set("emoji", emoji).build();

        DataObject back = ((MessageItem.Upsert) read(write(header(1), List.of(new MessageItem.Upsert(object))), input)
                .items().get(0)).object();

        assertThat(back).isEqualTo(object);
    }

    @ParameterizedTest
    @EnumSource(Input.class)
    void everyShortMixOfOneToFourByteCharactersRoundTrips(Input input) {
        // Every string of 1 to 4 characters drawn from a 1-, 2-, 3- and 4-byte character, each
        // followed by another field, so that a string's last read never takes the next one's bytes.
        String[] chars = {"a", "Ж", "€", "😀"};
        List<String> strings = new ArrayList<>(List.of(""));
        DataObject.Builder object = DataObject.builder(ObjectKey.of("Catalog.Mixes", "1"));
        for (int length = 1, from = 0; length <= 4; length++) {
            int to = strings.size();
            for (int i = from; i < to; i++) {
                for (String c : chars) {
                    strings.add(strings.get(i) + c);
                }
            }
            from = to;
        }
        for (int i = 0; i < strings.size(); i++) {
            object.set("s" + i, strings.get(i));
        }
        DataObject mixes = object.build();
        assertThat(mixes.fields()).hasSize(1 + 4 + 16 + 64 + 256);

        Message read = read(write(header(1), List.of(new MessageItem.Upsert(mixes))), input);

        assertThat(((MessageItem.Upsert) read.items().get(0)).object()).isEqualTo(mixes);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aHundredThousandItemsStreamOneAtATime() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int count = 100_000;
        try (MessageWriter writer = CODEC.writer(bytes, PLAN, header(9))) {
            for (int i = 0; i < count; i++) {
                writer.write(new MessageItem.Upsert(DataObject.builder(ObjectKey.of("Catalog.Goods", "G" + i))
                        .set("Description", "Goods " + i).set("Price", Value.of(BigDecimal.valueOf(i, 2)))
                        .build()));
            }
            writer.finish();
        }

        long seen = 0;
        try (MessageReader reader = CODEC.reader(new ByteArrayInputStream(bytes.toByteArray()), PLAN, SOURCE)) {
            for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                if (seen == 99_999) {
                    assertThat(((MessageItem.Upsert) item).object().get("Price"))
                            .isEqualTo(Value.of(new BigDecimal("999.99")));
                }
                seen++;
            }
        }
        assertThat(seen).isEqualTo(count);
    }

    @Test
    void writesTheDocumentedLayout() {
        byte[] written = write(new MessageHeader("P", "a", "b", 300, MESSAGE_ID, 0, null, true, List.of(), null, 299),
                List.of(new MessageItem.Upsert(DataObject.builder(ObjectKey.of("K", "1"))
                        .set("f", Value.of(-1)).set("d", Value.of(new BigDecimal("1.0"))).build()),
                        new MessageItem.Deletion(ObjectKey.of("K", "2"), 300),
                        new MessageItem.Retraction(ObjectKey.of("K", "3"), 0, true)));

        byte[] expected = new Raw().magic().bytes(4).string("P").string("a").string("b")
                .bytes(0xAC, 0x02) // 300
                .uuid(MESSAGE_ID).bytes(0, 0x01) // receivedNo 0, flags: restored
                .bytes(0xAB, 0x02).bytes(0) // restored since message 299, no rejected keys
                .bytes(0x01).varint(0).string("K").string("1") // upsert
                .varint(2).string("f").bytes(0x03, 0x01) // int64 -1 as zigzag
                .string("d").bytes(0x02, 0x02, 0x01, 0x0A) // decimal scale 1, unscaled 10
                .varint(0).varint(0) // no tabular parts, no record sets
                .bytes(0x02).bytes(0xAC, 0x02).string("K").string("2") // deletion first sent in message 300
                .bytes(0x13).varint(0).string("K").string("3") // retraction, a repair (0x10)
                .bytes(0x00).toBytes();
        assertThat(HexFormat.of().formatHex(written)).isEqualTo(HexFormat.of().formatHex(expected));
    }

    @Test
    void earlierIdsFollowThePreviousIdUnderTheirFlag() {
        UUID previous = UUID.fromString("99999999-8888-7777-6666-555555555555");
        UUID earlier = UUID.fromString("11111111-2222-3333-4444-555555555555");
        MessageHeader header = new MessageHeader("P", "a", "b", 3, MESSAGE_ID, 0, null, false, List.of(), previous, 0,
                List.of(earlier));
        byte[] written = write(header, List.of());

        byte[] expected = new Raw().magic().bytes(4).string("P").string("a").string("b")
                .bytes(0x03).uuid(MESSAGE_ID).bytes(0, 0x0C) // receivedNo 0, flags: a previousId, earlier ids
                .uuid(previous).varint(1).uuid(earlier).bytes(0) // the id of message 1, no rejected keys
                .bytes(0x00).toBytes();
        assertThat(HexFormat.of().formatHex(written)).isEqualTo(HexFormat.of().formatHex(expected));
        assertThat(read(written, Input.WHOLE).header()).isEqualTo(header);
        assertThat(header.firstEarlierNo()).isEqualTo(1);

        byte[] tooMany = new Raw().magic().bytes(4).string("P").string("a").string("b")
                .bytes(0x03).uuid(MESSAGE_ID).bytes(0, 0x0C).uuid(previous).varint(2).uuid(earlier).uuid(earlier)
                .bytes(0).bytes(0x00).toBytes();
        assertThat(readFails(tooMany, Limits.DEFAULTS, Input.WHOLE)).hasMessageContaining("earlier ids");
    }

    @Test
    void theRepairFlagOfEachItemRoundTrips() {
        DataObject object = DataObject.builder(ObjectKey.of("K", "1")).set("f", "v").build();
        List<MessageItem> items = List.of(new MessageItem.Upsert(object, 2, true), new MessageItem.Upsert(object, 2),
                new MessageItem.Deletion(ObjectKey.of("K", "2"), 0, true), new MessageItem.Deletion(ObjectKey.of("K", "2")),
                new MessageItem.Retraction(ObjectKey.of("K", "3"), 1, true));

        assertThat(read(write(header(3), items), Input.WHOLE).items()).containsExactlyElementsOf(items);
    }

    @Test
    void anItemFromABackupHasTheFlagBitInItsTag() {
        byte[] written = write(new MessageHeader("P", "a", "b", 3, MESSAGE_ID, 0, null, true, List.of(), null, 3),
                List.of(new MessageItem.Deletion(ObjectKey.of("K", "2"), 2, false, true),
                        new MessageItem.Retraction(ObjectKey.of("K", "3"), 3, true, true)));
        byte[] expected = new Raw().magic().bytes(4).string("P").string("a").string("b")
                .bytes(0x03).uuid(MESSAGE_ID).bytes(0, 0x01).bytes(0x03).bytes(0)
                .bytes(0x22).bytes(0x02).string("K").string("2") // a deletion (0x02) from the backup (0x20)
                .bytes(0x33).bytes(0x03).string("K").string("3") // a retraction (0x03), a repair (0x10), from the backup
                .bytes(0x00).toBytes();
        assertThat(HexFormat.of().formatHex(written)).isEqualTo(HexFormat.of().formatHex(expected));
        try (MessageReader reader = CODEC.reader(new ByteArrayInputStream(written), PLAN, SOURCE)) {
            assertThat(reader.next()).isEqualTo(new MessageItem.Deletion(ObjectKey.of("K", "2"), 2, false, true));
            assertThat(reader.next()).isEqualTo(new MessageItem.Retraction(ObjectKey.of("K", "3"), 3, true, true));
        }
    }

    // The writer's contract.

    @Test
    void writerBuffersAndFlushesOnFinishButNeverClosesTheStream() {
        RecordingOutputStream out = new RecordingOutputStream();
        MessageWriter writer = CODEC.writer(out, PLAN, header(1));
        writer.write(new MessageItem.Deletion(ObjectKey.of("Catalog.Goods", "1")));
        assertThat(out.size()).as("bytes before finish").isZero();

        writer.finish();
        assertThat(out.flushes).isEqualTo(1);
        assertThat(read(out.toByteArray(), Input.WHOLE).items()).hasSize(1);

        writer.close();
        writer.close();
        assertThat(out.closed).isFalse();
    }

    @Test
    void writeOrFinishAfterFinishOrCloseIsAnIllegalState() {
        MessageWriter finished = CODEC.writer(new ByteArrayOutputStream(), PLAN, header(1));
        finished.finish();
        MessageItem item = new MessageItem.Deletion(ObjectKey.of("Catalog.Goods", "1"));

        assertThatThrownBy(() -> finished.write(item)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("finished");
        assertThatThrownBy(finished::finish).isInstanceOf(IllegalStateException.class);

        MessageWriter closed = CODEC.writer(new ByteArrayOutputStream(), PLAN, header(1));
        closed.close();
        assertThatThrownBy(() -> closed.write(item)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aStreamFailureIsATransportExceptionAndLeavesTheWriterFailed() {
        IOException disk = new IOException("disk full");
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw disk;
            }
        };
        MessageWriter writer = CODEC.writer(failing, PLAN, header(1));

        assertThatThrownBy(writer::finish).isInstanceOf(TransportException.class).hasCause(disk);
        assertThatThrownBy(() -> writer.write(new MessageItem.Deletion(ObjectKey.of("K", "1"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed");
    }

    @Test
    void aStringUtf8CannotCarryIsRefusedBeforeAnyByteOfItsItem() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageItem good = new MessageItem.Deletion(ObjectKey.of("Catalog.Goods", "1"));
        MessageItem lone = new MessageItem.Upsert(DataObject.builder(ObjectKey.of("Catalog.Goods", "2"))
                .set("ok", "fine").addRow("Rows", Row.of("Note", Value.of("half a pair \uD83D"))).build());
        try (MessageWriter writer = CODEC.writer(out, PLAN, header(1))) {
            writer.write(good);
            assertThatThrownBy(() -> writer.write(lone)).isExactlyInstanceOf(DibexException.class)
                    .hasMessageContaining("Catalog.Goods/2").hasMessageContaining("lone surrogate");
            writer.write(good);
            writer.finish();
        }

        assertThat(read(out.toByteArray(), Input.WHOLE).items()).containsExactly(good, good);
        assertThatThrownBy(() -> CODEC.writer(new ByteArrayOutputStream(), PLAN,
                new MessageHeader("\uDE00", "a", "b", 1, MESSAGE_ID, 0, null, false, List.of())))
                .isExactlyInstanceOf(DibexException.class);
    }

    // The reader's contract.

    @Test
    void readerReturnsNullAfterTheEndAgainAndNeverClosesTheStream() {
        boolean[] closed = {false};
        InputStream in = new ByteArrayInputStream(write(header(1), List.of())) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        MessageReader reader = CODEC.reader(in, PLAN, SOURCE);
        assertThat(reader.next()).isNull();
        assertThat(reader.next()).isNull();
        reader.close();
        reader.close();
        assertThat(closed[0]).isFalse();
        assertThatThrownBy(reader::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void afterAFailureEveryNextThrowsTheSameFailure() {
        byte[] bad = withTrailing(write(header(1), List.of(new MessageItem.Deletion(ObjectKey.of("K", "1")))), 7);
        MessageReader reader = CODEC.reader(new ByteArrayInputStream(bad), PLAN, SOURCE);
        assertThat(reader.next()).isNotNull();
        MalformedMessageException first = failureOf(reader::next);

        assertThat(failureOf(reader::next)).isSameAs(first);
    }

    // Hostile input: every case is a MalformedMessageException naming the source and a byte.

    @Nested
    class HostileInput {

        @ParameterizedTest
        @EnumSource(Input.class)
        void truncationAtEveryByteIsMalformed(Input input) {
            byte[] whole = write(new MessageHeader("Trade", "Centre", "Shop1", 12, MESSAGE_ID, 11, RECEIVED_ID, true,
                    List.of(ObjectKey.of("Catalog.Goods", "R"))), List.of(new MessageItem.Upsert(smallEveryValue()),
                    new MessageItem.Upsert(document()), new MessageItem.Retraction(ObjectKey.of("K", "x"))));
            assertThat(read(whole, input).items()).hasSize(3);

            for (int length = 0; length < whole.length; length++) {
                byte[] cut = Arrays.copyOf(whole, length);
                MalformedMessageException e = readFails(cut, Limits.DEFAULTS, input);
                assertThat(e).as("cut at %d", length).isExactlyInstanceOf(MalformedMessageException.class);
                assertThat(e.position()).as("cut at %d", length).isEqualTo("byte " + length);
                assertThat(e).hasMessageContaining("truncated");
            }
        }

        @Test
        void bytesAfterTheEndAreMalformedWhenTheEndIsReached() {
            byte[] whole = write(header(1), List.of(new MessageItem.Deletion(ObjectKey.of("K", "1"))));

            MalformedMessageException e = readFails(withTrailing(whole, 0), Limits.DEFAULTS, Input.ONE_BYTE_PER_READ);

            assertThat(e.position()).isEqualTo("byte " + whole.length);
            assertThat(e).hasMessageContaining("follow the end");
        }

        @Test
        void aWrongMagicNumberIsMalformedAtByteZero() {
            byte[] xml = "<?xml version=\"1.0\"?><Message/>".getBytes(StandardCharsets.UTF_8);

            MalformedMessageException e = readFails(xml, Limits.DEFAULTS, Input.WHOLE);

            assertThat(e.position()).isEqualTo("byte 0");
            assertThat(e).hasMessageContaining("magic").hasMessageContaining(SOURCE);
            assertThat(readFails(new byte[0], Limits.DEFAULTS, Input.WHOLE).position()).isEqualTo("byte 0");
        }

        @Test
        void anUnknownVersionIsMalformed() {
            byte[] bytes = write(header(1), List.of());
            bytes[4] = 2;

            MalformedMessageException e = readFails(bytes, Limits.DEFAULTS, Input.WHOLE);

            assertThat(e.position()).isEqualTo("byte 4");
            assertThat(e).hasMessageContaining("version 2");
        }

        @Test
        void aHugeStringLengthExceedsMaxTextLengthWithoutAllocating() {
            byte[] inHeader = new Raw().magic().bytes(4).varint(1L << 31).toBytes();
            LimitExceededException e = limitFails(inHeader, Limits.DEFAULTS, "maxTextLength");
            assertThat(e.position()).isEqualTo("byte 5");
            assertThat(e).hasMessageContaining("2147483648");

            byte[] inValue = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f")
                    .bytes(0x01).varint(-1L).toBytes();
            limitFails(inValue, Limits.DEFAULTS, "maxTextLength");
        }

        @Test
        void aStringLengthBeyondTheRestOfTheMessageLimitExceedsMaxTotalBytes() {
            Limits limits = Limits.builder().maxTotalBytes(1000).build();
            byte[] bytes = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f")
                    .bytes(0x01).varint(5000).toBytes();

            limitFails(bytes, limits, "maxTotalBytes");
        }

        @Test
        void aHugeBinaryLengthExceedsMaxBinaryBytes() {
            byte[] bytes = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f")
                    .bytes(0x0B).varint(Integer.MAX_VALUE).toBytes();

            limitFails(bytes, Limits.DEFAULTS, "maxBinaryBytes");
            byte[] ok = write(header(1), List.of(new MessageItem.Upsert(DataObject.builder(ObjectKey.of("K", "1"))
                    .set("f", Value.binary(new byte[100])).build())));
            limitFails(ok, Limits.builder().maxBinaryBytes(99).build(), "maxBinaryBytes");
        }

        @Test
        void tooManyElementsExceedMaxElements() {
            List<MessageItem> items = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                items.add(new MessageItem.Deletion(ObjectKey.of("K", "" + i)));
            }
            Limits limits = Limits.builder().maxElements(10).build();

            LimitExceededException e = limitFails(write(header(1), items), limits, "maxElements");
            assertThat(e).hasMessageContaining("saw 11");

            byte[] hugeCount = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1L << 40).toBytes();
            limitFails(hugeCount, Limits.DEFAULTS, "maxElements");
        }

        @Test
        void aMessageLongerThanMaxTotalBytesExceedsIt() {
            List<MessageItem> items = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                items.add(new MessageItem.Deletion(ObjectKey.of("Catalog.Goods", "G" + i)));
            }
            byte[] bytes = write(header(1), items);
            Limits limits = Limits.builder().maxTotalBytes(500).build();

            LimitExceededException e = limitFails(bytes, limits, "maxTotalBytes");
            assertThat(Long.parseLong(e.position().substring("byte ".length()))).isBetween(450L, 500L);
            assertThat(read(bytes, Input.WHOLE).items()).hasSize(100);
            assertThat(readWith(bytes, Limits.builder().maxTotalBytes(bytes.length).build()).items()).hasSize(100);

            // The limit counts every byte, a tag's too: here it falls on the end tag.
            byte[] headerOnly = write(header(1), List.of());
            LimitExceededException atEnd = limitFails(headerOnly,
                    Limits.builder().maxTotalBytes(headerOnly.length - 1).build(), "maxTotalBytes");
            assertThat(atEnd.position()).isEqualTo("byte " + (headerOnly.length - 1));
            assertThat(atEnd).hasMessageContaining("saw " + headerOnly.length);
        }

        @Test
        void invalidUtf8IsMalformed() {
            int[][] invalid = {
                {0xC0, 0x80}, // overlong NUL
                {0xED, 0xA0, 0x80}, // an encoded surrogate (CESU-8)
                {0x80}, // a lone continuation byte
                {0xF4, 0x90, 0x80, 0x80}, // beyond U+10FFFF
                {0xFF},
            };
            for (int[] utf8 : invalid) {
                byte[] bytes = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f")
                        .bytes(0x01).varint(utf8.length).bytes(utf8).varint(0).varint(0).bytes(0).toBytes();
                MalformedMessageException e = readFails(bytes, Limits.DEFAULTS, Input.WHOLE);
                assertThat(e).as(Arrays.toString(utf8)).hasMessageContaining("UTF-8");
            }
        }

        @Test
        void aLengthThatDoesNotMatchTheUtf8IsMalformed() {
            // "a😀" is 3 UTF-16 units; a length of 2 would split the surrogate pair.
            byte[] split = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f")
                    .bytes(0x01).varint(2).bytes('a', 0xF0, 0x9F, 0x98, 0x80).varint(0).varint(0).bytes(0).toBytes();
            assertThat(readFails(split, Limits.DEFAULTS, Input.WHOLE)).hasMessageContaining("UTF-16 units");

            byte[] exact = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f")
                    .bytes(0x01).varint(3).bytes('a', 0xF0, 0x9F, 0x98, 0x80).varint(0).varint(0).bytes(0).toBytes();
            assertThat(((MessageItem.Upsert) read(exact, Input.ONE_BYTE_PER_READ).items().get(0)).object().get("f"))
                    .isEqualTo(Value.of("a😀"));
        }

        @Test
        void headerNumbersOutOfRangeAreMalformed() {
            Raw prefix = new Raw().magic().bytes(4).string("Trade").string("Centre").string("Shop1");
            int numberAt = prefix.toBytes().length;

            assertHeaderFails(prefix.copy().varint(0).uuid(MESSAGE_ID).varint(0).bytes(0).varint(0), numberAt,
                    "messageNo");
            assertHeaderFails(prefix.copy().varint(Long.MIN_VALUE).uuid(MESSAGE_ID).varint(0).bytes(0).varint(0),
                    numberAt, "messageNo");
            assertHeaderFails(prefix.copy().varint(1).uuid(MESSAGE_ID).varint(-1).bytes(0).varint(0),
                    numberAt + 17, "receivedNo");
            assertHeaderFails(prefix.copy().varint(1).uuid(MESSAGE_ID).varint(5).bytes(0).varint(0),
                    numberAt + 18, "receivedId");
            assertHeaderFails(prefix.copy().varint(1).uuid(MESSAGE_ID).varint(0).bytes(0x02).uuid(RECEIVED_ID)
                    .varint(0), numberAt + 18, "receivedId");
            assertHeaderFails(prefix.copy().varint(1).uuid(MESSAGE_ID).varint(0).bytes(0x10).varint(0),
                    numberAt + 18, "flags");
            assertHeaderFails(prefix.copy().bytes(0x81, 0x00).uuid(MESSAGE_ID).varint(0).bytes(0).varint(0),
                    numberAt, "shortest form");
            assertHeaderFails(prefix.copy().bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F)
                    .uuid(MESSAGE_ID).varint(0).bytes(0).varint(0), numberAt, "64 bits");
        }

        private void assertHeaderFails(Raw header, int position, String problem) {
            byte[] bytes = header.bytes(0).toBytes();
            Throwable t = catchThrowable(() -> CODEC.reader(new ByteArrayInputStream(bytes), PLAN, SOURCE));
            assertThat(t).as(problem).isExactlyInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining(problem);
            assertThat(((MalformedMessageException) t).position()).as(problem).isEqualTo("byte " + position);
        }

        @Test
        void unknownTagsAreMalformed() {
            int itemAt = new Raw().header().toBytes().length;
            MalformedMessageException item = readFails(new Raw().header().bytes(0x04).toBytes(), Limits.DEFAULTS,
                    Input.WHOLE);
            assertThat(item.position()).isEqualTo("byte " + itemAt);
            assertThat(item).hasMessageContaining("item tag 0x4");
            // The repair flag goes with a state, a deletion or a retraction only: not alone, not on the end.
            assertThat(readFails(new Raw().header().bytes(0x10).toBytes(), Limits.DEFAULTS, Input.WHOLE))
                    .hasMessageContaining("item tag 0x10");
            assertThat(readFails(new Raw().header().bytes(0x14).toBytes(), Limits.DEFAULTS, Input.WHOLE))
                    .hasMessageContaining("item tag 0x14");

            byte[] value = new Raw().header().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f").bytes(0x0C)
                    .toBytes();
            assertThat(readFails(value, Limits.DEFAULTS, Input.WHOLE)).hasMessageContaining("value tag 0xc");
        }

        @Test
        void invalidNamesKeysAndDuplicatesAreMalformed() {
            assertBodyFails(new Raw().bytes(0x01).varint(0).string("K").string("1").varint(1).string("1st").bytes(0),
                    "must start with a letter");
            assertBodyFails(new Raw().bytes(0x02).varint(0).string("").string("1"), "kind");
            // Untrusted text in a message is escaped, so that it cannot forge lines in a journal.
            assertBodyFails(new Raw().bytes(0x02).varint(0).string("K\nforged: line").string("1"), "K\\u000aforged: line");
            assertBodyFails(new Raw().bytes(0x02).varint(0).string("K").string("a\nb"), "control character");
            assertBodyFails(new Raw().bytes(0x02).varint(0).string("K").string("x".repeat(257)), "at most 256");
            assertBodyFails(new Raw().bytes(0x01).varint(0).string("K").string("1").varint(2).string("f").bytes(0)
                    .string("f").bytes(0), "appears twice");
            assertBodyFails(new Raw().bytes(0x01).varint(0).string("K").string("1").varint(0).varint(2)
                    .string("T").varint(0).string("T").varint(0), "appears twice");
            assertBodyFails(new Raw().bytes(0x01).varint(0).string("K").string("1").varint(0).varint(0).varint(2)
                    .string("R").varint(0).string("R").varint(0), "appears twice");
            assertBodyFails(new Raw().bytes(0x01).varint(0).string("K").string("1").varint(1).string("e").bytes(0x0A)
                    .string("").string("x"), "enum");
        }

        @Test
        void valuesOutOfRangeOrNotInTheirOnlyEncodingAreMalformed() {
            assertBodyFails(field(new Raw().bytes(0x06).zigzag(LocalDate.MAX.toEpochDay() + 1)), "EpochDay");
            assertBodyFails(field(new Raw().bytes(0x07).zigzag(0).varint(86_400_000_000_000L)), "NanoOfDay");
            assertBodyFails(field(new Raw().bytes(0x08).zigzag(0).varint(1_000_000_000)), "nanoseconds");
            assertBodyFails(field(new Raw().bytes(0x08).zigzag(Instant.MAX.getEpochSecond() + 1).varint(0)),
                    "Instant");
            assertBodyFails(field(new Raw().bytes(0x02).zigzag(0).varint(2).bytes(0x00, 0x01)), "shortest form");
            assertBodyFails(field(new Raw().bytes(0x02).zigzag(0).varint(2).bytes(0xFF, 0x80)), "shortest form");
            assertBodyFails(field(new Raw().bytes(0x02).zigzag(0).varint(0)), "at least one byte");
            limitFails(new Raw().header().raw(field(new Raw().bytes(0x02).zigzag(Integer.MIN_VALUE).varint(1)
                    .bytes(1))).toBytes(), Limits.DEFAULTS, "maxTextLength");
        }

        @Test
        void aStreamFailureWhileReadingIsMalformedWithItsCause() {
            IOException broken = new IOException("connection reset");
            byte[] whole = write(header(1), List.of(new MessageItem.Deletion(ObjectKey.of("K", "1"))));
            InputStream in = new FilterInputStream(new ByteArrayInputStream(whole, 0, whole.length - 1)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, Math.min(len, 1));
                    if (n < 0) {
                        throw broken;
                    }
                    return n;
                }
            };
            MessageReader reader = CODEC.reader(in, PLAN, SOURCE);
            reader.next();

            assertThatThrownBy(reader::next).isExactlyInstanceOf(MalformedMessageException.class).hasCause(broken)
                    .hasMessageContaining("byte " + (whole.length - 1));
        }

        @Test
        @Timeout(value = 10, unit = TimeUnit.SECONDS)
        void randomlyCorruptedMessagesReadFineOrAreMalformed() {
            long seed = 0x5EED_D1BEL;
            Random random = new Random(seed);
            byte[] whole = write(new MessageHeader("Trade", "Centre", "Shop1", 12, MESSAGE_ID, 11, RECEIVED_ID, true,
                    List.of(ObjectKey.of("Catalog.Goods", "R"))), List.of(new MessageItem.Upsert(smallEveryValue()),
                    new MessageItem.Upsert(document()), new MessageItem.Deletion(ObjectKey.of("K", "x"))));
            // Small limits, so that corrupted lengths meet them rather than the defaults' megabytes.
            Limits limits = Limits.builder().maxTextLength(4096).maxBinaryBytes(4096).maxElements(1000)
                    .maxTotalBytes(whole.length + 16).build();
            int readFine = 0;
            for (int i = 0; i < 2_000; i++) {
                byte[] corrupt = whole.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    corrupt[random.nextInt(corrupt.length)] ^= (byte) (1 + random.nextInt(255));
                }
                Input input = Input.values()[i % Input.values().length];
                try {
                    read(corrupt, limits, input);
                    readFine++;
                } catch (MalformedMessageException expected) {
                    assertThat(expected.position()).matches("byte \\d+");
                    assertThat(expected.source()).isEqualTo(SOURCE);
                } catch (Throwable other) {
                    fail("seed " + seed + ", iteration " + i + ", " + input + ": " + other + " for "
                            + HexFormat.of().formatHex(corrupt), other);
                }
            }
            // Some flips land in text or numbers and still make a valid message; most do not.
            assertThat(readFine).isBetween(1, 1_999);
        }

        private byte[] field(Raw value) {
            return new Raw().bytes(0x01).varint(0).string("K").string("1").varint(1).string("f").raw(value.toBytes())
                    .varint(0).varint(0).bytes(0).toBytes();
        }

        private void assertBodyFails(Raw body, String problem) {
            assertBodyFails(body.toBytes(), problem);
        }

        private void assertBodyFails(byte[] body, String problem) {
            byte[] bytes = new Raw().header().raw(body).bytes(0).toBytes();
            MalformedMessageException e = readFails(bytes, Limits.DEFAULTS, Input.WHOLE);
            assertThat(e).as(problem).isExactlyInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining(problem);
            int bodyAt = new Raw().header().toBytes().length;
            assertThat(Long.parseLong(e.position().substring("byte ".length()))).as(problem)
                    .isBetween((long) bodyAt, (long) bytes.length);
        }
    }

    // Fixtures.

    private static MessageHeader header(long messageNo) {
        return new MessageHeader("Trade", "Centre", "Shop1", messageNo, MESSAGE_ID, 0, null, false, List.of());
    }

    /** An object holding every value type with its edge cases, in a deliberate field order. */
    private static DataObject everyValue() {
        byte[] randomBytes = new byte[70_000];
        new Random(3).nextBytes(randomBytes);
        return smallEveryValue().toBuilder().set("binaryLarge", Value.binary(randomBytes)).build();
    }

    /** {@link #everyValue()} without its large binary, for tests that read a message thousands of times. */
    private static DataObject smallEveryValue() {
        byte[] allBytes = new byte[256];
        for (int i = 0; i < allBytes.length; i++) {
            allBytes[i] = (byte) i;
        }
        UUID id = UUID.fromString("6f0d4b3e-2a1c-4e5f-9a8b-7c6d5e4f3a2b");
        return DataObject.builder(ObjectKey.of("Catalog.Goods", id))
                .set("zLast", "first field, named last")
                .set("empty", "")
                .set("null", Value.NULL)
                .set("spaces", "  leading and trailing  ")
                .set("crlf", "line 1\r\nline 2\rline 3\n")
                .set("controls", "\u0000\t\u001F\u007F")
                .set("emoji", "\uD83D\uDE00")
                .set("cyrillic", "Номенклатура «Ёлка»")
                .set("bom", "\uFEFFtext")
                .set("one000", Value.of(new BigDecimal("1.000")))
                .set("one", Value.of(new BigDecimal("1")))
                .set("big", Value.of(new BigDecimal(BigInteger.TEN.pow(40), 30)))
                .set("negativeScale", Value.of(new BigDecimal(BigInteger.valueOf(5), -3)))
                .set("negativeZero", Value.of(new BigDecimal("-0.00")))
                .set("minus128", Value.of(new BigDecimal("-128")))
                .set("plus128", Value.of(new BigDecimal("128")))
                .set("hugeNegative", Value.of(new BigDecimal("-123456789012345678901234567890.123456789")))
                .set("longMin", Value.of(Long.MIN_VALUE))
                .set("longMax", Value.of(Long.MAX_VALUE))
                .set("zero", Value.of(0))
                .set("minusOne", Value.of(-1))
                .set("yes", Value.of(true))
                .set("no", Value.of(false))
                .set("dateMin", Value.of(LocalDate.MIN))
                .set("dateMax", Value.of(LocalDate.MAX))
                .set("dateTimeMin", Value.of(LocalDateTime.MIN))
                .set("dateTimeMax", Value.of(LocalDateTime.MAX))
                .set("leapNanos", Value.of(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_789)))
                .set("instantMin", Value.of(Instant.MIN))
                .set("instantMax", Value.of(Instant.MAX))
                .set("beforeEpoch", Value.of(Instant.ofEpochSecond(-1, 1)))
                .set("instantNanos", Value.of(Instant.parse("2024-01-01T00:00:00.000000001Z")))
                .set("ref", Value.ref(ObjectKey.of("Catalog.Units", "pcs")))
                .set("refCyrillic", Value.ref(ObjectKey.of("Справочник.Склады", "Главный склад")))
                .set("enum", Value.enumValue("VatRate", "Vat20"))
                .set("binaryEmpty", Value.binary(new byte[0]))
                .set("binaryAll", Value.binary(allBytes))
                .build();
    }

    /** A document with tabular parts (one empty) and record sets (one empty). */
    private static DataObject document() {
        return DataObject.builder(ObjectKey.of("Document.Invoice", "INV-0001"))
                .set("Date", Value.of(LocalDateTime.of(2025, 1, 31, 12, 0)))
                .set("Posted", Value.of(true))
                .addRow("Goods", Row.of("Item", Value.ref(ObjectKey.of("Catalog.Goods", "1")), "Qty",
                        Value.of(new BigDecimal("2.000"))))
                .addRow("Goods", Row.of("Qty", Value.of(new BigDecimal("1")), "Item",
                        Value.ref(ObjectKey.of("Catalog.Goods", "2")), "Note", Value.NULL))
                .table("Empty", List.of())
                .recordSet(new RecordSet("Stock", List.of(
                        Row.of("Period", Value.of(LocalDateTime.of(2025, 1, 31, 12, 0)), "MovementType",
                                Value.enumValue("AccumulationMovementType", "Expense"), "Qty",
                                Value.of(new BigDecimal("-2.000"))))))
                .recordSet(new RecordSet("Nothing", List.of()))
                .build();
    }

    private static byte[] write(MessageHeader header, List<MessageItem> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MessageWriter writer = CODEC.writer(out, PLAN, header)) {
            items.forEach(writer::write);
            writer.finish();
        }
        return out.toByteArray();
    }

    private static byte[] withTrailing(byte[] message, int garbage) {
        byte[] longer = Arrays.copyOf(message, message.length + 1);
        longer[message.length] = (byte) garbage;
        return longer;
    }

    record Message(MessageHeader header, List<MessageItem> items) {
    }

    private static Message read(byte[] bytes, Input input) {
        return read(bytes, Limits.DEFAULTS, input);
    }

    private static Message readWith(byte[] bytes, Limits limits) {
        return read(bytes, limits, Input.WHOLE);
    }

    private static Message read(byte[] bytes, Limits limits, Input input) {
        try (MessageReader reader = MessageCodec.binary(limits).reader(input.over(bytes), PLAN, SOURCE)) {
            List<MessageItem> items = new ArrayList<>();
            for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                items.add(item);
            }
            return new Message(reader.header(), items);
        }
    }

    /** Reads the whole message, which must fail with a MalformedMessageException naming the source and a byte. */
    private static MalformedMessageException readFails(byte[] bytes, Limits limits, Input input) {
        Throwable t = catchThrowable(() -> read(bytes, limits, input));
        assertThat(t).isInstanceOf(MalformedMessageException.class);
        MalformedMessageException e = (MalformedMessageException) t;
        assertThat(e.source()).isEqualTo(SOURCE);
        assertThat(e.position()).matches("byte \\d+");
        return e;
    }

    private static LimitExceededException limitFails(byte[] bytes, Limits limits, String limit) {
        MalformedMessageException e = readFails(bytes, limits, Input.WHOLE);
        assertThat(e).isInstanceOf(LimitExceededException.class).hasMessageContaining(limit);
        assertThat(((LimitExceededException) e).limit()).isEqualTo(limit);
        return (LimitExceededException) e;
    }

    private static MalformedMessageException failureOf(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(MalformedMessageException.class);
        return (MalformedMessageException) t;
    }

    /** Builds raw bytes in the wire format, to state the layout and to forge hostile messages. */
    private static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Raw magic() {
            return bytes(0x89, 'D', 'B', 'X');
        }

        /** A valid header: magic, version 4, Trade, Centre to Shop1, message 1, nothing received, nothing rejected. */
        Raw header() {
            return magic().bytes(4).string("Trade").string("Centre").string("Shop1").varint(1).uuid(MESSAGE_ID)
                    .varint(0).bytes(0).varint(0);
        }

        Raw bytes(int... values) {
            for (int v : values) {
                out.write(v);
            }
            return this;
        }

        Raw raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        Raw varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Raw zigzag(long v) {
            return varint((v << 1) ^ (v >> 63));
        }

        Raw string(String s) {
            varint(s.length());
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Raw uuid(UUID id) {
            for (long half : new long[] {id.getMostSignificantBits(), id.getLeastSignificantBits()}) {
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (half >>> shift) & 0xFF);
                }
            }
            return this;
        }

        Raw copy() {
            return new Raw().raw(toBytes());
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /**
     * Returns the bytes in chunks of 1 to {@code maxChunk} (exactly 1 when it is 1), and now and
     * then 0 from {@code read(byte[])}, which the contract forbids but some streams do.
     */
    private static final class ChunkedInputStream extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private final int maxChunk;
        private int pos;

        ChunkedInputStream(byte[] bytes, Random random, int maxChunk) {
            this.bytes = bytes;
            this.random = random;
            this.maxChunk = maxChunk;
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
            if (pos == bytes.length) {
                return -1;
            }
            int n = maxChunk == 1 ? 1 : random.nextInt(maxChunk);
            n = Math.min(Math.min(n, len), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static final class RecordingOutputStream extends ByteArrayOutputStream {
        int flushes;
        boolean closed;

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
