package io.github.qemudbus.display.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.Marshalling;
import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.utils.Util;
import org.junit.jupiter.api.Test;

/**
 * Checks every interface against a table transcribed from QEMU's {@code ui/dbus-display1.xml}
 * (Unix variant, QEMU 10.1): interface name, each member's in/out signature, each property's
 * type. A member written as {@code Name(in)->(out)}; a property as {@code @Name:type}.
 */
class InterfaceSignaturesTest {

    private static final String TABLE = """
            Vm org.qemu.Display1.VM
              @Name:s @UUID:s @ConsoleIDs:au @Interfaces:as
            Console org.qemu.Display1.Console
              RegisterListener(h)->() SetUIInfo(qqiiuu)->()
              @Label:s @Head:u @Type:s @Width:u @Height:u @DeviceAddress:s @Interfaces:as
            Keyboard org.qemu.Display1.Keyboard
              Press(u)->() Release(u)->() @Modifiers:u
            Mouse org.qemu.Display1.Mouse
              Press(u)->() Release(u)->() SetAbsPosition(uu)->() RelMotion(ii)->() @IsAbsolute:b
            MultiTouch org.qemu.Display1.MultiTouch
              SendEvent(utdd)->() @MaxSlots:i
            Listener org.qemu.Display1.Listener
              Scanout(uuuuay)->() Update(iiiiuuay)->() ScanoutDMABUF(huuuutb)->() UpdateDMABUF(iiii)->()
              Disable()->() MouseSet(iii)->() CursorDefine(iiiiay)->() @Interfaces:as
            ListenerUnixMap org.qemu.Display1.Listener.Unix.Map
              ScanoutMap(huuuuu)->() UpdateMap(iiii)->()
            ListenerUnixScanoutDmabuf2 org.qemu.Display1.Listener.Unix.ScanoutDMABUF2
              ScanoutDMABUF2(ahuuuuauauuuuutb)->()
            Clipboard org.qemu.Display1.Clipboard
              Register()->() Unregister()->() Grab(uuas)->() Release(u)->() Request(uas)->(say) @Interfaces:as
            Audio org.qemu.Display1.Audio
              RegisterOutListener(h)->() RegisterInListener(h)->() @Interfaces:as
            AudioOutListener org.qemu.Display1.AudioOutListener
              Init(tybbuyuub)->() Fini(t)->() SetEnabled(tb)->() SetVolume(tbay)->() Write(tay)->() @Interfaces:as
            AudioInListener org.qemu.Display1.AudioInListener
              Init(tybbuyuub)->() Fini(t)->() SetEnabled(tb)->() SetVolume(tbay)->() Read(tt)->(ay) @Interfaces:as
            Chardev org.qemu.Display1.Chardev
              Register(h)->() SendBreak()->() @Name:s @FEOpened:b @Echo:b @Owner:s @Interfaces:as
            """;

    /** Parsed table: Java simple name to (interface name, members, properties). */
    private record Spec(String dbusName, Map<String, String> members, Map<String, String> props) {
    }

    private static Map<String, Spec> specs() {
        Map<String, Spec> specs = new LinkedHashMap<>();
        Spec current = null;
        for (String line : TABLE.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (!line.startsWith(" ")) {
                String[] p = line.trim().split(" ");
                current = new Spec(p[1], new TreeMap<>(), new TreeMap<>());
                specs.put(p[0], current);
                continue;
            }
            for (String tok : line.trim().split("\\s+")) {
                if (tok.startsWith("@")) {
                    String[] p = tok.substring(1).split(":");
                    current.props().put(p[0], p[1]);
                } else {
                    current.members().put(tok.substring(0, tok.indexOf('(')), tok.substring(tok.indexOf('(')));
                }
            }
        }
        return specs;
    }

    private static Class<?> type(String simpleName) throws ClassNotFoundException {
        return Class.forName(InterfaceSignaturesTest.class.getPackageName() + "." + simpleName);
    }

