/**
 * A QMP (QEMU Machine Protocol) client: {@code QmpClient}, {@code QmpException}, {@code QemuVersion}.
 * Results are Jackson trees, hence {@code requires transitive} on jackson-databind.
 */
module io.github.qemudbus.display.qmp {
    requires transitive com.fasterxml.jackson.databind;
    requires org.newsclub.net.unix;
    // the native library junixsocket loads (it reads it from this jar's resources)
    requires com.kohlschutter.junixsocket.nativecommon;
    requires org.slf4j;

    exports io.github.qemudbus.display.qmp;
}
