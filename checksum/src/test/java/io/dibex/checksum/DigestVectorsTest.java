package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Recomputes every test vector of {@code docs/canonical-digest.md} from the input the document
 * gives and compares it with the hex the document states: if the document and the code disagree,
 * this fails.
 */
class DigestVectorsTest {

    private static final Pattern SHA = Pattern.compile("^SHA-256: `([0-9a-f]{64})`$");
    private static final Pattern ABSENT = Pattern.compile("^Absent: `([0-9a-f]{64})`$", Pattern.MULTILINE);

    /** One vector as the document states it. */
    record Vector(String title, String json, byte[] canonical, String sha256) {
    }

    static Path doc() {
        return Path.of(System.getProperty("dibex.docs", "../docs"), "canonical-digest.md");
    }

    static List<Vector> vectors() throws IOException {
        List<String> lines = Files.readAllLines(doc(), StandardCharsets.UTF_8);
        List<Vector> vectors = new ArrayList<>();
        String title = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("### ")) {
                title = line.substring(4);
            }
            if (!line.equals("```json")) {
                continue;
            }
            StringBuilder json = new StringBuilder();
            for (i++; !lines.get(i).equals("```"); i++) {
                json.append(lines.get(i)).append('\n');
            }
            byte[] canonical = null;
            for (i++; lines.get(i).isBlank() || !lines.get(i).startsWith("```hex") && !lines.get(i).startsWith("SHA-256");
                    i++) {
                // prose between the input and its digest
            }
            if (lines.get(i).equals("```hex")) {
                StringBuilder hex = new StringBuilder();
                for (i++; !lines.get(i).equals("```"); i++) {
                    String l = lines.get(i);
                    int comment = l.indexOf('#');
                    hex.append((comment < 0 ? l : l.substring(0, comment)).replaceAll("\\s", ""));
                }
                canonical = HexFormat.of().parseHex(hex);
                for (i++; lines.get(i).isBlank(); i++) {
                    // to the digest line
                }
            }
            Matcher m = SHA.matcher(lines.get(i));
            assertThat(m.matches()).as("line %d: a vector's input is followed by its SHA-256 line, got: %s", i + 1,
                    lines.get(i)).isTrue();
            vectors.add(new Vector(title, json.toString(), canonical, m.group(1)));
        }
        return vectors;
    }

    @Test
    @DisplayName("the document publishes the vectors it promises: every value type, a record set of each policy")
    void theDocumentHasItsVectors() throws IOException {
        List<Vector> vectors = vectors();
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(9);
        String all = String.join("\n", vectors.stream().map(Vector::json).toList());
        for (String type : List.of("\"string\"", "\"decimal\"", "\"long\"", "\"boolean\"", "\"date\"", "\"dateTime\"",
                "\"instant\"", "\"ref\"", "\"enum\"", "\"binary\"", ": null", "\"tables\"", "\"MIGRATE\"", "\"LOCAL\"")) {
            assertThat(all).as("some vector uses %s", type).contains(type);
        }
        assertThat(vectors).anyMatch(v -> v.canonical() != null);
    }

    @TestFactory
    List<DynamicTest> everyVectorDigestsToTheStatedHex() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Vector v : vectors()) {
            tests.add(DynamicTest.dynamicTest(v.title(), () -> {
                Map<?, ?> input = (Map<?, ?>) Json.parse(v.json());
                assertThat(planOf(input).digest(objectOf(input)).hex()).as(v.title()).isEqualTo(v.sha256());
                if (v.canonical() != null) {
                    assertThat(HexFormat.of().formatHex(sha256(v.canonical()))).as("SHA-256 of the bytes shown")
                            .isEqualTo(v.sha256());
                }
            }));
        }
        return tests;
    }

    @Test
    @DisplayName("the digest of an absent object is the one the document states")
    void absent() throws Exception {
        Matcher m = ABSENT.matcher(Files.readString(doc(), StandardCharsets.UTF_8));
        assertThat(m.find()).isTrue();
        assertThat(Digest.ABSENT.hex()).isEqualTo(m.group(1));
        assertThat(HexFormat.of().formatHex(sha256("dibex:absent".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(m.group(1));
    }

    static ExchangePlan planOf(Map<?, ?> input) {
        ExchangePlan.Builder plan = ExchangePlan.builder("Vectors").central("Офис");
        Map<?, ?> registers = (Map<?, ?>) input.get("registers");
        if (registers != null) {
            registers.forEach((name, policy) -> plan.register((String) name, MigrationPolicy.valueOf((String) policy)));
        }
        return plan.build();
    }

    static DataObject objectOf(Map<?, ?> input) {
        DataObject.Builder b = DataObject.builder(new ObjectKey((String) input.get("kind"), (String) input.get("id")));
        fieldsOf(input.get("fields")).forEach(b::set);
        tablesOf(input.get("tables")).forEach(b::table);
        tablesOf(input.get("recordSets")).forEach((register, records) -> b.recordSet(new RecordSet(register, records)));
        return b.build();
    }

    private static Map<String, List<Row>> tablesOf(Object tables) {
        Map<String, List<Row>> out = new LinkedHashMap<>();
        if (tables != null) {
            ((Map<?, ?>) tables).forEach((name, rows) -> {
                List<Row> list = new ArrayList<>();
                for (Object row : (List<?>) rows) {
                    list.add(new Row(fieldsOf(row)));
                }
                out.put((String) name, list);
            });
        }
        return out;
    }

    private static Map<String, Value> fieldsOf(Object fields) {
        Map<String, Value> out = new LinkedHashMap<>();
        if (fields != null) {
            ((Map<?, ?>) fields).forEach((name, value) -> out.put((String) name, valueOf(value)));
        }
        return out;
    }

    static Value valueOf(Object json) {
        if (json == null) {
            return Value.NULL;
        }
        Map<?, ?> m = (Map<?, ?>) json;
        if (m.size() != 1) {
            throw new IllegalArgumentException("a value is {type: text}, got " + m);
        }
        Map.Entry<?, ?> e = m.entrySet().iterator().next();
        Object a = e.getValue();
        return switch ((String) e.getKey()) {
            case "string" -> Value.of((String) a);
            case "decimal" -> Value.of(new BigDecimal((String) a));
            case "long" -> Value.of(Long.parseLong((String) a));
            case "boolean" -> Value.of((Boolean) a);
            case "date" -> Value.of(LocalDate.parse((String) a));
            case "dateTime" -> Value.of(LocalDateTime.parse((String) a));
            case "instant" -> Value.of(OffsetDateTime.parse((String) a).toInstant());
            case "ref" -> Value.ref(new ObjectKey((String) ((List<?>) a).get(0), (String) ((List<?>) a).get(1)));
            case "enum" -> Value.enumValue((String) ((List<?>) a).get(0), (String) ((List<?>) a).get(1));
            case "binary" -> Value.binary(Base64.getDecoder().decode((String) a));
            default -> throw new IllegalArgumentException("unknown value type " + e.getKey());
        };
    }

    private static byte[] sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
