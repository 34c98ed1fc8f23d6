package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.UnixFd;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seam for the seed's failure on real QEMU: wraps the listener a frame source registers and
 * answers each {@code ScanoutMap} only after a delay. The source's own handler runs first (so it
 * accepts the map); the reply leaves when this returns, after QEMU stopped waiting. Everything
 * else passes straight through. No SDK code changes for it: a frame source takes any {@link
 * ListenerRegistrar}.
 */
final class LateMapReply implements ConsoleListener {
    private final ConsoleListener target;
    private final Duration delay;
    private final AtomicInteger maps;

    private LateMapReply(ConsoleListener target, Duration delay, AtomicInteger maps) {
        this.target = target;
        this.delay = delay;
        this.maps = maps;
    }

    /**
     * A registrar registering through {@code inner} with every listener wrapped.
     *
     * @param inner the real registrar (e.g. {@code console::registerListener})
     * @param delay how long each ScanoutMap reply is held back
     * @param maps counts the ScanoutMap calls received
     * @return the registrar
     */
    static ListenerRegistrar around(ListenerRegistrar inner, Duration delay, AtomicInteger maps) {
        return (listener, features) -> inner.register(new LateMapReply(listener, delay, maps), features);
    }

    @Override
    public void scanoutMap(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat) {
        maps.incrementAndGet();
        target.scanoutMap(memfd, offset, width, height, stride, pixmanFormat);
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void scanout(int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
        target.scanout(width, height, stride, pixmanFormat, data);
    }

    @Override
    public void update(int x, int y, int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
        target.update(x, y, width, height, stride, pixmanFormat, data);
    }

    @Override
    public void updateMap(int x, int y, int width, int height) {
        target.updateMap(x, y, width, height);
    }

    @Override
    public void scanoutDmabuf(DmabufScanout scanout) {
        target.scanoutDmabuf(scanout);
    }

    @Override
    public void updateDmabuf(int x, int y, int width, int height) {
        target.updateDmabuf(x, y, width, height);
    }

    @Override
    public void disable() {
        target.disable();
    }

    @Override
    public void mouseSet(int x, int y, boolean visible) {
        target.mouseSet(x, y, visible);
    }

    @Override
    public void cursorDefine(int width, int height, int hotX, int hotY, ByteBuffer argb) {
        target.cursorDefine(width, height, hotX, hotY, argb);
    }

    @Override
    public void disconnected(String reason) {
        target.disconnected(reason);
    }
}
