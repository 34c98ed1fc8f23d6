package io.github.qemudbus.intruder;

import io.github.qemudbus.display.internal.wire.UnixSocket;

/** Uses a class of a package the SDK does not export. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        UnixSocket.closeFd(UnixSocket.pair()[0]);
    }
}
