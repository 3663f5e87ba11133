package io.dibex;

import io.dibex.model.ObjectKey;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one reconciliation run between the central node and one of its children found and did
 * (SPEC §5), as the central node holds it: queryable there with {@link Node#reconciliations()}
 * from the moment the request is made, complete once the child's report has arrived.
 *
 * @param runId the run's id, carried by each of its control items
 * @param child the child of the central node reconciled (with its subtree)
 * @param from the first document date of the window
 * @param to the last document date of the window
 * @param state how far the run has come
 * @param started when the central node made the request
 * @param finished when the child's report arrived; empty before
 * @param officeListed how many documents of the child's subtree the request listed
 * @param childListed how many documents owned outside the subtree the child's echo listed
 * @param repairsToOffice the documents the child registered for the office as repairs: its own
 *     documents missing or different at the office, and deletions it holds tombstones for
 * @param repairsToChild the documents the office registered for the child as repairs: its own
 *     missing or different there, and those the child asked back
 * @param askedBack the documents of the child's subtree the child lacked and asked back
 * @param errors what could not be repaired, in words (for example a document asked back that the
 *     office does not hold either), from both sides
 */
public record ReconciliationReport(
        String runId,
        String child,
        LocalDate from,
        LocalDate to,
        State state,
        Instant started,
        Optional<Instant> finished,
        long officeListed,
        long childListed,
        List<ObjectKey> repairsToOffice,
        List<ObjectKey> repairsToChild,
        List<ObjectKey> askedBack,
        List<String> errors) {

    /** How far a run has come, in the order of SPEC §5's steps. */
    public enum State {
        /** Step 1: the office sent the request. */
        REQUESTED,
        /** Step 3: the office loaded the echo request and registered its repairs with the echo reply. */
        REPLIED,
        /** Step 4: the child loaded the echo reply and its report reached the office. */
        DONE
    }

    /** Copies the lists; rejects null. */
    public ReconciliationReport {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(child, "child");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(finished, "finished");
        repairsToOffice = List.copyOf(repairsToOffice);
        repairsToChild = List.copyOf(repairsToChild);
        askedBack = List.copyOf(askedBack);
        errors = List.copyOf(errors);
    }

    /** Whether the run is complete and found nothing it could not repair. */
    public boolean succeeded() {
        return state == State.DONE && errors.isEmpty();
    }

    /** A few lines for an operator: counts, then the keys and errors. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("reconciliation ").append(runId).append(" with ").append(child).append(", documents of ")
                .append(from).append(" to ").append(to).append(": ").append(state.name().toLowerCase(java.util.Locale.ROOT))
                .append('\n');
        sb.append("  listed: ").append(officeListed).append(" by the office, ").append(childListed)
                .append(" by ").append(child).append('\n');
        sb.append("  repairs to the office: ").append(repairsToOffice.size()).append(' ').append(repairsToOffice)
                .append('\n');
        sb.append("  repairs to ").append(child).append(": ").append(repairsToChild.size()).append(' ')
                .append(repairsToChild).append('\n');
        sb.append("  asked back: ").append(askedBack.size()).append(' ').append(askedBack).append('\n');
        sb.append("  errors: ").append(errors.isEmpty() ? "none" : String.join("; ", errors));
        return sb.toString();
    }
}
