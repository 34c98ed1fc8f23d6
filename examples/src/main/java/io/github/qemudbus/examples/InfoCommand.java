package io.github.qemudbus.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.Vm;
import java.util.Set;

/** {@code info}: the VM and its consoles as one JSON object. */
final class InfoCommand implements Main.Command {
    @Override
    public String usage() {
        return "info (--address ADDR | --qmp PATH)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(argv, 1, Set.of("address", "qmp", "connect-timeout-ms"), Set.of());
        ObjectMapper json = new ObjectMapper();
        try (QemuDisplay qemu = a.connect()) {
            Vm vm = qemu.vm();
            ObjectNode root = json.createObjectNode();
            root.putObject("vm").put("name", vm.name()).put("uuid", vm.uuid());
            ArrayNode list = root.putArray("consoles");
            for (Console c : qemu.consoles()) {
                Console.ConsoleInfo i = c.info();
                ObjectNode n = list.addObject();
                n.put("id", i.id()).put("label", i.label()).put("type", i.type()).put("width", i.width())
                        .put("height", i.height()).put("deviceAddress", i.deviceAddress());
                ArrayNode ifs = n.putArray("interfaces");
                i.interfaces().forEach(ifs::add);
            }
            System.out.println(json.writeValueAsString(root));
        }
        return 0;
    }
}
