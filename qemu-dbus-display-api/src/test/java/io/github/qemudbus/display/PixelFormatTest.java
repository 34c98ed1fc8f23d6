package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pixel formats against the codes Linux (drm_fourcc.h) and pixman define; no QEMU needed. */
class PixelFormatTest {

    @Test
    void fourccCodesAreDrmsAndMapBack() {
        // DRM_FORMAT_* from linux/drm_fourcc.h, as QEMU's ScanoutDMABUF and ScanoutMap send them
        assertEquals(Optional.of(PixelFormat.XRGB8888), PixelFormat.fromFourcc(0x34325258)); // 'XR24'
        assertEquals(Optional.of(PixelFormat.ARGB8888), PixelFormat.fromFourcc(0x34325241)); // 'AR24'
        assertEquals(Optional.of(PixelFormat.XBGR8888), PixelFormat.fromFourcc(0x34324258)); // 'XB24'
        assertEquals(Optional.of(PixelFormat.ABGR8888), PixelFormat.fromFourcc(0x34324241)); // 'AB24'
        assertEquals(Optional.of(PixelFormat.RGB565), PixelFormat.fromFourcc(0x36314752)); // 'RG16'
        assertEquals(Optional.of(PixelFormat.XRGB1555), PixelFormat.fromFourcc(0x35315258)); // 'XR15'
        for (PixelFormat f : PixelFormat.values()) {
            assertEquals(Optional.of(f), PixelFormat.fromFourcc(f.fourcc()), f.name());
            assertEquals(Optional.of(f), PixelFormat.fromPixman(f.pixmanCode()), f.name());
        }
    }

    @Test
    void unknownCodesAreEmptyNotAGuess() {
        assertEquals(Optional.empty(), PixelFormat.fromFourcc(0x3231564e)); // 'NV12': YUV, not for CPU readers
        assertEquals(Optional.empty(), PixelFormat.fromFourcc(0));
        assertEquals(Optional.empty(), PixelFormat.fromFourcc(PixelFormat.XRGB8888.pixmanCode()), "pixman is not fourcc");
        assertEquals(Optional.empty(), PixelFormat.fromPixman(PixelFormat.XRGB8888.fourcc()), "fourcc is not pixman");
    }

    @Test
    void onlyTheAFormatsHaveAlpha() {
        for (PixelFormat f : PixelFormat.values()) {
            assertEquals(f.name().startsWith("A"), f.hasAlpha(), f.name());
        }
        assertTrue(PixelFormat.ARGB8888.hasAlpha());
        assertFalse(PixelFormat.XRGB8888.hasAlpha());
    }
}
