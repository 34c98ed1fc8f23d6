/** Package io.github.qemudbus.display.frame. */
package io.github.qemudbus.display.frame;
