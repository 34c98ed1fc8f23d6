package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

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
            adapt(c);
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
            m.put("repeats", c.stats().framesRepeated());
            double[] wait = c.stats().damageToPushMs();
            if (wait.length == 2) {
                m.put("damageToPushP50", wait[0]); // the pump's share of latency: pacing wait + copy + I420
                m.put("damageToPushP90", wait[1]);
            }
            String adapted = c.pump().adaptationText();
            if (adapted != null) {
                m.put("adapt", adapted); // the overlay's "adapted" line: what the encoders could not keep up with
            }
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

    /** Feeds the console's adaptation with its viewers' encoder figures and applies its scale to them. */
    private void adapt(ConsoleStream c) {
        List<Adaptation.EncoderSample> samples = new ArrayList<>();
        List<ViewerSession> watching = new ArrayList<>();
        for (ViewerSession v : viewers.all()) {
            if (v.stream() == c && c.audience().contains(v)) {
                watching.add(v);
                Adaptation.EncoderSample s = v.encoderSample();
                if (s != null) {
                    samples.add(s);
                }
            }
        }
        c.pump().adapt(samples);
        double scale = c.pump().scale();
        for (ViewerSession v : watching) {
            v.scaleVideo(scale);
        }
    }
}
