package io.dibex.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dibex.ImportResult;
import io.dibex.LimitExceededException;
import io.dibex.MalformedMessageException;
import io.dibex.codec.Limits;
import io.dibex.model.DataObject;
import io.dibex.model.Value;
import io.dibex.tck.BytesMessage;
import io.dibex.tck.Network;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.NodeState;
import io.dibex.tck.TestPlans;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input (R16): one case per kind, each in both dialects. A genuine message from C to B1
 * is spoiled, the engine at B1 imports it, and the test asserts the exception (a
 * {@link MalformedMessageException} naming the message and a line and column, or the
 * {@link LimitExceededException} naming the limit) and that nothing changed at B1 (SPEC §3).
 */
class HostileInputTest {

    private static final String NAME = "Message_C_B1.xml";
    private static final Map<XmlDialect, String> GENUINE = new EnumMap<>(XmlDialect.class);

    /** What a dialect calls the header elements a case spoils. */
    private static String tag(XmlDialect d, String element) {
        boolean seed = d == XmlDialect.SEED;
        switch (element) {
            case "MessageNo":
                return seed ? "НомерСообщения" : "v8msg:MessageNo";
            case "ReceivedNo":
                return seed ? "ПолученноеСообщение" : "v8msg:ReceivedNo";
            case "To":
                return seed ? "Получатель" : "v8msg:To";
            case "Root":
                return seed ? "Сообщение" : "v8msg:Message";
            case "Body":
                return seed ? "ТелоСообщения" : "v8msg:Body";
            default:
                throw new IllegalArgumentException(element);
        }
    }

    /** A genuine message C sends B1: markers 4.20, Аспирин, 424242, 2026-01-15T10:30:00 and AQIDBAU= are spoiled below. */
    static synchronized String genuine(XmlDialect dialect) {
        return GENUINE.computeIfAbsent(dialect, d -> {
            Network net = new Network(TestPlans.trade(), NetworkConfig.inMemory(XmlCodec.builder(d).build()));
            net.put("C", TestPlans.item("A", "Аспирин", "4.20").toBuilder()
                    .set("Count", Value.of(424242L)).set("Blob", Value.binary(new byte[] {1, 2, 3, 4, 5})).build());
            net.put("C", TestPlans.sale("S1", "B1", "12.50"));
            net.export("C", "B1").orElseThrow();
            return new String(BytesMessage.take(net.transport().receive("B1").get(0)).bytes(), StandardCharsets.UTF_8);
        });
    }

    /** One kind of hostile input. */
    record Case(String kind, Function<XmlDialect, byte[]> bytes, Limits limits, Class<? extends Exception> type,
            String says) {

        @Override
        public String toString() {
            return kind;
        }
    }

    private static Case text(String kind, java.util.function.BiFunction<XmlDialect, String, String> spoil, String says) {
        return new Case(kind, d -> spoil.apply(d, genuine(d)).getBytes(StandardCharsets.UTF_8), Limits.DEFAULTS,
                MalformedMessageException.class, says);
    }

    private static Case text(String kind, UnaryOperator<String> spoil, String says) {
        return text(kind, (d, s) -> spoil.apply(s), says);
    }

    /** Replaces a marker of the genuine message by raw bytes. */
    private static Case bytes(String kind, String marker, byte[] raw, String says) {
        return new Case(kind, d -> splice(genuine(d), marker, raw), Limits.DEFAULTS, MalformedMessageException.class,
                says);
    }

    private static Case limit(String kind, Limits limits, String limit) {
        return limit(kind, UnaryOperator.identity(), limits, limit);
    }

    private static Case limit(String kind, UnaryOperator<String> spoil, Limits limits, String limit) {
        return new Case(kind, d -> spoil.apply(genuine(d)).getBytes(StandardCharsets.UTF_8), limits,
                LimitExceededException.class, limit);
    }

