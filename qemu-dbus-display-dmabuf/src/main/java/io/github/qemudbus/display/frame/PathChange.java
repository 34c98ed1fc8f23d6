package io.github.qemudbus.display.frame;

import java.time.Instant;

/**
 * A change of frame path, with its reason: the record the seed investigation never had.
 *
 * @param from the path before (null for the first negotiation)
 * @param to the path after
 * @param reason why, in words (for example "ScanoutMap refused: memfd holds 4096 bytes, frame needs 3145728")
 * @param at when it happened
 */
public record PathChange(FramePath from, FramePath to, String reason, Instant at) {
}
