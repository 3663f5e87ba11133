package io.dibex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExchangePlanTest {

    private static final ObjectKind SALE = ObjectKind.document("Sale").build();

    private static ExchangePlan.Builder tree() {
        return ExchangePlan.builder("Trade").central("C").node("B1", "C").node("B2", "C").node("B11", "B1")
                .kind(ObjectKind.catalog("Item").build()).kind(SALE);
    }

    private static DataObject sale(String owner) {
        return DataObject.builder(ObjectKey.of("Sale", "s-" + owner)).set("Owner", owner).build();
    }

    @Test
    @DisplayName("the tree gives each node its parent, children and subtree")
    void treeShape() {
        ExchangePlan plan = tree().build();
        assertThat(plan.central()).isEqualTo("C");
        assertThat(plan.neighboursOf("B1")).containsExactly("C", "B11");
        assertThat(plan.neighboursOf("C")).containsExactly("B1", "B2");
        assertThat(plan.subtreeOf("B1")).containsExactlyInAnyOrder("B1", "B11");
        assertThat(plan.areNeighbours("B11", "C")).isFalse();
        assertThat(plan.isParentOf("B1", "B11")).isTrue();
        assertThat(plan.parentOf("C")).isEmpty();
    }

    @Test
    @DisplayName("an object goes to a neighbour when it is routed to some node on that neighbour's side (R9)")
    void routingBySide() {
        ExchangePlan plan = tree().routing((o, node) -> node.equals("C") || o.text("Owner").orElse("").equals(node))
                .build();
        DataObject ofB11 = sale("B11");
        assertThat(plan.goesTo(ofB11, "C", "B1")).as("B11 is in B1's subtree").isTrue();
        assertThat(plan.goesTo(ofB11, "C", "B2")).isFalse();
        assertThat(plan.goesTo(ofB11, "B11", "B1")).as("the central node is on the parent's side").isTrue();
        assertThat(plan.goesTo(sale("B2"), "B1", "B11")).isFalse();
        assertThat(plan.goesTo(sale("B2"), "B1", "C")).isTrue();
    }

    @Test
    @DisplayName("a one-way kind travels only its way (R9)")
    void oneWayKinds() {
        ExchangePlan plan = ExchangePlan.builder("P").central("C").node("B", "C")
                .kind(ObjectKind.catalog("Down").direction(ObjectKind.Direction.DOWN_ONLY).build())
                .kind(ObjectKind.catalog("Up").direction(ObjectKind.Direction.UP_ONLY).build()).build();
        DataObject down = DataObject.builder(ObjectKey.of("Down", "1")).build();
        DataObject up = DataObject.builder(ObjectKey.of("Up", "1")).build();
        assertThat(plan.goesTo(down, "C", "B")).isTrue();
        assertThat(plan.goesTo(down, "B", "C")).isFalse();
        assertThat(plan.goesTo(up, "C", "B")).isFalse();
        assertThat(plan.goesTo(up, "B", "C")).isTrue();
    }

    @Test
    @DisplayName("a malformed tree or name is refused when the plan is built")
    void badPlansAreRefused() {
        assertThatThrownBy(() -> ExchangePlan.builder("P").node("B", "C")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be added first");
        assertThatThrownBy(() -> ExchangePlan.builder("P").central("C").node("C", "C"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has node C");
        assertThatThrownBy(() -> ExchangePlan.builder("P").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no central node");
        assertThatThrownBy(() -> ExchangePlan.builder("P").central("../etc"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree().kind(SALE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has kind Sale");
        assertThat(tree().build().nodes()).isEqualTo(Set.of("C", "B1", "B2", "B11"));
    }

    @Test
    @DisplayName("a sequence names documents the plan declares, once; a sequence without kinds is refused (R14)")
    void sequencesNameDeclaredDocuments() {
        assertThatThrownBy(() -> tree().sequence(Sequence.builder("Main").kind("Item").build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Item");
        assertThatThrownBy(() -> tree().sequence(Sequence.builder("Main").kind("Nope").build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Nope");
        assertThatThrownBy(() -> Sequence.builder("Main").build()).isInstanceOf(IllegalArgumentException.class);
        Sequence main = Sequence.builder("Main").kind("Sale").centralOnly(true).build();
        assertThatThrownBy(() -> tree().sequence(main).sequence(main)).isInstanceOf(IllegalArgumentException.class);
        ExchangePlan plan = tree().sequence(main).build();
        assertThat(plan.sequences()).containsOnlyKeys("Main");
        assertThat(main.keptAt(plan, "C")).isTrue();
        assertThat(main.keptAt(plan, "B1")).isFalse();
    }
}
