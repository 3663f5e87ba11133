package io.dibex.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {

    private static final String HOLDS = "aspirin @4.50; bandage @2.75; sale-1-1; sale-2-1";
    private static final Pattern OFFICE_TO_BRANCH1 = Pattern.compile("Office   -> Branch1  message #(\\d+) ");

    @TempDir
    Path dir;

    @Test
    @DisplayName("the demo converges: every node ends with the same goods, prices and sales")
    void demoConverges() {
        String out = run(false);
        assertThat(out).contains("Office   " + HOLDS, "Branch1  " + HOLDS, "Branch2  " + HOLDS);
        assertThat(out).contains("Office   -> Branch1  message #1 acknowledges #0");
        assertThat(out).contains("no registration is left at any node");
        assertThat(out).contains(dir.toAbsolutePath().toString());
        assertThat(Files.exists(dir.resolve("Office.mv.db"))).isTrue();
    }

    @Test
    @DisplayName("run again on the same H2 files, the demo continues: message numbers go on from the last run")
    void secondRunContinuesNumbering() {
        List<Long> first = officeToBranch1(run(false));
        String again = run(false);
        List<Long> second = officeToBranch1(again);
        assertThat(first).isNotEmpty().startsWith(1L);
        assertThat(second).isNotEmpty();
        assertThat(second.get(0)).isEqualTo(first.get(first.size() - 1) + 1);
        assertThat(again).contains("Office   -> Branch1  last message sent #" + first.get(first.size() - 1) + ";");
        assertThat(again).contains("Office   " + HOLDS, "Branch1  " + HOLDS, "Branch2  " + HOLDS);
    }

    @Test
    @DisplayName("dibex.demo.fresh starts afresh: numbering begins again at 1")
    void freshStartsAgain() {
        run(false);
        List<Long> fresh = officeToBranch1(run(true));
        assertThat(fresh).startsWith(1L);
    }

    private String run(boolean fresh) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Demo demo = new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir, fresh)) {
            demo.run();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static List<Long> officeToBranch1(String out) {
        List<Long> numbers = new ArrayList<>();
        Matcher m = OFFICE_TO_BRANCH1.matcher(out);
        while (m.find()) {
            numbers.add(Long.parseLong(m.group(1)));
        }
        return numbers;
    }
}
