package io.github.qemudbus.display.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.Chardev;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.dbus.DbusSpecs.Spec;
import io.github.qemudbus.display.internal.wire.MessageDecoders;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuInstall;
import io.github.qemudbus.testkit.RequiresQemu;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.freedesktop.dbus.Marshalling;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.interfaces.Introspectable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's D-Bus interfaces checked against each real QEMU (the default 10.0, Debian 12's 7.2,
 * Debian's 11.1).
 *
 * <p>QEMU's side: one paused VM per version ({@code -S}, nothing boots) with every kind of
 * object the display exports (VM, console with keyboard, mouse and touch, clipboard, audio on
 * {@code -audiodev dbus}, a {@code -chardev dbus} and a {@code -chardev vc}); every object under
 * {@code /org/qemu/Display1} is introspected ({@code org.freedesktop.DBus.Introspectable}). The
 * listener side (interfaces QEMU calls but the client serves) is not introspectable on a
 * running QEMU; it is read from the description QEMU's build generates from its {@code
 * ui/dbus-display1.xml} and ships with the same package ({@code interop/dbus-display.html} of
 * {@code qemu-system-common}), for 10.0 and 11.1. Debian 12's 7.2 ships no such page, so 7.2's
 * listener side is not checked (its server side is).
 *
 * <p>A member QEMU has and the SDK lacks, or a signature or property type that differs, fails,
 * unless {@link #ALLOWED} names it with the reason. On the newest QEMU (11.1), a member the
 * SDK declares and QEMU lacks fails too (older QEMUs lack newer members by nature).
 */
class InterfaceSignaturesTest {
    private static final Logger LOG = LoggerFactory.getLogger(InterfaceSignaturesTest.class);
    private static final String PREFIX = "org.qemu.Display1.";
    private static final String ROOT = "/org/qemu/Display1";

    /**
     * Deliberate gaps, each with its reason: an interface name, or interface and member joined
     * by a dot ({@code org.qemu.Display1.X.Member}).
     */
    static final Map<String, String> ALLOWED = Map.of(
            // the SDK runs on Linux; package-info says the Windows interfaces are not modelled
            PREFIX + "Listener.Win32.Map", "Windows-only shared memory (a HANDLE, not an fd): not modelled",
            PREFIX + "Listener.Win32.D3d11", "Windows-only Direct3D 11 textures: not modelled");

    /** The newest QEMU the matrix runs: SDK-only members fail only against it. */
    static final String NEWEST = "11.1";

    static QemuInstall install(String label) {
        return switch (label) {
            case "system" -> QemuInstall.system();
            case "7.2" -> QemuInstall.qemu72();
            case "11.1" -> QemuInstall.qemu111();
            default -> throw new IllegalArgumentException(label);
        };
    }

    /** Everything the display exports, on a VM that never runs. */
    static QemuFixture startPaused(QemuInstall q) {
        return q.fixture().vga(QemuFixture.Vga.STD).name("introspect").waitForGuest(false)
                .displayOptions("audiodev=snd0")
                .extraArgs("-S", "-audiodev", "dbus,id=snd0", "-machine", "pcspk-audiodev=snd0",
                        "-chardev", "dbus,id=plain,name=org.example.plain", "-serial", "chardev:plain",
                        "-chardev", "vc,id=vc0", "-serial", "chardev:vc0")
                .start();
    }

    /** Introspects every object under {@link #ROOT}: object path to its interfaces. */
    static Map<String, Map<String, Spec>> introspect(String address) throws Exception {
        Map<String, Map<String, Spec>> objects = new TreeMap<>();
        try (DBusConnection c = DBusConnectionBuilder.forAddress(address).withShared(false).build()) {
            Deque<String> todo = new ArrayDeque<>(List.of(ROOT));
            while (!todo.isEmpty()) {
                String path = todo.pop();
                String xml = c.getRemoteObject("org.qemu", path, Introspectable.class).Introspect();
                List<String> children = new ArrayList<>();
                Map<String, Spec> ifaces = DbusSpecs.fromIntrospection(xml, children);
                objects.put(path, ifaces);
                for (String child : children) {
                    todo.add(path + "/" + child);
                }
            }
        }
        return objects;
    }

    /**
     * Compares QEMU's interfaces with the SDK's.
     *
     * @param qemu QEMU's interfaces (only {@code org.qemu.Display1.*} are looked at)
     * @param sdk the SDK's interfaces
     * @param sdkOnlyFails whether an SDK member QEMU lacks is a problem
     * @return the problems, one line each
     */
    static List<String> compare(Map<String, Spec> qemu, Map<String, Spec> sdk, boolean sdkOnlyFails) {
        List<String> problems = new ArrayList<>();
        for (Spec q : qemu.values()) {
            if (!q.name().startsWith(PREFIX) || ALLOWED.containsKey(q.name())) {
                continue;
            }
            Spec s = sdk.get(q.name());
            if (s == null) {
                problems.add(q.name() + ": QEMU has it, the SDK has no interface for it");
                continue;
            }
            compareMembers(q.name(), "method", q.methods(), s.methods(), sdkOnlyFails, problems);
            compareMembers(q.name(), "property", q.properties(), s.properties(), sdkOnlyFails, problems);
        }
        return problems;
    }

    private static void compareMembers(String iface, String kind, Map<String, String> qemu, Map<String, String> sdk,
            boolean sdkOnlyFails, List<String> problems) {
        for (Map.Entry<String, String> e : qemu.entrySet()) {
            String key = iface + "." + e.getKey();
            if (ALLOWED.containsKey(key)) {
                continue;
            }
            String ours = sdk.get(e.getKey());
            if (ours == null) {
                problems.add(key + ": QEMU has " + kind + " " + e.getValue() + ", the SDK lacks it");
            } else if (!ours.equals(e.getValue())) {
                problems.add(key + ": QEMU's " + kind + " is " + e.getValue() + ", the SDK's " + ours);
            }
        }
        if (sdkOnlyFails) {
            for (String m : sdk.keySet()) {
                if (!qemu.containsKey(m) && !ALLOWED.containsKey(iface + "." + m)) {
                    problems.add(iface + "." + m + ": the SDK declares " + kind + " " + sdk.get(m)
                            + ", the newest QEMU has no such member");
                }
            }
        }
    }

    static Map<String, Spec> sdkSpecs() throws Exception {
        Map<String, Spec> out = new TreeMap<>();
        for (Class<?> c : DbusSpecs.sdkInterfaces().values()) {
            Spec s = DbusSpecs.fromSdk(c);
            out.put(s.name(), s);
        }
        return out;
    }

    @RequiresQemu
    @ParameterizedTest(name = "QEMU {0}")
    @ValueSource(strings = {"system", "7.2", "11.1"})
    void everyObjectQemuExportsMatchesTheSdk(String label) throws Exception {
        QemuInstall q = install(label);
        Map<String, Map<String, Spec>> objects;
        List<Chardev> chardevs;
        try (QemuFixture vm = startPaused(q)) {
            objects = introspect(vm.dbusAddress());
            try (QemuDisplay d = QemuDisplay.builder().address(vm.dbusAddress()).timeout(Duration.ofSeconds(20))
                    .connect()) {
                chardevs = d.chardevs();
            }
        }
        Map<String, Spec> merged = new TreeMap<>();
        for (Map.Entry<String, Map<String, Spec>> o : objects.entrySet()) {
            for (Spec s : o.getValue().values()) {
                Spec prev = merged.putIfAbsent(s.name(), s);
                // the same interface on two objects (Console_0, Console_1) must read the same
                assertTrue(prev == null || prev.equals(s), s.name() + " differs between objects: " + prev + " / " + s);
            }
        }
        Set<String> display = new TreeSet<>();
        merged.keySet().stream().filter(n -> n.startsWith(PREFIX)).forEach(display::add);
        LOG.info("QEMU {} ({}): objects {}, display interfaces {}", label, q.version(), objects.keySet(), display);
        // the VM exports what it was given: otherwise the comparison below would prove little
        for (String must : List.of("VM", "Console", "Keyboard", "Mouse", "Clipboard", "Audio", "Chardev")) {
            assertTrue(display.contains(PREFIX + must), "QEMU " + label + " exports no " + must + ": " + display);
        }
        List<String> problems = compare(merged, sdkSpecs(), label.equals(NEWEST));
        assertEquals(List.of(), problems, "QEMU " + q.version() + " against the SDK's interfaces");

        // the typed API reads VCEncoding exactly where QEMU exports it
        Map<String, Boolean> vcEncoding = new TreeMap<>();
        for (Map.Entry<String, Map<String, Spec>> o : objects.entrySet()) {
            if (o.getKey().startsWith(ROOT + "/Chardev_")) {
                vcEncoding.put(o.getKey().substring((ROOT + "/Chardev_").length()),
                        o.getValue().containsKey(ChardevVcEncoding.INTERFACE_NAME));
            }
        }
        Map<String, Boolean> typed = new TreeMap<>();
        chardevs.forEach(c -> typed.put(c.id(), c.encoding().isPresent()));
        assertEquals(vcEncoding, typed, "Chardev.encoding() present exactly where VCEncoding is exported");
        assertFalse(typed.get("plain"), "a -chardev dbus is no virtual console");
        assertEquals(label.equals("11.1"), typed.getOrDefault("vc0", false),
                "QEMU " + q.version() + ": VCEncoding on -chardev vc since 11.1");
    }

    /**
     * The page QEMU's package generated from its {@code dbus-display1.xml}.
     *
     * @return the HTML of {@code interop/dbus-display.html} beside this QEMU
     */
    static String qemuDoc(QemuInstall q) throws Exception {
        // usr/bin/qemu-system-x86_64 -> the tree's root ("/" for the default QEMU)
        Path root = q.binary().toAbsolutePath().getParent().getParent().getParent();
        Path page = root.resolve("usr/share/doc/qemu-system-common/interop/dbus-display.html");
        assertTrue(Files.isRegularFile(page), "no " + page + " (Debian's qemu-system-common ships it)");
        String html = Files.readString(page);
        assertEquals(q.version(), DbusSpecs.docVersion(html), page + " is for another QEMU than " + q.binary());
        return html;
    }

    /** The interfaces QEMU calls on the client's objects, which the SDK serves. */
    static final List<String> CLIENT_SIDE = List.of(PREFIX + "Listener", PREFIX + "Listener.Unix.Map",
            PREFIX + "Listener.Unix.ScanoutDMABUF2", PREFIX + "AudioOutListener", PREFIX + "AudioInListener");

    @RequiresQemu
    @ParameterizedTest(name = "QEMU {0}")
    @ValueSource(strings = {"system", "11.1"})
    void theListenerSideMatchesQemusOwnDescription(String label) throws Exception {
        QemuInstall q = install(label);
        Map<String, Spec> doc = DbusSpecs.fromQemuDoc(qemuDoc(q));
        Map<String, Spec> listenerSide = new TreeMap<>();
        doc.forEach((n, s) -> {
            if (n.startsWith(PREFIX + "Listener") || n.startsWith(PREFIX + "Audio") && n.endsWith("Listener")) {
                listenerSide.put(n, s);
            }
        });
        LOG.info("QEMU {} ({}) describes the client-side interfaces {}", label, q.version(), listenerSide.keySet());
        assertTrue(listenerSide.keySet().containsAll(
                label.equals("11.1") ? CLIENT_SIDE : CLIENT_SIDE.subList(0, 2)), listenerSide.keySet().toString());
        List<String> problems = new ArrayList<>(compare(listenerSide, sdkSpecs(), label.equals(NEWEST)));

        // what actually answers QEMU: the wire's decoder tables, with every extension announced
        Set<MessageDecoders.Key> decoded = new HashSet<>(MessageDecoders.console(
                List.of(MessageDecoders.MAP, MessageDecoders.DMABUF2)).keys());
        decoded.addAll(MessageDecoders.audioOut().keys());
        decoded.addAll(MessageDecoders.audioIn().keys());
        for (Spec s : listenerSide.values()) {
            if (ALLOWED.containsKey(s.name())) {
                continue;
            }
            s.methods().forEach((m, sig) -> {
                String in = sig.substring(1, sig.indexOf(')'));
                if (!ALLOWED.containsKey(s.name() + "." + m)
                        && !decoded.contains(new MessageDecoders.Key(s.name(), m, in))) {
                    problems.add(s.name() + "." + m + "(" + in + "): QEMU calls it, the listener's decoders lack it");
                }
            });
        }
        assertEquals(List.of(), problems, "QEMU " + q.version() + "'s listener side against the SDK's");
    }

    /** The parsers read what they should (a failing parser would make the comparisons empty). */
    @Test
    void parsersReadIntrospectionAndQemusPage() throws Exception {
        List<String> children = new ArrayList<>();
        Map<String, Spec> x = DbusSpecs.fromIntrospection("""
                <!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
                "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
                <node><interface name="a.B"><method name="M"><arg type="u" direction="in"/>
                <arg type="ay" direction="out"/></method><property type="as" name="P" access="read"/>
                </interface><node name="C_1"/></node>""", children);
        assertEquals(List.of("C_1"), children);
        assertEquals(Map.of("M", "(u)->(ay)"), x.get("a.B").methods());
        assertEquals(Map.of("P", "as:read"), x.get("a.B").properties());
        String page = "<dt class=\"sig sig-object dbus\" id=\"a.B.M\">\n<em class=\"property\"><span class=\"pre\">"
                + "method</span> </em><span class=\"sig-name descname\"><span class=\"pre\">M</span></span>"
                + "<span class=\"sig-paren\">(</span><em class=\"sig-param\"><span class=\"kt\"><span class=\"pre\">"
                + "u</span></span> <span class=\"n\"><span class=\"pre\">x</span></span></em><span class=\"sig-paren\">"
                + ")</span> <span class=\"sig-return\"><span class=\"kt\"><span class=\"pre\">s</span></span></span>"
                + "</dt>\n<dt class=\"sig sig-object dbus\" id=\"a.B.P\">\n<em class=\"property\"><span class=\"pre\">"
                + "property</span> </em><span class=\"kt\"><span class=\"pre\">u</span></span></dt>"
                + "<p>This documentation is for QEMU version 11.1.3.</p>";
        Map<String, Spec> d = DbusSpecs.fromQemuDoc(page);
        assertEquals(Map.of("M", "(u)->(s)"), d.get("a.B").methods());
        assertEquals(Map.of("P", "u:read"), d.get("a.B").properties());
        assertEquals("11.1.3", DbusSpecs.docVersion(page));
        // and the comparison reports each kind of gap
        Spec q = new Spec(PREFIX + "Vm", new TreeMap<>(Map.of("M", "(u)->()")), new TreeMap<>(Map.of("P", "s:read")));
        Spec s = new Spec(PREFIX + "Vm", new TreeMap<>(Map.of("M", "(i)->()", "Extra", "()->()")), new TreeMap<>());
        List<String> p = compare(Map.of(q.name(), q, PREFIX + "New", new Spec(PREFIX + "New")), Map.of(s.name(), s),
                true);
        assertEquals(4, p.size(), p.toString());
    }

    /** dbus-java puts on the wire what our own mapping says, and each interface names itself. */
    @Test
    void dbusJavaAgreesWithTheSdksDeclarations() throws Exception {
        Map<String, Class<?>> sdk = DbusSpecs.sdkInterfaces();
        assertTrue(sdk.size() >= 14, sdk.keySet().toString());
        for (Map.Entry<String, Class<?>> e : sdk.entrySet()) {
            Class<?> c = e.getValue();
            assertTrue(Modifier.isPublic(c.getModifiers()), c + " is public");
            assertEquals(e.getKey(), c.getField("INTERFACE_NAME").get(null), c.getSimpleName() + ".INTERFACE_NAME");
            assertNotNull(c.getAnnotation(DBusInterfaceName.class));
            for (Method m : c.getDeclaredMethods()) {
                if (m.isSynthetic() || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                assertEquals(DbusSpecs.sig(m.getGenericParameterTypes()),
                        Marshalling.getDBusType(m.getGenericParameterTypes()),
                        "dbus-java's signature of " + c.getSimpleName() + "." + m.getName());
                String out = DbusSpecs.sig(m.getGenericReturnType());
                if (!out.isEmpty()) {
                    assertEquals(out, String.join("", Marshalling.getDBusType(m.getGenericReturnType())),
                            "dbus-java's out-signature of " + c.getSimpleName() + "." + m.getName());
                }
            }
            for (DBusProperty p : c.getAnnotationsByType(DBusProperty.class)) {
                Type t = DbusSpecs.propertyType(p);
                assertEquals(DbusSpecs.sig(t), String.join("", Marshalling.getDBusType(t)),
                        "dbus-java's type of " + c.getSimpleName() + "." + p.name());
            }
        }
    }
}
