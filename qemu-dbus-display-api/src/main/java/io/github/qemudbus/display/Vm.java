package io.github.qemudbus.display;

import java.util.List;

/**
 * What {@code org.qemu.Display1.VM} (at {@code /org/qemu/Display1/VM}) says about the VM.
 *
 * @param name the VM's name ({@code -name}; QEMU 7.2 reports its own version here when unnamed)
 * @param uuid the VM's UUID
 * @param consoleIds ids of its consoles ({@code /org/qemu/Display1/Console_<id>})
 * @param interfaces extra interfaces on the VM object (empty before QEMU 8.x had the property)
 */
public record Vm(String name, String uuid, List<Integer> consoleIds, List<String> interfaces) {
    static final String INTERFACE = "org.qemu.Display1.VM";

    /**
     * Creates the value; lists are copied.
     *
     * @param name name
     * @param uuid UUID
     * @param consoleIds console ids
     * @param interfaces extra interfaces
     */
    public Vm {
        consoleIds = List.copyOf(consoleIds);
        interfaces = List.copyOf(interfaces);
    }
}
