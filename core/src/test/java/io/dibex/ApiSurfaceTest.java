package io.dibex;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ApiSurfaceTest {

    @Test
    @DisplayName("the core module exports only its API packages, never its internals")
    void exportsOnlyApiPackages() throws URISyntaxException {
        Path classes = Path.of(Node.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor core = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        Set<String> exported = core.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(core.name()).isEqualTo("io.dibex.core");
        assertThat(exported).containsExactlyInAnyOrder("io.dibex", "io.dibex.model", "io.dibex.spi",
                "io.dibex.codec", "io.dibex.memory");
        assertThat(core.requires()).extracting(ModuleDescriptor.Requires::name).containsExactly("java.base");
    }
}