    /** Our own Java-to-D-Bus mapper, independent of dbus-java. */
    static String sig(Type t) {
        if (t == void.class || t == Void.class) {
            return "";
        }
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            return "a" + sig(p.getActualTypeArguments()[0]);
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                && Tuple.class.isAssignableFrom(raw)) {
            return sig(p.getActualTypeArguments()); // dbus-java only accepts parameterized tuples
        }
        if (t instanceof Class<?> c) {
            if (c == UInt16.class) {
                return "q";
            } else if (c == UInt32.class) {
                return "u";
            } else if (c == UInt64.class) {
                return "t";
            } else if (c == byte.class || c == Byte.class) {
                return "y";
            } else if (c == int.class || c == Integer.class) {
                return "i";
            } else if (c == double.class || c == Double.class) {
                return "d";
            } else if (c == boolean.class || c == Boolean.class) {
                return "b";
            } else if (c == String.class) {
                return "s";
            } else if (c == FileDescriptor.class) {
                return "h";
            } else if (c == byte[].class) {
                return "ay";
            }
        }
        throw new AssertionError("no D-Bus mapping for " + t);
    }

    private static String sig(Type[] types) {
        StringBuilder sb = new StringBuilder();
        for (Type t : types) {
            sb.append(sig(t));
        }
        return sb.toString();
    }

    @Test
    void everyInterfaceHasItsDBusName() throws Exception {
        for (Map.Entry<String, Spec> e : specs().entrySet()) {
            Class<?> c = type(e.getKey());
            assertTrue(c.isInterface() && Modifier.isPublic(c.getModifiers()), c + " public interface");
            assertTrue(DBusInterface.class.isAssignableFrom(c), c + " extends DBusInterface");
            DBusInterfaceName n = c.getAnnotation(DBusInterfaceName.class);
            assertNotNull(n, c + " has @DBusInterfaceName");
            assertEquals(e.getValue().dbusName(), n.value(), c.getSimpleName());
            Field f = c.getField("INTERFACE_NAME");
            assertEquals(n.value(), f.get(null), c.getSimpleName() + ".INTERFACE_NAME");
        }
    }

    @Test
    void methodSignaturesMatchTheXml() throws Exception {
        for (Map.Entry<String, Spec> e : specs().entrySet()) {
            Class<?> c = type(e.getKey());
            Map<String, String> actual = new TreeMap<>();
            for (Method m : c.getDeclaredMethods()) {
                if (m.isSynthetic() || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                String in = sig(m.getGenericParameterTypes());
                String out = sig(m.getGenericReturnType());
                String prev = actual.put(m.getName(), "(" + in + ")->(" + out + ")");
                assertEquals(null, prev, c.getSimpleName() + "." + m.getName() + " is overloaded");
                // dbus-java must derive the same in-signature (this is what it puts on the wire)
                assertEquals(in, Marshalling.getDBusType(m.getGenericParameterTypes()),
                        "dbus-java's signature of " + c.getSimpleName() + "." + m.getName());
                if (!out.isEmpty()) {
                    assertEquals(out, String.join("", Marshalling.getDBusType(m.getGenericReturnType())),
                            "dbus-java's out-signature of " + c.getSimpleName() + "." + m.getName());
                }
            }
            assertEquals(e.getValue().members(), actual, c.getSimpleName() + " members");
        }
    }

    @Test
    void propertiesMatchTheXml() throws Exception {
        for (Map.Entry<String, Spec> e : specs().entrySet()) {
            Class<?> c = type(e.getKey());
            Map<String, String> actual = new TreeMap<>();
            for (DBusProperty p : c.getAnnotationsByType(DBusProperty.class)) {
                Type t = org.freedesktop.dbus.TypeRef.class.isAssignableFrom(p.type())
                        ? Util.unwrapTypeRef(p.type()) : p.type();
                String s = sig(t);
                assertEquals(s, String.join("", Marshalling.getDBusType(t)), "dbus-java type of " + p.name());
                assertEquals(DBusProperty.Access.READ, p.access(), c.getSimpleName() + "." + p.name());
                actual.put(p.name(), s);
            }
            assertEquals(e.getValue().props(), actual, c.getSimpleName() + " properties");
        }
    }

    @Test
    void tableCoversEveryInterfaceOfThePackage() throws Exception {
        List<String> missing = new ArrayList<>();
        for (String n : List.of("Vm", "Console", "Keyboard", "Mouse", "MultiTouch", "Listener", "ListenerUnixMap",
                "ListenerUnixScanoutDmabuf2", "Clipboard", "Audio", "AudioOutListener", "AudioInListener",
                "Chardev")) {
            if (!specs().containsKey(n)) {
                missing.add(n);
            }
            type(n);
        }
        assertEquals(List.of(), missing);
        assertEquals(13, specs().size());
    }
}
