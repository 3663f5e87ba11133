package io.dibex.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ExchangePlan;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.memory.InMemoryStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.Transport;
import java.math.BigDecimal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The embedding example of README.md, line for line, so that it keeps compiling and working. */
class ReadmeExampleTest {

    @Test
    @DisplayName("the README's embedding example moves a change and its acknowledgment")
    void readmeExampleWorks() {
        ExchangePlan plan = ExchangePlan.builder("Pharmacy")
                .central("Office")
                .node("Branch1", "Office")
                .kind(ObjectKind.catalog("Goods").field("Price", ValueType.DECIMAL).build())
                .build();
        Transport transport = new InMemoryTransport();
        Node office = Node.builder(plan, "Office").storage(new InMemoryStorage()).transport(transport).build();
        Node branch = Node.builder(plan, "Branch1").storage(new InMemoryStorage()).transport(transport).build();

        DataObject aspirin = DataObject.builder(ObjectKey.of("Goods", "aspirin"))
                .set("Price", Value.of(new BigDecimal("4.20"))).build();
        office.inTransaction(tx -> {
            tx.put(aspirin);
            return null;
        });

        office.exportTo("Branch1");
        branch.importAll();
        branch.exportTo("Office");
        office.importAll();

        java.util.Optional<DataObject> held = branch.inTransaction(tx -> tx.get(aspirin.key()));
        assertThat(held).contains(aspirin);
        assertThat(office.pendingRegistrations("Branch1")).isZero();
    }
}
