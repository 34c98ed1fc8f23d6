package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sends every viewer a {@code stats} message (its console's frame path, rate, frames and
 * conversion time, its own input counters and encoder figures) and asks libwebrtc for the
 * encoder figures that go out with the next one. Runs on the bridge's timer, every 2 s.
 */
final class StatsReporter {
    private final ServedVms vms;
    private final Viewers viewers;

    StatsReporter(ServedVms vms, Viewers viewers) {
        this.vms = vms;
        this.viewers = viewers;
    }

    void report() {
        long now = System.nanoTime();
        for (ConsoleStream c : vms.allConsoles()) {
            c.stats().sample(now);
        }
        for (ViewerSession v : viewers.all()) {
            ConsoleStream c = v.stream();
            if (!c.audience().contains(v)) {
                continue; // still answering its offer, or leaving
            }
            ObjectNode m = Protocol.out("stats");
            m.put("path", c.state().path());
            m.put("fps", c.stats().sample(now));
            m.put("frames", c.stats().framesPushed());
            m.put("convertMs", c.stats().convertMs());
            m.put("viewers", c.audience().viewerCount());
            ArrayNode list = m.putArray("consoles");
            ServedVm vm = vms.owner(c);
            if (vm != null) {
                vm.consoles().ids().forEach(list::add);
            }
            v.addCounters(m);
            v.send(Protocol.bytes(m));
            v.requestEncoderStats(); // lands before the next tick
        }
    }
}
