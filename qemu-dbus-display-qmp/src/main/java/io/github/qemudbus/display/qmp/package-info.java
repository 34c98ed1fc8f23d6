/**
 * A QMP (QEMU Machine Protocol) client over a unix socket: {@link io.github.qemudbus.display.qmp.QmpClient}
 * negotiates capabilities, runs commands (JSON via Jackson), passes file descriptors with {@code getfd},
 * buffers events and fails with a {@link io.github.qemudbus.display.qmp.QmpException} instead of hanging
 * when QEMU goes away.
 */
package io.github.qemudbus.display.qmp;
