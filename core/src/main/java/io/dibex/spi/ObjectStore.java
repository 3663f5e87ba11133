package io.dibex.spi;

import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The host's data, seen within one {@link StoreTransaction}. A host may implement it over its
 * own tables; the engine calls it to read states for export and to apply imported changes.
 *
 * <p>Contract, checked by the TCK ({@code io.dibex.tck.ObjectStoreContract}):
 * <ul>
 *   <li>{@link #get} returns exactly the state last {@link #put} in this transaction or
 *       committed before it began: equal by {@link DataObject#equals}, field order and decimal
 *       scale included.</li>
 *   <li>Changes are visible to other transactions only after commit; rollback undoes them.</li>
 *   <li>A host that cannot accept an object (a constraint, a validation rule) throws
 *       {@link io.dibex.ObjectRejectedException} from {@link #put} or {@link #delete}: the
 *       engine then rolls the import back and names the object (R6).</li>
 *   <li>Other failures are {@link io.dibex.StorageException}.</li>
 * </ul>
 */
public interface ObjectStore {

    /** The object with this key, if present. */
    Optional<DataObject> get(ObjectKey key);

    /**
     * The objects with these keys that are present. The engine loads export batches through
     * it; an implementation over a database should answer with one query.
     */
    default Map<ObjectKey, DataObject> getAll(Collection<ObjectKey> keys) {
        Map<ObjectKey, DataObject> found = new LinkedHashMap<>();
        for (ObjectKey key : keys) {
            get(key).ifPresent(o -> found.put(key, o));
        }
        return found;
    }

    /** Inserts or replaces the object with {@code object.key()}. */
    void put(DataObject object);

    /** Deletes the object; returns whether it was present. */
    boolean delete(ObjectKey key);

    /** Every object of a kind, in key order. The caller closes the stream. */
    Stream<DataObject> list(String kind);
}
