/** A program that reaches for the SDK's wire: it must not compile. */
module io.github.qemudbus.intruder {
    requires io.github.qemudbus.display;
}
