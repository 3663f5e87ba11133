package io.dibex.xml.file;

import io.dibex.codec.MessageCodec;
import io.dibex.spi.Storage;
import io.dibex.spi.Transport;
import io.dibex.tck.ExchangeScenarios;
import io.dibex.tck.NetworkConfig;
import io.dibex.xml.XmlCodec;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's exchange scenarios with every message written to, claimed from and removed from a
 * folder, as zip files of the v8msg dialect.
 *
 * <p>Two scenarios cannot run here: {@code duplicateChangesNothing} has the lossy transport deliver
 * the same message twice and expects two copies to wait, and
 * {@code olderAcknowledgmentIsNotARestore} needs a restored node's repeated numbers to reach its
 * peer, which a newer message in the folder replaces before they are read; a folder keeps only the newest message
 * per (sender, recipient) by design (SPEC §4), so the second copy replaces the first. The harness
 * has no opt-out for that, so {@link KeepsOneMessagePerPair} skips it with the reason;
 * {@code FileTransportTest} covers a redelivered file instead.
 */
@ExtendWith(FileScenariosTest.KeepsOneMessagePerPair.class)
class FileScenariosTest extends ExchangeScenarios {

    /** Skips the scenarios that need two waiting copies of one pair's message. */
    static final class KeepsOneMessagePerPair implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            boolean duplicates = context.getTestMethod().map(Method::getName)
                    .filter(n -> n.equals("duplicateChangesNothing") || n.equals("olderAcknowledgmentIsNotARestore"))
                    .isPresent();
            return duplicates
                    ? ConditionEvaluationResult.disabled("a folder keeps only the newest message per pair (SPEC §4):"
                            + " two waiting copies of one message cannot exist; see FileTransportTest")
                    : ConditionEvaluationResult.enabled("runs over files as over memory");
        }
    }

    @TempDir
    Path folder;

    private final AtomicInteger networks = new AtomicInteger();

    @Override
    protected NetworkConfig config() {
        NetworkConfig memory = NetworkConfig.inMemory(XmlCodec.v8msg());
        return new NetworkConfig() {
            @Override
            public String name() {
                return "files/zip/xml-v8msg";
            }

            @Override
            public Storage newStorage(String node) {
                return memory.newStorage(node);
            }

            @Override
            public Storage copy(Storage storage) {
                return memory.copy(storage);
            }

            @Override
            public void checkClosed(Storage storage) {
                memory.checkClosed(storage);
            }

            /** Each network (a scenario may build a second one) exchanges through a folder of its own. */
            @Override
            public Transport newTransport() {
                return FileTransport.builder(folder.resolve("network-" + networks.incrementAndGet())).compress(true)
                        .build();
            }

            @Override
            public MessageCodec codec() {
                return memory.codec();
            }
        };
    }
}
