/**
 * The display doctor: {@link io.github.qemudbus.display.doctor.Doctor} examines a QEMU D-Bus
 * display (reachability, version, consoles, fd passing, the frame path and why faster ones
 * were not used, update rate, mouse mode, SetUIInfo) and returns a
 * {@link io.github.qemudbus.display.doctor.DoctorReport} with a suggested fix per finding.
 */
package io.github.qemudbus.display.doctor;
