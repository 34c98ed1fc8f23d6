/** Internal plumbing shared by the SDK's modules; not API, may change without notice. */
package io.github.qemudbus.display.internal;
