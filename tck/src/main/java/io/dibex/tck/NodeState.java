package io.dibex.tck;

import io.dibex.ExchangePlan;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Everything a node holds apart from its journal: objects, registrations, counters and
 * tombstones. Two equal states mean "nothing changed" in the sense of SPEC §3. A row's
 * {@link Registration#session() session} names the run of the node that registered it, not
 * anything it holds, and reads as 0 here: a node rebuilt on a copy of its store and doing the same
 * work holds the same state.
 *
 * @param objects every object by key
 * @param registrations every registration row by neighbour
 * @param peers the counters by neighbour
 * @param tombstones the keys of the tombstones held
 */
public record NodeState(
        Map<ObjectKey, DataObject> objects,
        Map<String, List<Registration>> registrations,
        Map<String, PeerState> peers,
        List<ObjectKey> tombstones) {

    /** Reads the committed state of {@code node} from {@code storage}. */
    public static NodeState read(ExchangePlan plan, String node, Storage storage) {
        try (StoreTransaction tx = storage.begin()) {
            Map<ObjectKey, DataObject> objects = new TreeMap<>();
            for (String kind : plan.kinds().keySet()) {
                try (Stream<DataObject> all = tx.objects().list(kind)) {
                    all.forEach(o -> objects.put(o.key(), o));
                }
            }
            Map<String, List<Registration>> regs = new LinkedHashMap<>();
            Map<String, PeerState> peers = new LinkedHashMap<>();
            for (String peer : plan.neighboursOf(node)) {
                try (Stream<Registration> rows = tx.exchange().registrations(peer)) {
                    regs.put(peer, rows.map(r -> new Registration(r.peer(), r.key(), r.digest(), r.firstSentNo(),
                            r.lastSentNo(), r.lastSentDigest(), r.rejected(), r.base(), r.seenNo()))
                            .collect(Collectors.toList()));
                }
                peers.put(peer, tx.exchange().peer(peer));
            }
            List<ObjectKey> tombstones;
            try (Stream<ObjectKey> keys = tx.exchange().tombstones()) {
                tombstones = keys.collect(Collectors.toList());
            }
            tx.commit();
            return new NodeState(java.util.Collections.unmodifiableMap(objects), regs, peers, tombstones);
        }
    }

    /** The total number of registration rows. */
    public long registrationCount() {
        return registrations.values().stream().mapToLong(List::size).sum();
    }
}
