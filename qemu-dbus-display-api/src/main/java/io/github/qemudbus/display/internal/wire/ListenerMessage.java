package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.PcmFormat;
import io.github.qemudbus.display.UnixFd;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One method call QEMU made on a listener object, decoded into its own typed value by
 * {@link MessageDecoders}: a {@link ConsoleMessage} on a console listener, an
 * {@link AudioMessage} on an audio listener. Byte buffers and descriptors inside are valid only
 * while the call is being handled (views of the receive buffer; descriptors closed afterwards).
 * The kinds are nested here so that the sealed hierarchy stays in one file.
 */
public sealed interface ListenerMessage {

    /**
     * The calls of {@code org.qemu.Display1.Listener} and its {@code Unix.Map} and
     * {@code Unix.ScanoutDMABUF2} extensions, one record per method, fields in the method's
     * argument order (validated: sizes are non-negative, descriptor indexes resolved).
     */
    sealed interface ConsoleMessage extends ListenerMessage {

        /**
         * {@code Listener.Scanout(uuuuay)}: a new surface, copied.
         *
         * @param width width
         * @param height height
         * @param stride bytes per row
         * @param pixmanFormat pixman format code
         * @param data the pixels
         */
        record Scanout(int width, int height, int stride, int pixmanFormat, ByteBuffer data) implements ConsoleMessage {
        }

        /**
         * {@code Listener.Update(iiiiuuay)}: a changed rectangle, copied.
         *
         * @param x left
         * @param y top
         * @param width width
         * @param height height
         * @param stride bytes per row
         * @param pixmanFormat pixman format code
         * @param data the pixels
         */
        record Update(int x, int y, int width, int height, int stride, int pixmanFormat, ByteBuffer data)
                implements ConsoleMessage {
        }

        /**
         * {@code Listener.Unix.Map.ScanoutMap(huuuuu)}: a new surface in shared memory.
         *
         * @param memfd the shared memory
         * @param offset byte offset of the first pixel
         * @param width width
         * @param height height
         * @param stride bytes per row
         * @param pixmanFormat pixman format code
         */
        record ScanoutMap(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat)
                implements ConsoleMessage {
        }

        /**
         * {@code Listener.Unix.Map.UpdateMap(iiii)}: damage on the shared surface.
         *
         * @param x left
         * @param y top
         * @param width width
         * @param height height
         */
        record UpdateMap(int x, int y, int width, int height) implements ConsoleMessage {
        }

        /**
         * {@code Listener.ScanoutDMABUF(huuuutb)}: a new single-plane DMA-BUF surface.
         *
         * @param fd the buffer
         * @param width width
         * @param height height
         * @param stride bytes per row
         * @param fourcc DRM fourcc
         * @param modifier DRM modifier
         * @param y0Top whether row 0 is the top row
         */
        record ScanoutDmabuf(UnixFd fd, int width, int height, int stride, int fourcc, long modifier, boolean y0Top)
                implements ConsoleMessage {
            /**
             * The same buffer as the API describes DMA-BUFs.
             *
             * @return one plane at offset 0, the whole buffer visible
             */
            public DmabufScanout toScanout() {
                return new DmabufScanout(List.of(new DmabufScanout.Plane(fd, 0, stride)), 0, 0, width, height, width,
                        height, fourcc, modifier, y0Top);
            }
        }

