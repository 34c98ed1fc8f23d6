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

/** Which listener is current, and registering again, with a registrar that records calls. */
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
        Registrations regs = new Registrations("regs-test", r, why -> { });
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
        Registrations regs = new Registrations("regs-test", r, why -> { });
        ConsoleListener a = listener();
        assertThrows(IllegalStateException.class, () -> regs.open(a, Set.of()));
        assertFalse(regs.isCurrent(a));
    }

    @Test
    void replacingSwitchesTheCurrentListenerOffTheCallingThread() throws Exception {
        Recording r = new Recording();
        Registrations regs = new Registrations("regs-test", r, why -> { });
        ConsoleListener a = listener();
        ConsoleListener b = listener();
        regs.open(a, Set.of(ListenerFeature.FD_PASSING, ListenerFeature.DMABUF2));
        regs.replaceLater(a, b, Set.of());
        awaitSize(r.registered, 2);
        assertSame(b, r.registered.get(1));
        assertEquals(Set.of(), r.features.get(1));
        assertTrue(regs.isCurrent(b));
        assertFalse(regs.isCurrent(a), "the old listener's calls are stale now");
        // a second request for the replaced listener does nothing
        regs.replaceLater(a, listener(), Set.of());
        Thread.sleep(100);
        assertEquals(2, r.registered.size());
    }

    @Test
    void aFailedReRegistrationClosesTheSource() throws Exception {
        Recording r = new Recording();
        List<String> fatal = new CopyOnWriteArrayList<>();
        CountDownLatch called = new CountDownLatch(1);
        Registrations regs = new Registrations("regs-test", r, why -> {
            fatal.add(why);
            called.countDown();
        });
        ConsoleListener a = listener();
        regs.open(a, Set.of());
        r.failing = true;
        regs.replaceLater(a, listener(), Set.of());
        assertTrue(called.await(5, TimeUnit.SECONDS));
        assertEquals("registering the listener again (after a DMA-BUF failure) failed: no QEMU here", fatal.get(0));
    }

    @Test
    void noReplacementAfterClose() throws Exception {
        Recording r = new Recording();
        Registrations regs = new Registrations("regs-test", r, why -> { });
        ConsoleListener a = listener();
        regs.open(a, Set.of());
        regs.close();
        regs.replaceLater(a, listener(), Set.of());
        Thread.sleep(100);
        assertEquals(1, r.registered.size());
        assertNull(r.currentDuringRegister);
    }

    private static void awaitSize(List<?> l, int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (l.size() < n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(n, l.size());
    }
}