    private static byte[] splice(String text, String marker, byte[] raw) {
        int at = text.indexOf(marker);
        assertThat(at).as("marker %s", marker).isNotNegative();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text.substring(0, at).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(raw);
        out.writeBytes(text.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    private static String afterDeclaration(String xml, String insert) {
        int end = xml.indexOf("?>") + 2;
        return xml.substring(0, end) + insert + xml.substring(end);
    }

    private static String number(XmlDialect d, String xml, String element, String value) {
        String t = tag(d, element);
        return xml.replaceFirst("<" + t + ">[^<]*</" + t + ">", "<" + t + ">" + value + "</" + t + ">");
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // Forbidden constructs
        cases.add(text("a DOCTYPE with an internal subset (billion laughs)", s -> afterDeclaration(s,
                "<!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                        + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>").replace("Аспирин", "&c;"), "DOCTYPE"));
        cases.add(text("a bare DOCTYPE", s -> afterDeclaration(s, "<!DOCTYPE Message>"), "DOCTYPE"));
        cases.add(text("an external entity", s -> afterDeclaration(s,
                "<!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>").replace("Аспирин", "&x;"), "DOCTYPE"));
        cases.add(text("an undeclared entity reference", s -> s.replace("Аспирин", "&xxe;"), "xxe"));
        cases.add(text("a processing instruction in the body", s -> s.replace("Аспирин", "<?php system('x'); ?>"),
                "processing instruction"));
        cases.add(text("a processing instruction before the root", s -> afterDeclaration(s,
                "<?xml-stylesheet href=\"http://evil/x.xsl\"?>"), "processing instruction"));
        cases.add(text("XML 1.1", s -> s.replace("version=\"1.0\"", "version=\"1.1\""), "XML 1.1"));
        cases.add(text("a declared encoding other than UTF-8", s -> s.replace("encoding=\"UTF-8\"",
                "encoding=\"ISO-8859-1\""), "only UTF-8"));
        cases.add(new Case("UTF-16 with a byte-order mark", d -> ("\uFEFF" + genuine(d)).getBytes(StandardCharsets.UTF_16BE),
                Limits.DEFAULTS, MalformedMessageException.class, "UTF-16"));
        cases.add(new Case("UTF-16 without a byte-order mark", d -> genuine(d).getBytes(StandardCharsets.UTF_16LE),
                Limits.DEFAULTS, MalformedMessageException.class, "only UTF-8"));
        // Invalid UTF-8, which the parser might let through
        cases.add(bytes("a byte that starts no UTF-8 sequence", "Аспирин", b(0xFF), "cannot start a UTF-8 sequence"));
        cases.add(bytes("a stray continuation byte", "Аспирин", b(0x80), "cannot start a UTF-8 sequence"));
        cases.add(bytes("an overlong two-byte '/'", "Аспирин", b(0xC0, 0xAF), "overlong"));
        cases.add(bytes("an overlong three-byte '/'", "Аспирин", b(0xE0, 0x80, 0xAF), "overlong"));
        cases.add(bytes("an overlong four-byte character", "Аспирин", b(0xF0, 0x80, 0x80, 0xAF), "overlong"));
        cases.add(bytes("a UTF-8-encoded surrogate", "Аспирин", b(0xED, 0xA0, 0x80), "surrogate"));
        cases.add(bytes("a code point above U+10FFFF", "Аспирин", b(0xF4, 0x90, 0x80, 0x80), "above U+10FFFF"));
        cases.add(bytes("a sequence cut by a continuation byte missing", "Аспирин", b(0xD0, 0x41), "continuation"));
        cases.add(new Case("a file that ends inside a UTF-8 sequence", d -> {
            byte[] all = genuine(d).getBytes(StandardCharsets.UTF_8);
            int cut = new String(all, StandardCharsets.UTF_8).indexOf("Аспирин");
            return Arrays.copyOf(all, new String(all, StandardCharsets.UTF_8).substring(0, cut)
                    .getBytes(StandardCharsets.UTF_8).length + 1);
        }, Limits.DEFAULTS, MalformedMessageException.class, "ends inside a 2-byte UTF-8 sequence"));
        cases.add(bytes("a raw control character", "Аспирин", b(0x01), "U+0001"));
        cases.add(bytes("a raw NUL", "Аспирин", b(0x00), "U+0000"));
        cases.add(bytes("a raw U+FFFE", "Аспирин", b(0xEF, 0xBF, 0xBE), "U+FFFE"));
        cases.add(text("a character reference to a control character", s -> s.replace("Аспирин", "&#1;"),
                "Illegal character entity"));
        cases.add(text("a character reference to NUL", s -> s.replace("Аспирин", "&#0;"), "null character"));
        // Broken structure
        cases.add(new Case("an empty file", d -> new byte[0], Limits.DEFAULTS, MalformedMessageException.class, "ends too early"));
        cases.add(text("not XML at all", s -> "Message from C to B1: hello", "Unexpected character"));
        cases.add(new Case("a file cut in half", d -> Arrays.copyOf(genuine(d).getBytes(StandardCharsets.UTF_8),
                genuine(d).getBytes(StandardCharsets.UTF_8).length / 2), Limits.DEFAULTS,
                MalformedMessageException.class, "ends too early"));
        cases.add(new Case("a file missing its last byte", d -> {
            byte[] all = genuine(d).strip().getBytes(StandardCharsets.UTF_8);
            return Arrays.copyOf(all, all.length - 1);
        }, Limits.DEFAULTS, MalformedMessageException.class, "ends too early"));
        cases.add(text("trailing garbage", s -> s + "garbage", "Unexpected character"));
        cases.add(text("a second root element", s -> s + "<Message/>", "multiple roots"));
        cases.add(text("another root element", (d, s) -> s.replace(tag(d, "Root"), "Foo"), "not"));
        cases.add(text("text between objects", (d, s) -> insertAfterStartTag(s, tag(d, "Body"), "junk"),
                "unexpected text"));
        cases.add(text("an element inside a value", s -> s.replace("Аспирин", "Аспирин<b>bold</b>"), "holds"));
        cases.add(text("an unknown element in the body", (d, s) -> s.replace("</" + tag(d, "Body") + ">",
                "<Unknown/></" + tag(d, "Body") + ">"), "unknown element"));
        cases.add(text("a header element twice", (d, s) -> s.replaceFirst("(<" + tag(d, "To") + ">[^<]*</" + tag(d, "To")
                + ">)", "$1$1"), "appears twice"));
        cases.add(text("a header without its number", (d, s) -> s.replaceFirst("<" + tag(d, "MessageNo") + ">[^<]*</"
                + tag(d, "MessageNo") + ">", ""), "has no"));
        cases.add(text("a newer dibex format", s -> s.replace("dx:format=\"2\"", "dx:format=\"3\""), "format version"));
        cases.add(text("an unknown dibex header element", s -> s.replace("<dx:MessageId>", "<dx:Secret>x</dx:Secret>"
                + "<dx:MessageId>"), "dx:Secret"));
        cases.add(text("a malformed message id", s -> s.replaceFirst("<dx:MessageId>[^<]*<", "<dx:MessageId>not-a-uuid<"),
                "not a UUID"));
        cases.add(text("a received id without a received message", s -> s.replace("</dx:MessageId>",
                "</dx:MessageId><dx:ReceivedId>11111111-2222-3333-4444-555555555555</dx:ReceivedId>"), "nothing was"));
        // Numbers, strictly (R16)
        for (String bad : List.of("-1", "0", "1e3", " 5", "5 ", "+5", "0x10", "05", "1.0", "", "５",
                "9223372036854775808", "99999999999999999999")) {
            cases.add(text("MessageNo '" + bad + "'", (d, s) -> number(d, s, "MessageNo", bad), "[1-9][0-9]{0,18}"));
        }
        for (String bad : List.of("-1", "00", "1e0", "+0")) {
            cases.add(text("ReceivedNo '" + bad + "'", (d, s) -> number(d, s, "ReceivedNo", bad), "must be 0 or"));
        }
        for (String bad : List.of("4.2E0", "4.2e0", "NaN", "Infinity", "4,20", " 4.20", "4.20 ", "--4.20", "4.2.0", "0x1A",
                "٤.٢٠")) {
            cases.add(text("decimal '" + bad + "'", s -> s.replace(">4.20<", ">" + bad + "<"), "decimal"));
        }
        cases.add(text("a decimal of more digits than the format allows (parsing is quadratic)",
                s -> s.replace(">4.20<", ">" + "9".repeat(5000) + "<"), "longer than the format's 4096"));
        cases.add(text("a decimal rescaled by millions of digits", (d, s) -> d == XmlDialect.SEED
                ? s.replace("Тип=\"decimal\">4.20<", "Тип=\"decimal\" Масштаб=\"-16000000\">4<")
                : s.replace("<Price>4.20<", "<Price dx:scale=\"-16000000\">4<"), "-1 to -4096"));
        cases.add(text("a decimal rescaled by the smallest int", (d, s) -> d == XmlDialect.SEED
                ? s.replace("Тип=\"decimal\">4.20<", "Тип=\"decimal\" Масштаб=\"-2147483648\">4<")
                : s.replace("<Price>4.20<", "<Price dx:scale=\"-2147483648\">4<"), "-1 to -4096"));
        cases.add(text("a long that overflows", s -> s.replace(">424242<", ">9223372036854775808<"), "fit a long"));
        cases.add(text("a long with a fraction", s -> s.replace(">424242<", ">4242.42<"), "not an integer"));
        cases.add(text("a date that does not exist", s -> s.replace("2026-01-15T10:30:00", "2026-02-30T10:30:00"),
                "no such day"));
        cases.add(text("a time that does not exist", s -> s.replace("2026-01-15T10:30:00", "2026-01-15T24:00:00"),
                "no such time"));
        cases.add(text("a date-time with ten digits of a second", s -> s.replace("2026-01-15T10:30:00",
                "2026-01-15T10:30:00.1234567891"), "nine digits"));
        cases.add(text("base64 with a foreign character", s -> s.replace("AQIDBAU=", "AQID*AU="), "base64"));
        cases.add(text("base64 cut short", s -> s.replace("AQIDBAU=", "AQIDBA"), "base64"));
        cases.add(text("base64 going on after its padding", s -> s.replace("AQIDBAU=", "AQIDBAU=AAAA"), "padding"));
        // Limits, each named with the value seen and how to raise it
        cases.add(limit("deeper than maxDepth", Limits.builder().maxDepth(3).build(), "maxDepth"));
        cases.add(limit("more attributes than maxAttributes", s -> onRoot(s, attributes(40)), Limits.DEFAULTS,
                "maxAttributes"));
        cases.add(limit("an attribute longer than maxAttributeLength", s -> onRoot(s, " a=\"" + "x".repeat(70_000) + "\""),
                Limits.DEFAULTS, "maxAttributeLength"));
        cases.add(limit("a text longer than maxTextLength", Limits.builder().maxTextLength(6).build(), "maxTextLength"));
        cases.add(limit("more elements than maxElements", Limits.builder().maxElements(12).build(), "maxElements"));
        cases.add(limit("a binary larger than maxBinaryBytes", Limits.builder().maxBinaryBytes(4).build(),
                "maxBinaryBytes"));
        cases.add(limit("a message larger than maxTotalBytes", Limits.builder().maxTotalBytes(300).build(),
                "maxTotalBytes"));
        cases.add(text("an element name of millions of characters", s -> s.replace("Аспирин",
                "<" + "n".repeat(2_300_000) + "/>"), "a tag runs for more than"));
        return cases;
    }

    /** Adds attributes to the root element. */
    private static String onRoot(String xml, String attributes) {
        int root = xml.indexOf('>', xml.indexOf("?>") + 2);
        return xml.substring(0, root) + attributes + xml.substring(root);
    }

    private static String insertAfterStartTag(String xml, String tag, String insert) {
        int end = xml.indexOf('>', xml.indexOf("<" + tag)) + 1;
        return xml.substring(0, end) + insert + xml.substring(end);
    }

    private static String attributes(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(" a").append(i).append("=\"").append(i).append('"');
        }
        return s.toString();
    }

    static Stream<Arguments> casesInBothDialects() {
        List<Arguments> all = new ArrayList<>();
        for (Case c : cases()) {
            for (XmlDialect d : XmlDialect.values()) {
                all.add(Arguments.of(c, d));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("casesInBothDialects")
    @DisplayName("hostile input is refused with a library exception, and nothing changes at the receiving node")
    void refusedAndNothingChanges(Case hostile, XmlDialect dialect) {
        Network net = new Network(TestPlans.trade(), NetworkConfig.inMemory(XmlCodec.builder(dialect)
                .limits(hostile.limits()).build()));
        // B1 holds something of its own, registered for C, so that "nothing changed" has something to check.
        net.put("B1", TestPlans.item("Q", "held at B1", "1.00"));
        NodeState before = net.state("B1");
        BytesMessage message = new BytesMessage(NAME, hostile.bytes().apply(dialect));

        Exception e = catchThrowableOfType(() -> net.node("B1").importMessage(message), hostile.type());

        assertThat(e).as("the exception").isNotNull().hasMessageContaining(hostile.says());
        MalformedMessageException m = (MalformedMessageException) e;
        assertThat(m.source()).isEqualTo(NAME);
        assertThat(m.position()).matches("line \\d+, column \\d+.*");
        if (e instanceof LimitExceededException limit) {
            assertThat(limit.limit()).isEqualTo(hostile.says());
            assertThat(limit).hasMessageContaining("raise it with Limits.builder()." + hostile.says());
        }
        assertThat(net.state("B1")).as("B1 after the import was tried").isEqualTo(before);
        assertThat(message.commits()).as("left with the transport").isZero();
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("the genuine message the cases spoil imports (the cases fail for their spoiling, not by accident)")
    void theGenuineMessageImports(XmlDialect dialect) {
        Network net = new Network(TestPlans.trade(), NetworkConfig.inMemory(XmlCodec.builder(dialect).build()));

        ImportResult r = net.node("B1").importMessage(new BytesMessage(NAME,
                genuine(dialect).getBytes(StandardCharsets.UTF_8)));

        assertThat(r.status()).isEqualTo(ImportResult.Status.APPLIED);
        assertThat(net.get("B1", TestPlans.itemKey("A")).map(DataObject::fields).orElseThrow())
                .containsEntry("Description", Value.of("Аспирин")).containsEntry("Count", Value.of(424242L));
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("a message cut at any byte is malformed, in every input mode")
    void truncationAtEveryByte(XmlDialect dialect) {
        byte[] whole = genuine(dialect).strip().getBytes(StandardCharsets.UTF_8);
        XmlCodec codec = XmlCodec.builder(dialect).build();
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            for (Streams.Input input : Streams.Input.values()) {
                MalformedMessageException e = catchThrowableOfType(
                        () -> Streams.read(codec, TestPlans.trade(), cut, input), MalformedMessageException.class);
                assertThat(e).as("cut at %d, %s", length, input).isNotNull();
                assertThat(e.position()).as("cut at %d", length).matches("line \\d+, column \\d+.*");
            }
        }
    }

    @Test
    @DisplayName("no parser or stream exception leaks: a failing stream is a malformed message with the cause kept")
    void aFailingStreamIsMalformed() {
        java.io.IOException broken = new java.io.IOException("network share went away");
        java.io.InputStream in = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw broken;
            }
        };
        MalformedMessageException e = catchThrowableOfType(
                () -> XmlCodec.v8msg().reader(in, TestPlans.trade(), NAME), MalformedMessageException.class);
        assertThat(e).hasMessageContaining("network share went away").hasRootCause(broken);
    }
}