        /**
         * {@code Listener.Unix.ScanoutDMABUF2(ahuuuuauauuuuutb)}: a new multi-plane DMA-BUF surface.
         *
         * @param planes each plane's descriptor, offset and stride
         * @param x visible rectangle left
         * @param y visible rectangle top
         * @param width visible width
         * @param height visible height
         * @param fourcc DRM fourcc
         * @param backingWidth backing buffer width
         * @param backingHeight backing buffer height
         * @param modifier DRM modifier
         * @param y0Top whether row 0 is the top row
         */
        record ScanoutDmabuf2(List<DmabufScanout.Plane> planes, int x, int y, int width, int height, int fourcc,
                int backingWidth, int backingHeight, long modifier, boolean y0Top) implements ConsoleMessage {
            /**
             * Copies the plane list.
             *
             * @param planes planes
             * @param x x
             * @param y y
             * @param width width
             * @param height height
             * @param fourcc fourcc
             * @param backingWidth backing width
             * @param backingHeight backing height
             * @param modifier modifier
             * @param y0Top orientation
             */
            public ScanoutDmabuf2 {
                planes = List.copyOf(planes);
            }

            /**
             * The same buffer as the API describes DMA-BUFs.
             *
             * @return the scanout
             */
            public DmabufScanout toScanout() {
                return new DmabufScanout(planes, x, y, width, height, backingWidth, backingHeight, fourcc, modifier, y0Top);
            }
        }

        /**
         * {@code Listener.UpdateDMABUF(iiii)}: damage on the DMA-BUF surface.
         *
         * @param x left
         * @param y top
         * @param width width
         * @param height height
         */
        record UpdateDmabuf(int x, int y, int width, int height) implements ConsoleMessage {
        }

        /** {@code Listener.Disable()}: no surface until the next scanout. */
        record Disable() implements ConsoleMessage {
        }

        /**
         * {@code Listener.MouseSet(iii)}: the guest cursor moved or was shown or hidden.
         *
         * @param x column
         * @param y row
         * @param visible whether it is shown
         */
        record MouseSet(int x, int y, boolean visible) implements ConsoleMessage {
        }

        /**
         * {@code Listener.CursorDefine(iiiiay)}: a new cursor shape.
         *
         * @param width width
         * @param height height
         * @param hotX hot spot column
         * @param hotY hot spot row
         * @param argb the pixels
         */
        record CursorDefine(int width, int height, int hotX, int hotY, ByteBuffer argb) implements ConsoleMessage {
        }
    }

    /**
     * The calls of {@code org.qemu.Display1.AudioOutListener} and {@code AudioInListener}, one
     * record per method: the stream calls both share, {@link Write} (out) and {@link Read} (in).
     */
    sealed interface AudioMessage extends ListenerMessage {

        /**
         * The stream the call is about.
         *
         * @return QEMU's opaque stream id
         */
        long stream();

        /**
         * {@code Init(tybbuyuub)}: a stream opened.
         *
         * @param stream stream id
         * @param format its sample format
         */
        record Init(long stream, PcmFormat format) implements AudioMessage {
        }

        /**
         * {@code Fini(t)}: a stream closed.
         *
         * @param stream stream id
         */
        record Fini(long stream) implements AudioMessage {
        }

        /**
         * {@code SetEnabled(tb)}: a stream starts or pauses.
         *
         * @param stream stream id
         * @param enabled whether it runs
         */
        record SetEnabled(long stream, boolean enabled) implements AudioMessage {
        }

        /**
         * {@code SetVolume(tbay)}: volume or mute changed.
         *
         * @param stream stream id
         * @param mute whether it is muted
         * @param volume one level (0..255) per channel
         */
        record SetVolume(long stream, boolean mute, List<Integer> volume) implements AudioMessage {
            /**
             * Copies the levels.
             *
             * @param stream stream id
             * @param mute mute
             * @param volume levels
             */
            public SetVolume {
                volume = List.copyOf(volume);
            }
        }

        /**
         * {@code AudioOutListener.Write(tay)}: samples to play.
         *
         * @param stream stream id
         * @param pcm the samples
         */
        record Write(long stream, ByteBuffer pcm) implements AudioMessage {
        }

        /**
         * {@code AudioInListener.Read(tt)}: QEMU wants recorded samples; answered with {@code ay}.
         *
         * @param stream stream id
         * @param size bytes asked for, unsigned
         */
        record Read(long stream, long size) implements AudioMessage {
        }
    }
}
