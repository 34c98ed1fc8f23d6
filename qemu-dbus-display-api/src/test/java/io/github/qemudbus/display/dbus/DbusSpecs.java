package io.github.qemudbus.display.dbus;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.TypeRef;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.utils.Util;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * D-Bus interface descriptions from three sources, in one form ({@link Spec}): QEMU's own
 * introspection XML, the HTML that QEMU's build generates from {@code ui/dbus-display1.xml}
 * ({@code interop/dbus-display.html} of Debian's {@code qemu-system-common}), and the SDK's
 * dbus-java interfaces (reflection, with a Java-to-D-Bus type mapping of our own).
 */
final class DbusSpecs {
    private DbusSpecs() {}

    /**
     * One interface: methods as {@code name -> (in)->(out)}, properties as {@code name -> type}.
     *
     * @param name the D-Bus interface name
     * @param methods methods
     * @param properties properties (all read-only in QEMU's display)
     */
    record Spec(String name, Map<String, String> methods, Map<String, String> properties) {
        Spec(String name) {
            this(name, new TreeMap<>(), new TreeMap<>());
        }
    }

    /**
     * Parses one object's introspection XML.
     *
     * @param xml what {@code org.freedesktop.DBus.Introspectable.Introspect} returned
     * @param children receives the child node names
     * @return the object's interfaces by name
     */
    static Map<String, Spec> fromIntrospection(String xml, List<String> children) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        Element root = b.parse(new InputSource(new StringReader(xml))).getDocumentElement();
        Map<String, Spec> out = new TreeMap<>();
        for (Element e : children(root, "node")) {
            children.add(e.getAttribute("name"));
        }
        for (Element i : children(root, "interface")) {
            Spec s = new Spec(i.getAttribute("name"));
            for (Element m : children(i, "method")) {
                StringBuilder in = new StringBuilder();
                StringBuilder outSig = new StringBuilder();
                for (Element a : children(m, "arg")) {
                    ("out".equals(a.getAttribute("direction")) ? outSig : in).append(a.getAttribute("type"));
                }
                s.methods().put(m.getAttribute("name"), "(" + in + ")->(" + outSig + ")");
            }
            for (Element p : children(i, "property")) {
                s.properties().put(p.getAttribute("name"), p.getAttribute("type") + ":" + p.getAttribute("access"));
            }
            for (Element sig : children(i, "signal")) {
                StringBuilder args = new StringBuilder();
                for (Element a : children(sig, "arg")) {
                    args.append(a.getAttribute("type"));
                }
                s.methods().put("signal " + sig.getAttribute("name"), "(" + args + ")");
            }
            out.put(s.name(), s);
        }
        return out;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> l = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            Node n = nl.item(i);
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                l.add(e);
            }
        }
        return l;
    }

    private static final Pattern DT = Pattern.compile(
            "<dt class=\"sig sig-object dbus\" id=\"([^\"]+)\">\\s*<em class=\"property\"><span class=\"pre\">"
                    + "(interface|method|property|signal)</span>(.*?)</dt>", Pattern.DOTALL);
    private static final Pattern TYPE = Pattern.compile("<span class=\"kt\"><span class=\"pre\">([^<]+)</span>");
    private static final Pattern DOC_VERSION = Pattern.compile("This documentation is for QEMU version ([0-9]+(?:\\.[0-9]+)*)");

    /**
     * The QEMU version a generated documentation page is for.
     *
     * @param html the page
     * @return e.g. {@code 11.1.3}, or null
     */
    static String docVersion(String html) {
        Matcher m = DOC_VERSION.matcher(html);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Parses QEMU's generated {@code dbus-display.html}: each interface, method (in-arguments
     * before the arrow, out-arguments after) and property.
     *
     * @param html the page
     * @return interfaces by name
     */
    static Map<String, Spec> fromQemuDoc(String html) {
        Map<String, Spec> out = new TreeMap<>();
        Matcher m = DT.matcher(html);
        while (m.find()) {
            String id = m.group(1);
            String kind = m.group(2);
            String body = m.group(3);
            if (kind.equals("interface")) {
                out.put(id, new Spec(id));
                continue;
            }
            String iface = id.substring(0, id.lastIndexOf('.'));
            String member = id.substring(id.lastIndexOf('.') + 1);
            Spec s = out.computeIfAbsent(iface, Spec::new);
            if (kind.equals("property")) {
                Matcher t = TYPE.matcher(body);
                s.properties().put(member, (t.find() ? t.group(1) : "?") + ":read");
                continue;
            }
            int arrow = body.indexOf("sig-return");
            String in = types(arrow < 0 ? body : body.substring(0, arrow));
            String ret = arrow < 0 ? "" : types(body.substring(arrow));
            s.methods().put(kind.equals("signal") ? "signal " + member : member,
                    kind.equals("signal") ? "(" + in + ")" : "(" + in + ")->(" + ret + ")");
        }
        return out;
    }

    private static String types(String fragment) {
        StringBuilder sb = new StringBuilder();
        Matcher t = TYPE.matcher(fragment);
        while (t.find()) {
            sb.append(t.group(1));
        }
        return sb.toString();
    }

    /**
     * Every dbus-java interface of the SDK's {@code io.github.qemudbus.display.dbus} package,
     * by D-Bus name.
     *
     * @return the SDK's interfaces
     */
    static Map<String, Class<?>> sdkInterfaces() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(Vm.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(Vm.class.getPackageName().replace('.', '/'));
        Map<String, Class<?>> out = new TreeMap<>();
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .forEach(names::add);
        }
        for (String n : names) {
            Class<?> c = Class.forName(Vm.class.getPackageName() + "." + n.substring(0, n.length() - 6));
            DBusInterfaceName a = c.getAnnotation(DBusInterfaceName.class);
            if (c.isInterface() && DBusInterface.class.isAssignableFrom(c) && a != null) {
                out.put(a.value(), c);
            }
        }
        return out;
    }

    /**
     * What a dbus-java interface declares.
     *
     * @param c the interface
     * @return its spec
     */
    static Spec fromSdk(Class<?> c) {
        Spec s = new Spec(c.getAnnotation(DBusInterfaceName.class).value());
        for (Method m : c.getDeclaredMethods()) {
            if (m.isSynthetic() || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            String prev = s.methods().put(m.getName(),
                    "(" + sig(m.getGenericParameterTypes()) + ")->(" + sig(m.getGenericReturnType()) + ")");
            if (prev != null) {
                throw new AssertionError(c.getSimpleName() + "." + m.getName() + " is overloaded");
            }
        }
        for (DBusProperty p : c.getAnnotationsByType(DBusProperty.class)) {
            s.properties().put(p.name(), sig(propertyType(p)) + ":" + (p.access() == DBusProperty.Access.READ ? "read"
                    : p.access() == DBusProperty.Access.WRITE ? "write" : "readwrite"));
        }
        return s;
    }

    static Type propertyType(DBusProperty p) {
        return TypeRef.class.isAssignableFrom(p.type()) ? Util.unwrapTypeRef(p.type()) : p.type();
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

    static String sig(Type[] types) {
        StringBuilder sb = new StringBuilder();
        for (Type t : types) {
            sb.append(sig(t));
        }
        return sb.toString();
    }
}
