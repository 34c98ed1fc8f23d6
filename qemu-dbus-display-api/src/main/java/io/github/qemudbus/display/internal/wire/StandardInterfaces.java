package io.github.qemudbus.display.internal.wire;

import java.util.List;

/**
 * What every object on a listener link answers besides its own methods:
 * {@code org.freedesktop.DBus.Properties} (one read-only property, {@code Interfaces}),
 * {@code Peer} and {@code Introspectable}. QEMU reads {@code Interfaces} right after
 * authentication to learn which optional listener interfaces we serve.
 */
final class StandardInterfaces {
    static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    static final String PEER = "org.freedesktop.DBus.Peer";
    static final String INTROSPECTABLE = "org.freedesktop.DBus.Introspectable";

    private final String objectInterface;
    private final List<String> interfaces;

    /**
     * @param objectInterface the served object's main interface
     * @param interfaces the optional interfaces announced in {@code Interfaces}
     */
    StandardInterfaces(String objectInterface, List<String> interfaces) {
        this.objectInterface = objectInterface;
        this.interfaces = List.copyOf(interfaces);
    }

    /**
     * Answers a call on one of the standard interfaces, whatever its object path.
     *
     * @param iface the interface header
     * @param member the member
     * @param a the decoded arguments
     * @return the reply, or null when the call is not one of these
     * @throws IllegalArgumentException for an unknown property (an Invalid reply)
     * @throws UnsupportedOperationException for Properties.Set (an Unsupported reply)
     */
    Reply answer(String iface, String member, List<Object> a) {
        if (PROPERTIES.equals(iface)) {
            return properties(member, a);
        }
        if (PEER.equals(iface)) {
            if ("Ping".equals(member)) {
                return Reply.EMPTY;
            }
            if ("GetMachineId".equals(member)) {
                return Reply.string("00000000000000000000000000000000");
            }
        }
        if (INTROSPECTABLE.equals(iface) && "Introspect".equals(member)) {
            return Reply.string(introspection());
        }
        return null;
    }

    private Reply properties(String member, List<Object> a) {
        switch (member) {
            case "GetAll": {
                String ifc = (String) a.get(0);
                boolean ours = objectInterface.equals(ifc);
                return new Reply("a{sv}", w -> {
                    int mark = w.beginArray(8);
                    if (ours) {
                        w.align(8);
                        w.putString("Interfaces");
                        w.putSignature("as");
                        w.putStringArray(interfaces);
                    }
                    w.endArray(mark, 8);
                });
            }
            case "Get": {
                if (objectInterface.equals(a.get(0)) && "Interfaces".equals(a.get(1))) {
                    return new Reply("v", w -> {
                        w.putSignature("as");
                        w.putStringArray(interfaces);
                    });
                }
                throw new IllegalArgumentException("no property " + a.get(0) + "." + a.get(1));
            }
            default:
                throw new UnsupportedOperationException("properties are read-only");
        }
    }

    private String introspection() {
        StringBuilder sb = new StringBuilder("<node><interface name=\"").append(objectInterface).append("\">")
                .append("<property name=\"Interfaces\" type=\"as\" access=\"read\"/></interface>");
        for (String i : interfaces) {
            sb.append("<interface name=\"").append(i).append("\"/>");
        }
        return sb.append("</node>").toString();
    }
}
