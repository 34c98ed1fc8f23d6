package io.github.qemudbus.display.doctor;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.PathChange;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Doctor} found out about one QEMU D-Bus display and one of its consoles:
 * immutable facts plus {@linkplain Finding findings}, each with a severity and a suggested
 * fix. {@link #toText()} renders it for people, {@link #toJson()} for tools.
 *
 * @param at when the examination started
 * @param target what was examined (a D-Bus address, a QMP socket, or "connected display")
 * @param console the console whose listener link and frames were examined
 * @param qemu QEMU itself: reachable, name, version, VM interfaces
 * @param consoles every console's properties (empty when QEMU was not reachable)
 * @param fdPassing whether Unix fd passing works on the listener link
 * @param frames the frame path QEMU chose and why, with the listener calls seen
 * @param updates the update rate seen over the observation window
 * @param mouse absolute or relative mouse
 * @param uiInfo whether {@code SetUIInfo} is supported
 * @param findings the conclusions, most severe first
 */
public record DoctorReport(Instant at, String target, int console, Qemu qemu, List<Console.ConsoleInfo> consoles,
        FdPassing fdPassing, Frames frames, Updates updates, MouseMode mouse, UiInfo uiInfo,
        List<Finding> findings) {

    /**
     * Creates the report; lists are copied, findings sorted most severe first (stable).
     *
     * @param at start time
     * @param target what was examined
     * @param console examined console
     * @param qemu QEMU facts
     * @param consoles console properties
     * @param fdPassing fd passing result
     * @param frames frame path result
     * @param updates update rate
     * @param mouse mouse mode
     * @param uiInfo SetUIInfo result
     * @param findings conclusions
     */
    public DoctorReport {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(qemu, "qemu");
        consoles = List.copyOf(consoles);
        findings = findings.stream().sorted((a, b) -> b.severity().compareTo(a.severity())).toList();
    }

    /** How much a finding matters, least to most. */
    public enum Severity {
        /** Works as well as it can. */
        OK,
        /** Worth knowing; nothing is broken. */
        INFO,
        /** Works, but slower or with less than it could. */
        WARNING,
        /** Does not work. */
        ERROR
    }

    /** What happened to Unix fd passing on the listener link. */
    public enum FdStatus {
        /** QEMU agreed to pass fds and did pass one (a shared-memory or DMA-BUF surface). */
        USED,
        /** QEMU agreed ({@code AGREE_UNIX_FD}) but sent no fd while observed (copies only). */
        NEGOTIATED,
        /** The link could not be set up with fd passing; a plain link was used instead. */
        REFUSED,
        /** Not examined (QEMU unreachable, no such console, or no link at all). */
        UNKNOWN
    }

    /** Result of trying {@code SetUIInfo}. */
    public enum UiInfoStatus {
        /** QEMU accepted it: the guest can follow a window's size (virtio-vga/virtio-gpu). */
        SUPPORTED,
        /** {@code org.qemu.Display1.Error.Unsupported}: the device has a fixed mode list (std VGA). */
        UNSUPPORTED,
        /** Another error. */
        FAILED,
        /** Not tried (no console, or its size was unknown). */
        NOT_TRIED
    }

    /**
     * QEMU itself.
     *
     * @param reachable whether the display answered
     * @param error why not, when not reachable (else null)
     * @param name the VM's {@code Name} ({@code -name}, or "QEMU x.y.z" when unnamed); null when unreachable
     * @param uuid the VM's UUID; null when unreachable
     * @param version QEMU's version ("7.2.22"), or null when it could not be told
     * @param versionSource where the version came from ("VM name; ...", "QMP query-version") or why it is
     *     unknown ("unknown: ...")
     * @param consoleIds the VM's console ids
     * @param vmInterfaces the VM's {@code Interfaces} (empty when absent)
     * @param interfacesProperties whether the {@code Interfaces} properties exist (QEMU 8.0+);
     *     seen on the consoles, which always list at least Keyboard and Mouse when they do
     */
    public record Qemu(boolean reachable, String error, String name, String uuid, String version,
            String versionSource, List<Integer> consoleIds, List<String> vmInterfaces, boolean interfacesProperties) {
        /**
         * Creates the value; lists are copied.
         *
         * @param reachable reachable
         * @param error error
         * @param name name
         * @param uuid uuid
         * @param version version
         * @param versionSource version source
         * @param consoleIds console ids
         * @param vmInterfaces VM interfaces
         * @param interfacesProperties Interfaces properties exist
         */
        public Qemu {
            consoleIds = List.copyOf(consoleIds);
            vmInterfaces = List.copyOf(vmInterfaces);
        }
    }

    /**
     * Unix fd passing on the listener link.
     *
     * @param status what happened
     * @param detail in words
     */
    public record FdPassing(FdStatus status, String detail) {
    }

    /**
     * The frame path of the examined console.
     *
     * @param path the path in use at the end (null when no surface arrived)
     * @param advertised the optional listener interfaces advertised by the last registration
     * @param registrations how many listener registrations the frame source made (more than one
     *     after a DMA-BUF fallback or an fd-passing failure)
     * @param changes every path change with its reason, as the SDK logged it
     * @param calls listener calls QEMU made, by D-Bus member ("Scanout", "Update", "ScanoutMap",
     *     "UpdateMap", "ScanoutDMABUF", "UpdateDMABUF", "Disable", "MouseSet", "CursorDefine")
     * @param refusals error replies the SDK sent, with their reasons
     * @param slowestReplyMillis the longest time a listener call took to answer, in ms
     * @param slowestCall the member of that call, or null
     * @param dmabufFourcc the DMA-BUF's fourcc as text, or null when no DMA-BUF arrived
     * @param dmabufModifier the DMA-BUF's modifier, or null
     * @param dmabufCpuReadable whether that modifier is CPU-readable (linear), or null
     * @param closeReason why the frame source stopped early (QEMU dropped the link...), or null
     */
    public record Frames(FramePath path, List<String> advertised, int registrations, List<PathChange> changes,
            Map<String, Long> calls, List<String> refusals, long slowestReplyMillis, String slowestCall,
            String dmabufFourcc, Long dmabufModifier, Boolean dmabufCpuReadable, String closeReason) {
        /**
         * Creates the value; collections are copied (call order kept).
         *
         * @param path path
         * @param advertised advertised interfaces
         * @param registrations registrations
         * @param changes path changes
         * @param calls calls by member
         * @param refusals refusals
         * @param slowestReplyMillis slowest reply
         * @param slowestCall slowest call
         * @param dmabufFourcc fourcc
         * @param dmabufModifier modifier
         * @param dmabufCpuReadable CPU-readable
         * @param closeReason close reason
         */
        public Frames {
            advertised = List.copyOf(advertised);
            changes = List.copyOf(changes);
            calls = Collections.unmodifiableMap(new LinkedHashMap<>(calls));
            refusals = List.copyOf(refusals);
        }

        /**
         * Calls of one member.
         *
         * @param member a D-Bus member name such as "ScanoutMap"
         * @return the count (0 when none)
         */
        public long calls(String member) {
            return calls.getOrDefault(member, 0L);
        }
    }

    /**
     * Screen updates over the observation window. QEMU only sends what the guest draws: an
     * idle guest gives 0.
     *
     * @param window the window's length
     * @param updates damage updates in the window
     * @param perSecond updates per second in the window
     * @param surfaces new surfaces (scanouts) in the window
     * @param pixelBytes bytes of pixels made available in the window
     * @param megabytesPerSecond the same per second, in MB (10^6 bytes)
     * @param errorReplies error replies since the listener was registered
     */
    public record Updates(Duration window, long updates, double perSecond, long surfaces, long pixelBytes,
            double megabytesPerSecond, long errorReplies) {
    }

    /**
     * The console's mouse.
     *
     * @param absolute true for absolute, false for relative, null when it could not be read
     * @param error why it could not be read, or null
     */
    public record MouseMode(Boolean absolute, String error) {
    }

    /**
     * {@code SetUIInfo} tried with the console's current size.
     *
     * @param status the outcome
     * @param detail in words (the error text when it failed)
     */
    public record UiInfo(UiInfoStatus status, String detail) {
    }

    /**
     * One conclusion.
     *
     * @param severity how much it matters
     * @param topic what it is about: "reachability", "version", "consoles", "fd-passing",
     *     "frame-path", "update-rate", "mouse" or "ui-info"
     * @param summary what was found, in words
     * @param fix what to do about it, or null when nothing needs doing
     */
    public record Finding(Severity severity, String topic, String summary, String fix) {
        /**
         * Creates the value.
         *
         * @param severity severity
         * @param topic topic
         * @param summary summary
         * @param fix fix or null
         */
        public Finding {
            Objects.requireNonNull(severity, "severity");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(summary, "summary");
        }
    }

    /**
     * The most severe finding's severity.
     *
     * @return {@link Severity#OK} when there are no findings
     */
    public Severity worst() {
        return findings.isEmpty() ? Severity.OK : findings.get(0).severity();
    }

    /**
     * The findings about one topic.
     *
     * @param topic for example "frame-path"
     * @return those findings, most severe first
     */
    public List<Finding> findings(String topic) {
        return findings.stream().filter(f -> f.topic().equals(topic)).toList();
    }

    /**
     * The report for people: facts first, then the findings with their fixes.
     *
     * @return multi-line text ending with a line break
     */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("QEMU D-Bus display doctor: ").append(target).append(", console ").append(console).append('\n');
        String pad = "  ";
        if (!qemu.reachable()) {
            line(sb, "QEMU", "not reachable: " + qemu.error());
        } else {
            line(sb, "QEMU", "reachable; Name '" + qemu.name() + "'; version "
                    + (qemu.version() == null ? qemu.versionSource() : qemu.version() + " (" + qemu.versionSource() + ")"));
            line(sb, "VM", "UUID " + qemu.uuid() + "; consoles " + qemu.consoleIds() + "; interfaces "
                    + (qemu.interfacesProperties() ? list(qemu.vmInterfaces()) : "n/a (no Interfaces properties)"));
            for (Console.ConsoleInfo c : consoles) {
                line(sb, "Console " + c.id(), c.label() + ", " + c.type() + ", " + c.width() + "x" + c.height()
                        + ", head " + c.head() + ", " + (c.deviceAddress().isEmpty() ? "no device" : c.deviceAddress())
                        + "; interfaces " + (qemu.interfacesProperties() ? list(shortNames(c.interfaces())) : "n/a"));
            }
        }
        if (fdPassing != null) {
            line(sb, "fd passing", fdPassing.status().name().toLowerCase(Locale.ROOT) + ": " + fdPassing.detail());
        }
        if (frames != null) {
            line(sb, "Frame path", (frames.path() == null ? "none (no surface)" : frames.path().id())
                    + "; advertised " + list(shortNames(frames.advertised()))
                    + (frames.registrations() > 1 ? "; " + frames.registrations() + " registrations" : ""));
            StringBuilder calls = new StringBuilder();
            frames.calls().forEach((k, v) -> calls.append(calls.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
            line(sb, "", "calls: " + (calls.length() == 0 ? "none" : calls) + "; slowest reply "
                    + frames.slowestReplyMillis() + " ms" + (frames.slowestCall() == null ? "" : " (" + frames.slowestCall() + ")"));
            if (frames.dmabufFourcc() != null) {
                line(sb, "", String.format(Locale.ROOT, "DMA-BUF %s, modifier 0x%016x (%s)", frames.dmabufFourcc(),
                        frames.dmabufModifier(), Boolean.TRUE.equals(frames.dmabufCpuReadable()) ? "linear, CPU-readable"
                                : "not CPU-readable"));
            }
            for (PathChange c : frames.changes()) {
                line(sb, "", (c.from() == null ? "none" : c.from().id()) + " -> " + c.to().id() + ": " + c.reason());
            }
            for (String r : frames.refusals()) {
                line(sb, "", "refused: " + r);
            }
            if (frames.closeReason() != null) {
                line(sb, "", "listener ended early: " + frames.closeReason());
            }
        }
        if (updates != null) {
            line(sb, "Updates", String.format(Locale.ROOT, "%d in %.1f s = %.1f/s, %.1f MB/s of pixels, %d new surface(s),"
                    + " %d error replies", updates.updates(), updates.window().toMillis() / 1000.0, updates.perSecond(),
                    updates.megabytesPerSecond(), updates.surfaces(), updates.errorReplies()));
        }
        if (mouse != null) {
            line(sb, "Mouse", mouse.absolute() == null ? "unknown: " + mouse.error()
                    : mouse.absolute() ? "absolute" : "relative");
        }
        if (uiInfo != null) {
            line(sb, "SetUIInfo", uiInfo.status().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + (uiInfo.detail() == null ? "" : ": " + uiInfo.detail()));
        }
        sb.append('\n').append("Findings (worst: ").append(worst()).append(")\n");
        for (Finding f : findings) {
            sb.append(pad).append('[').append(f.severity()).append("] ").append(f.topic()).append(": ")
                    .append(f.summary()).append('\n');
            if (f.fix() != null) {
                sb.append(pad).append(pad).append("fix: ").append(f.fix()).append('\n');
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, String text) {
        sb.append("  ").append(String.format(Locale.ROOT, "%-11s", label)).append(' ').append(text).append('\n');
    }

    private static String list(List<?> l) {
        return l.isEmpty() ? "none" : String.join(", ", l.stream().map(String::valueOf).toList());
    }

    private static List<String> shortNames(List<String> names) {
        return names.stream().map(n -> n.startsWith("org.qemu.Display1.") ? n.substring(18) : n).toList();
    }

    /**
     * The report as one JSON object (field names as in the records; durations in ms,
     * times in ISO-8601, enums in lower case).
     *
     * @return the JSON text
     */
    public String toJson() {
        return ReportJson.of(this);
    }
}
