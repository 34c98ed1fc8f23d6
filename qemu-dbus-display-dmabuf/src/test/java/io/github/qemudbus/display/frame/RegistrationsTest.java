package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which listener is current, with a registrar that records calls. */
class RegistrationsTest {
    /** A listener that ignores everything. */
    private static ConsoleListener listener() {
        return new ConsoleListener() {
        };
    }

    /** Records registrations; fails them while {@code failing} is set. */
    static final class Recording implements ListenerRegistrar {
        final List<ConsoleListener> registered = new CopyOnWriteArrayList<>();
        final List<Set<ListenerFeature>> features = new CopyOnWriteArrayList<>();
        volatile boolean failing;
        volatile Registrations target;
        volatile ConsoleListener currentDuringRegister;

        @Override
        public ListenerRegistration register(ConsoleListener l, Set<ListenerFeature> f) {
            if (target != null) {
                currentDuringRegister = target.isCurrent(l) ? l : null;
            }
            if (failing) {
                throw new IllegalStateException("no QEMU here");
            }
            registered.add(l);
            features.add(Set.copyOf(f));
            return null;
        }
    }

    @Test
    void theFirstListenerIsCurrentBeforeItsRegistrationReturns() {
        Recording r = new Recording();
        Registrations regs = new Registrations("regs-test", r);
        r.target = regs;
        ConsoleListener a = listener();
        regs.open(a, Set.of(ListenerFeature.FD_PASSING));
        assertSame(a, r.currentDuringRegister, "QEMU may call it while registration is in flight");
        assertTrue(regs.isCurrent(a));
        assertFalse(regs.isCurrent(listener()));
        assertFalse(regs.isCurrent(null));
        assertEquals(0, regs.errorReplies());
        regs.close();
        assertFalse(regs.isCurrent(a), "nothing is current after close");
    }

    @Test
    void aFailedFirstRegistrationLeavesNothingCurrent() {
        Recording r = new Recording();
        r.failing = true;
        Registrations regs = new Registrations("regs-test", r);
        ConsoleListener a = listener();
        assertThrows(IllegalStateException.class, () -> regs.open(a, Set.of()));
        assertFalse(regs.isCurrent(a));
    }
}
