package io.dibex.tck;

import io.dibex.ExchangePlan;
import io.dibex.ObjectKind;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.Set;

/**
 * The plans and objects the scenario suite uses: a central node {@code C} with branches
 * {@code B1} and {@code B2}, and {@code B11}, a branch of {@code B1}; a catalog of items and a
 * document of sales.
 */
public final class TestPlans {

    /** The catalog kind. */
    public static final String ITEM = "Item";
    /** The document kind. */
    public static final String SALE = "Sale";

    private TestPlans() {
    }

    /** The standard test plan, everything routed everywhere. */
    public static ExchangePlan trade() {
        return tradeBuilder("Trade").build();
    }

    /** A builder of the standard test plan under another name, to vary it. */
    public static ExchangePlan.Builder tradeBuilder(String name) {
        return ExchangePlan.builder(name)
                .central("C")
                .node("B1", "C")
                .node("B2", "C")
                .node("B11", "B1")
                .kind(ObjectKind.catalog(ITEM)
                        .field("Code", ValueType.STRING)
                        .field("Description", ValueType.STRING)
                        .field("Price", ValueType.DECIMAL)
                        .build())
                .kind(ObjectKind.document(SALE)
                        .field("Date", ValueType.DATE_TIME)
                        .field("Owner", ValueType.STRING)
                        .field("Amount", ValueType.DECIMAL)
                        .build());
    }

    /**
     * The standard test plan with routing: a sale goes to its owner (the node named in its
     * {@code Owner} field) and every node on the path from there to the central node; items go
     * everywhere. Sales map deletions to nothing special; use {@link #tradeBuilder} to vary.
     */
    public static ExchangePlan.Builder routedBuilder(String name) {
        Map<String, Set<String>> pathToCentral = Map.of(
                "C", Set.of("C"),
                "B1", Set.of("B1", "C"),
                "B2", Set.of("B2", "C"),
                "B11", Set.of("B11", "B1", "C"));
        return tradeBuilder(name).routing((object, node) -> !object.key().kind().equals(SALE)
                || pathToCentral.getOrDefault(object.text("Owner").orElse(""), Set.of()).contains(node));
    }

    /** The routed test plan. */
    public static ExchangePlan routed() {
        return routedBuilder("Trade").build();
    }

    /** The key of sale {@code id}. */
    public static ObjectKey saleKey(String id) {
        return ObjectKey.of(SALE, id);
    }

    /** The key of item {@code code}. */
    public static ObjectKey itemKey(String code) {
        return ObjectKey.of(ITEM, code);
    }

    /** An item with a description and a price. */
    public static DataObject item(String code, String description, String price) {
        return DataObject.builder(itemKey(code))
                .set("Code", code)
                .set("Description", description)
                .set("Price", Value.of(new BigDecimal(price)))
                .build();
    }

    /** A sale owned by {@code owner}, with one line. */
    public static DataObject sale(String id, String owner, String amount) {
        return DataObject.builder(ObjectKey.of(SALE, id))
                .set("Date", Value.of(LocalDateTime.of(2026, 1, 15, 10, 30)))
                .set("Owner", owner)
                .set("Amount", Value.of(new BigDecimal(amount)))
                .addRow("Lines", Row.of("Item", Value.ref(itemKey("A")), "Qty", Value.of(1L),
                        "Sum", Value.of(new BigDecimal(amount))))
                .build();
    }
}
