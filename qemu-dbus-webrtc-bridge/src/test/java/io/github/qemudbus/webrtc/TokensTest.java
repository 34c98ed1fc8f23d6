package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokensTest {
    @Test
    void noTokenMeansFullAccess() {
        Tokens t = new Tokens(null, null);
        assertFalse(t.required());
        assertEquals(Tokens.Access.FULL, t.check(null));
        assertEquals(Tokens.Access.FULL, t.check("Bearer whatever"));
    }

    @Test
    void bearerTokens() {
        Tokens t = new Tokens("full-secret", "view-secret");
        assertTrue(t.required());
        assertEquals(Tokens.Access.FULL, t.check("Bearer full-secret"));
        assertEquals(Tokens.Access.FULL, t.check("bearer   full-secret "));
        assertEquals(Tokens.Access.VIEW, t.check("Bearer view-secret"));
        assertEquals(Tokens.Access.NONE, t.check("Bearer full-secreT"));
        assertEquals(Tokens.Access.NONE, t.check("Bearer full-secret-and-more"));
        assertEquals(Tokens.Access.NONE, t.check("Bearer "));
        assertEquals(Tokens.Access.NONE, t.check("Basic full-secret"));
        assertEquals(Tokens.Access.NONE, t.check("full-secret"));
        assertEquals(Tokens.Access.NONE, t.check(null));
    }

    @Test
    void fullTokenOnly() {
        Tokens t = new Tokens("full-secret", null);
        assertEquals(Tokens.Access.NONE, t.check("Bearer view-secret"));
        assertEquals(Tokens.Access.FULL, t.check("Bearer full-secret"));
    }

    @Test
    void inconsistentConfigurations() {
        assertThrows(IllegalStateException.class, () -> new Tokens(null, "view-secret"));
        assertThrows(IllegalStateException.class, () -> new Tokens("same-secret", "same-secret"));
        assertNull(Tokens.bearer("Token abc"));
    }

    @Test
    void builderValidatesTokens() {
        assertThrows(IllegalArgumentException.class, () -> WebRtcBridge.builder().token("short"));
        assertThrows(IllegalArgumentException.class, () -> WebRtcBridge.builder().token("has space in it"));
        assertThrows(IllegalStateException.class, () -> WebRtcBridge.builder().build());
    }
}
