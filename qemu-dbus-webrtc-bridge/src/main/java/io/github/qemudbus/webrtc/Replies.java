package io.github.qemudbus.webrtc;

/** Where errors about one sender's input go (its data channel), rate-limited by the receiver. */
interface Replies {

    /** An {@code error} message ({@code ref}: the message type it answers, or null). */
    void error(String code, String message, String ref);

    /** Like {@link #error}, but once per code for this sender. */
    void errorOnce(String code, String message, String ref);
}
