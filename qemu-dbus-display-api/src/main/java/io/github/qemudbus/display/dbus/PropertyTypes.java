package io.github.qemudbus.display.dbus;

import java.util.List;
import org.freedesktop.dbus.TypeRef;
import org.freedesktop.dbus.types.UInt32;

/**
 * Generic property types for {@link org.freedesktop.dbus.annotations.DBusProperty#type()},
 * which takes a {@code Class} and so cannot say {@code List<String>} directly. dbus-java
 * unwraps a {@link TypeRef} to its type argument when it writes introspection XML.
 */
public final class PropertyTypes {
    private PropertyTypes() {
    }

    /** D-Bus {@code as}: a list of strings (the {@code Interfaces} properties). */
    public interface StringList extends TypeRef<List<String>> {
    }

    /** D-Bus {@code au}: a list of 32-bit unsigned integers ({@code VM.ConsoleIDs}). */
    public interface UInt32List extends TypeRef<List<UInt32>> {
    }
}
