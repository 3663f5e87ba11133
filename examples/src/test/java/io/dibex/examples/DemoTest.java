package io.dibex.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DemoTest {

    @Test
    @DisplayName("the demo converges: every node ends with the same goods, prices and sales")
    void demoConverges() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        String holds = "aspirin @4.50; bandage @2.75; sale-1-1; sale-2-1";
        assertThat(out).contains("Office   " + holds, "Branch1  " + holds, "Branch2  " + holds);
        assertThat(out).contains("Office   -> Branch1  message #1 acknowledges #0");
        assertThat(out).contains("no registration is left at any node");
    }
}
