package io.dibex.xml;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ModuleTest {

    @Test
    @DisplayName("the xml module exports only its API packages; Woodstox shows in no public type")
    void exportsOnlyApiPackages() throws URISyntaxException {
        Path classes = Path.of(XmlCodec.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor xml = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        Set<String> exported = xml.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());

        assertThat(xml.name()).isEqualTo("io.dibex.xml");
        assertThat(exported).containsExactlyInAnyOrder("io.dibex.xml", "io.dibex.xml.file");
        assertThat(xml.requires()).filteredOn(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .extracting(ModuleDescriptor.Requires::name).containsExactly("io.dibex.core");
    }
}
