package io.github.qemudbus.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.Vm;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code info}: the VM and its consoles as one JSON object. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "info (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI])",
        description = {"Prints the VM and its consoles as one JSON object.",
            "{\"vm\":{\"name\",\"uuid\"},\"consoles\":[{\"id\",\"label\",\"type\",\"width\",\"height\","
                + "\"deviceAddress\",\"interfaces\":[...]}]}"},
        sortOptions = false,
        footer = ExitCodes.FOOTER)
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connection;

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (QemuDisplay qemu = connection.connect()) {
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
        return ExitCodes.OK;
    }
}
