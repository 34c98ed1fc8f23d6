/** A program that uses the SDK as a module, as an application on the module path would. */
module io.github.qemudbus.consumer {
    requires io.github.qemudbus.display;
}
