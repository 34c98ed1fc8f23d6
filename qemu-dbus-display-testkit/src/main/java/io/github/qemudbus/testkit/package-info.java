/** Package io.github.qemudbus.testkit. */
package io.github.qemudbus.testkit;
