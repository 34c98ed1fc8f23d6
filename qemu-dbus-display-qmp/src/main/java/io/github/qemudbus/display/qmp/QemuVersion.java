package io.github.qemudbus.display.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QEMU's version as QMP reports it (in the greeting and from {@code query-version}).
 *
 * @param major major version
 * @param minor minor version
 * @param micro micro version
 * @param pkg the distribution's package string (may be empty)
 */
public record QemuVersion(int major, int minor, int micro, String pkg) {

    /**
     * Reads a version object: {@code {"qemu":{"major":..,"minor":..,"micro":..},"package":".."}}.
     *
     * @param version the object ({@code query-version}'s return, or the greeting's {@code QMP.version})
     * @return the version
     * @throws QmpException when the object lacks the numbers
     */
    public static QemuVersion of(JsonNode version) {
        JsonNode q = version == null ? null : version.get("qemu");
        // canConvertToInt is true only for numeric nodes whose value fits an int
        if (q == null || !q.path("major").canConvertToInt() || !q.path("minor").canConvertToInt()
                || !q.path("micro").canConvertToInt()) {
            throw new QmpException("unexpected QMP version object: " + version, null);
        }
        return new QemuVersion(q.get("major").asInt(), q.get("minor").asInt(), q.get("micro").asInt(),
                version.path("package").asText(""));
    }

    /**
     * The version as text.
     *
     * @return "major.minor.micro"
     */
    @Override
    public String toString() {
        return major + "." + minor + "." + micro;
    }
}
