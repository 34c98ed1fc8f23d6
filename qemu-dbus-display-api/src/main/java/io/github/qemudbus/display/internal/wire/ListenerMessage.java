package io.github.qemudbus.display.internal.wire;

/**
 * One method call QEMU made on a listener object, decoded into its own typed value by
 * {@link MessageDecoders}: a {@link ConsoleMessage} on a console listener, an
 * {@link AudioMessage} on an audio listener. Byte buffers and descriptors inside are valid only
 * while the call is being handled (views of the receive buffer; descriptors closed afterwards).
 */
public sealed interface ListenerMessage permits ConsoleMessage, AudioMessage {
}
