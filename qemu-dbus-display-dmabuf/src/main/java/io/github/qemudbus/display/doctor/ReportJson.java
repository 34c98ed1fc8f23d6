package io.github.qemudbus.display.doctor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.frame.PathChange;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link DoctorReport} as the JSON of {@code doctor --json}, with Jackson. The text is a
 * command-line contract, so its details are fixed: keys in this order, null members written,
 * doubles with at most three decimals (NaN and infinities as null), control characters and
 * U+2028/U+2029 escaped with lower-case hex.
 */
final class ReportJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setCharacterEscapes(new Escapes());
        JSON.getFactory().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    }

    private ReportJson() {
    }

    static String of(DoctorReport r) {
        ObjectNode j = NODES.objectNode();
        j.put("at", r.at().toString());
        j.put("target", r.target());
        j.put("console", r.console());
        j.put("worst", lower(r.worst()));
        DoctorReport.Qemu qemu = r.qemu();
        ObjectNode q = j.putObject("qemu");
        q.put("reachable", qemu.reachable());
        q.put("error", qemu.error());
        q.put("name", qemu.name());
        q.put("uuid", qemu.uuid());
        q.put("version", qemu.version());
        q.put("versionSource", qemu.versionSource());
        ArrayNode ids = q.putArray("consoleIds");
        qemu.consoleIds().forEach(ids::add);
        strings(q, "vmInterfaces", qemu.vmInterfaces());
        q.put("interfacesProperties", qemu.interfacesProperties());
        ArrayNode consoles = j.putArray("consoles");
        for (Console.ConsoleInfo c : r.consoles()) {
            ObjectNode o = consoles.addObject();
            o.put("id", c.id());
            o.put("label", c.label());
            o.put("type", c.type());
            o.put("width", c.width());
            o.put("height", c.height());
            o.put("head", c.head());
            o.put("deviceAddress", c.deviceAddress());
            strings(o, "interfaces", c.interfaces());
        }
        if (r.fdPassing() == null) {
            j.putNull("fdPassing");
        } else {
            ObjectNode o = j.putObject("fdPassing");
            o.put("status", lower(r.fdPassing().status()));
            o.put("detail", r.fdPassing().detail());
        }
        frames(j, r.frames());
        updates(j, r.updates());
        if (r.mouse() == null) {
            j.putNull("mouse");
        } else {
            ObjectNode o = j.putObject("mouse");
            o.put("absolute", r.mouse().absolute());
            o.put("error", r.mouse().error());
        }
        if (r.uiInfo() == null) {
            j.putNull("uiInfo");
        } else {
            ObjectNode o = j.putObject("uiInfo");
            o.put("status", lower(r.uiInfo().status()));
            o.put("detail", r.uiInfo().detail());
        }
        ArrayNode findings = j.putArray("findings");
        for (DoctorReport.Finding f : r.findings()) {
            ObjectNode o = findings.addObject();
            o.put("severity", lower(f.severity()));
            o.put("topic", f.topic());
            o.put("summary", f.summary());
            o.put("fix", f.fix());
        }
        try {
            return JSON.writeValueAsString(j);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the report as JSON", e); // a tree always renders
        }
    }

    private static void frames(ObjectNode j, DoctorReport.Frames frames) {
        if (frames == null) {
            j.putNull("frames");
            return;
        }
        ObjectNode o = j.putObject("frames");
        o.put("path", frames.path() == null ? null : frames.path().id());
        strings(o, "advertised", frames.advertised());
        o.put("registrations", frames.registrations());
        ArrayNode changes = o.putArray("changes");
        for (PathChange c : frames.changes()) {
            ObjectNode ch = changes.addObject();
            ch.put("from", c.from() == null ? null : c.from().id());
            ch.put("to", c.to().id());
            ch.put("reason", c.reason());
            ch.put("at", c.at().toString());
        }
        ObjectNode calls = o.putObject("calls");
        frames.calls().forEach(calls::put);
        strings(o, "refusals", frames.refusals());
        o.put("slowestReplyMs", frames.slowestReplyMillis());
        o.put("slowestCall", frames.slowestCall());
        o.put("dmabufFourcc", frames.dmabufFourcc());
        o.put("dmabufModifier", frames.dmabufModifier() == null ? null
                : String.format(Locale.ROOT, "0x%016x", frames.dmabufModifier()));
        o.put("dmabufCpuReadable", frames.dmabufCpuReadable());
        o.put("closeReason", frames.closeReason());
    }

    private static void updates(ObjectNode j, DoctorReport.Updates updates) {
        if (updates == null) {
            j.putNull("updates");
            return;
        }
        ObjectNode o = j.putObject("updates");
        o.put("windowMs", updates.window().toMillis());
        o.put("updates", updates.updates());
        o.set("perSecond", decimal(updates.perSecond()));
        o.put("surfaces", updates.surfaces());
        o.put("pixelBytes", updates.pixelBytes());
        o.set("megabytesPerSecond", decimal(updates.megabytesPerSecond()));
        o.put("errorReplies", updates.errorReplies());
    }

    private static void strings(ObjectNode o, String name, List<String> values) {
        ArrayNode a = o.putArray(name);
        values.forEach(a::add);
    }

    /** At most three decimals, at least one ("1.0", "0.333"); NaN and infinities have no JSON form: null. */
    static com.fasterxml.jackson.databind.JsonNode decimal(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return NODES.nullNode();
        }
        String s = String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", ".0");
        return NODES.numberNode(new BigDecimal(s));
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Control characters as {@code \u001f} (lower case, as before); U+2028/U+2029 escaped for JavaScript. */
    private static final class Escapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        Escapes() {
            for (int c = 0; c < 0x20; c++) {
                if (ascii[c] == ESCAPE_STANDARD) {
                    ascii[c] = ESCAPE_CUSTOM;
                }
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                return new SerializedString(String.format(Locale.ROOT, "\\u%04x", ch));
            }
            return null;
        }
    }
}
