/** Package io.github.qemudbus.examples. */
package io.github.qemudbus.examples;
