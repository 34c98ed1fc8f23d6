/** Package io.github.qemudbus.display. */
package io.github.qemudbus.display;
