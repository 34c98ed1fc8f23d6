package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * {@code org.qemu.Display1.AudioOutListener}: the client side of guest audio playback. The
 * client implements it on {@value #OBJECT_PATH} of the connection registered with
 * {@link Audio#RegisterOutListener}; QEMU calls it. Since QEMU 7.0.
 *
 * <p>Property {@code Interfaces} ({@code as}, read-only, served by the client): extra
 * interfaces the client implements. Since QEMU 8.1.
 */
@DBusInterfaceName(AudioOutListener.INTERFACE_NAME)
@DBusProperty(name = "Interfaces", type = PropertyTypes.StringList.class, access = Access.READ)
public interface AudioOutListener extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.AudioOutListener";
    /** The object path QEMU calls on the listener connection. */
    String OBJECT_PATH = "/org/qemu/Display1/AudioOutListener";

    /**
     * {@code Init(t id, y bits, b is_signed, b is_float, u freq, y nchannels,
     * u bytes_per_frame, u bytes_per_second, b be)}: QEMU opens a PCM playback stream.
     * Since QEMU 7.0.
     *
     * @param id stream id, used by the other calls
     * @param bits bits per sample
     * @param isSigned whether samples are signed
     * @param isFloat whether samples are floating point
     * @param freq sample rate in Hz
     * @param nchannels channel count
     * @param bytesPerFrame bytes per frame (all channels)
     * @param bytesPerSecond bytes per second
     * @param be whether samples are big-endian
     */
    void Init(UInt64 id, byte bits, boolean isSigned, boolean isFloat, UInt32 freq, byte nchannels,
            UInt32 bytesPerFrame, UInt32 bytesPerSecond, boolean be);

    /**
     * {@code Fini(t id)}: QEMU closes the stream. Since QEMU 7.0.
     *
     * @param id stream id
     */
    void Fini(UInt64 id);

    /**
     * {@code SetEnabled(t id, b enabled)}: QEMU resumes or pauses the stream. Since QEMU 7.0.
     *
     * @param id stream id
     * @param enabled whether the stream plays
     */
    void SetEnabled(UInt64 id, boolean enabled);

    /**
     * {@code SetVolume(t id, b mute, ay volume)}: QEMU sets mute and per-channel volume.
     * Since QEMU 7.0.
     *
     * @param id stream id
     * @param mute whether the stream is muted
     * @param volume one unsigned byte (0..255) per channel
     */
    void SetVolume(UInt64 id, boolean mute, byte[] volume);

    /**
     * {@code Write(t id, ay data)}: QEMU delivers PCM data to play. Since QEMU 7.0.
     *
     * @param id stream id
     * @param data samples in the stream's format
     */
    void Write(UInt64 id, byte[] data);
}
