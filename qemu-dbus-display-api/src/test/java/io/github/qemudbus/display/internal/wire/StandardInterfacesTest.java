package io.github.qemudbus.display.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standard interfaces a listener object answers, without a link: Properties, Peer, Introspect. */
class StandardInterfacesTest {
    private final StandardInterfaces std = new StandardInterfaces("org.example.Obj", List.of("org.example.Extra"));

    /** Writes a reply's body and reads it back by its signature. */
    private static List<Object> body(Reply r) {
        WireWriter w = new WireWriter();
        r.body().accept(w);
        ByteBuffer b = w.flipped().order(ByteOrder.LITTLE_ENDIAN);
        return new WireReader(b, 0, 0, b.remaining()).readAll(r.signature());
    }

    @Test
    void getAllAnswersInterfacesForTheObjectsOwnInterfaceOnly() {
        Reply ours = std.answer(StandardInterfaces.PROPERTIES, "GetAll", List.of("org.example.Obj"));
        assertEquals("a{sv}", ours.signature());
        @SuppressWarnings("unchecked")
        List<Object> entries = (List<Object>) body(ours).get(0);
        Object[] entry = (Object[]) entries.get(0);
        assertEquals("Interfaces", entry[0]);
        assertEquals(List.of("org.example.Extra"), ((WireReader.Variant) entry[1]).value());
        Reply other = std.answer(StandardInterfaces.PROPERTIES, "GetAll", List.of("org.example.Other"));
        assertEquals(List.of(List.of()), body(other));
    }

    @Test
    void getAnswersTheOnePropertyAndRefusesTheRest() {
        Reply r = std.answer(StandardInterfaces.PROPERTIES, "Get", List.of("org.example.Obj", "Interfaces"));
        assertEquals(List.of("org.example.Extra"), ((WireReader.Variant) body(r).get(0)).value());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> std.answer(StandardInterfaces.PROPERTIES, "Get", List.of("org.example.Obj", "Width")));
        assertEquals("no property org.example.Obj.Width", e.getMessage());
        UnsupportedOperationException set = assertThrows(UnsupportedOperationException.class,
                () -> std.answer(StandardInterfaces.PROPERTIES, "Set", List.of()));
        assertEquals("properties are read-only", set.getMessage());
    }

    @Test
    void peerAndIntrospectionAndNothingElse() {
        assertSame(Reply.EMPTY, std.answer(StandardInterfaces.PEER, "Ping", List.of()));
        assertEquals(List.of("00000000000000000000000000000000"),
                body(std.answer(StandardInterfaces.PEER, "GetMachineId", List.of())));
        assertEquals(List.of("<node><interface name=\"org.example.Obj\"><property name=\"Interfaces\" type=\"as\""
                + " access=\"read\"/></interface><interface name=\"org.example.Extra\"/></node>"),
                body(std.answer(StandardInterfaces.INTROSPECTABLE, "Introspect", List.of())));
        assertNull(std.answer(StandardInterfaces.PEER, "Other", List.of()));
        assertNull(std.answer("org.example.Obj", "Ping", List.of()));
        assertNull(std.answer(null, "GetAll", List.of("org.example.Obj")));
    }
}
