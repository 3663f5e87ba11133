package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PublicSurfaceTest {

    @Test
    @DisplayName("the package's public types are the ones a user names; the sketch internals stay package-private")
    void publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(DocumentDigests.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/dibex/checksum");
        Set<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> n.substring(0, n.length() - ".class".length())).collect(Collectors.toSet());
        }
        Set<String> visible = new TreeSet<>();
        for (String n : names) {
            Class<?> c = Class.forName("io.dibex.checksum." + n, false, getClass().getClassLoader());
            if (Modifier.isPublic(c.getModifiers()) && !c.isAnonymousClass()) {
                visible.add(n);
            }
        }
        assertThat(visible).containsExactlyInAnyOrder("DocumentDigests", "DocumentDigests$Entry",
                "DocumentDigests$Differences", "DocumentDigests$Comparison", "CompactReconciliation",
                "CompactReconciliation$Entries", "CompactReconciliation$Side", "CompactReconciliation$MessageType",
                "CompactReconciliation$Settings", "CompactReconciliation$Outcome", "CompactReconciliation$Step",
                "CompactReconciliation$Done", "CompactReconciliation$Reply", "CompactReconciliation$Message",
                "CompactReconciliation$Exchange", "CompactReconciliation$Office", "CompactReconciliation$Branch",
                "SketchFormatException");
    }
}
