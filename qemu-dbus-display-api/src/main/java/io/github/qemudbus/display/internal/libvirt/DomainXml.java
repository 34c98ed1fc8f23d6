package io.github.qemudbus.display.internal.libvirt;

import io.github.qemudbus.display.LibvirtException;
import io.github.qemudbus.display.LibvirtException.Reason;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Internal, not API: reads the D-Bus display out of a domain's live XML
 * ({@code <devices><graphics type='dbus' address='unix:path=...'/>} or {@code p2p='yes'}).
 */
public final class DomainXml {
    private DomainXml() {
    }

    /**
     * The domain's D-Bus display.
     *
     * @param domain the domain's name (for messages)
     * @param uri the connection URI (for messages)
     * @param xml the domain's live XML ({@code virsh dumpxml})
     * @return where the display is
     * @throws LibvirtException {@code NO_DBUS_GRAPHICS} when there is none; {@code FAILED} when the
     *     XML cannot be read or the display has neither an address nor p2p
     */
    public static DomainDisplay dbusGraphics(String domain, String uri, String xml) {
        List<Element> graphics = graphics(domain, xml);
        List<String> types = new ArrayList<>();
        for (int i = 0; i < graphics.size(); i++) {
            Element g = graphics.get(i);
            String type = g.getAttribute("type");
            types.add(type);
            if (!"dbus".equals(type)) {
                continue;
            }
            boolean p2p = "yes".equals(g.getAttribute("p2p"));
            String address = g.getAttribute("address");
            if (p2p) {
                return new DomainDisplay(domain, uri, i, null, true);
            }
            if (address.isEmpty()) {
                throw new LibvirtException(Reason.FAILED, domain, "domain '" + domain + "' (" + uri + ") has a D-Bus"
                        + " display but its live XML gives no bus address and no p2p='yes'", null);
            }
            return new DomainDisplay(domain, uri, i, address, false);
        }
        throw new LibvirtException(Reason.NO_DBUS_GRAPHICS, domain, "domain '" + domain + "' (" + uri + ") has no"
                + " D-Bus display: add <graphics type='dbus'/> to its <devices> (it has "
                + (types.isEmpty() ? "no <graphics>" : "graphics " + types) + ")", null);
    }

    private static List<Element> graphics(String domain, String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            Element root = b.parse(new InputSource(new StringReader(xml))).getDocumentElement();
            List<Element> out = new ArrayList<>();
            for (Element devices : children(root, "devices")) {
                out.addAll(children(devices, "graphics"));
            }
            return out;
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new LibvirtException(Reason.FAILED, domain, "cannot read the XML libvirt gave for domain '"
                    + domain + "': " + e.getMessage(), e);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && name.equals(e.getTagName())) {
                out.add(e);
            }
        }
        return out;
    }
}
