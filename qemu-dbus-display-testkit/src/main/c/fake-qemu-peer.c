/*
 * fake-qemu-peer: plays QEMU's side of an org.qemu.Display1 *listener* connection, so a
 * display client (the SDK) can be tested without QEMU, with real file descriptors.
 *
 * Build:  gcc -O2 -Wall -o fake-qemu-peer fake-qemu-peer.c \
 *             $(pkg-config --cflags --libs gio-2.0 gio-unix-2.0)
 * Usage:  fake-qemu-peer SOCKET_PATH
 *
 * What it does, like QEMU's ui/dbus-console.c + ui/dbus-listener.c:
 *   - listens on SOCKET_PATH (a unix stream socket), accepts ONE connection (the client
 *     connects to it instead of receiving a socketpair end from RegisterListener), then
 *     unlinks SOCKET_PATH;
 *   - runs g_dbus_connection_new_sync(stream, guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER)
 *     on it: QEMU is the auth server, the client authenticates (EXTERNAL) and may negotiate
 *     unix fd passing;
 *   - calls org.freedesktop.DBus.Properties.GetAll("org.qemu.Display1.Listener") on
 *     /org/qemu/Display1/Listener (QEMU's generated proxy does this when it is created) and,
 *     for each optional interface the `Interfaces` property lists, GetAll on that interface too
 *     (QEMU creates one proxy per optional interface; it ignores errors there);
 *   - then executes commands read line by line from stdin.
 *
 * Output (stdout, one line each, flushed):
 *   props Interfaces=a,b Key=value ...   result of the first GetAll (or: props-error NAME MSG)
 *   warn TEXT                            non-fatal remarks (extra GetAll failed ...)
 *   ready                                after the above; commands are accepted from now on
 *   ok DETAILS                           the command succeeded / the client replied
 *   err NAME MESSAGE                     NAME is the D-Bus error name the client replied with,
 *                                        or a local one: peer.Usage (bad command), peer.Timeout,
 *                                        peer.Closed, peer.Failed (local failure), peer.NotConnected
 *   closed REASON                        connection lost / stdin EOF / quit; the peer then exits
 * Each command line gives exactly one ok/err line (blank lines and lines starting with # give
 * none). Commands sent before the client connected get `err peer.NotConnected`.
 *
 * Values: integers are decimal or 0x-hex and may be negative; they are cast to the D-Bus type
 * of the argument (so -1 for a `u` sends 0xffffffff: that is how hostile values are made).
 *   FORMAT (pixman): x8r8g8b8 a8r8g8b8 x8b8g8r8 a8b8g8r8 b8g8r8x8 b8g8r8a8 r8g8b8x8 r8g8b8a8
 *                    r8g8b8 b8g8r8 r5g6b5, or a number (unknown formats are sent as given)
 *   FOURCC (DRM):    four characters (XR24 AR24 XB24 AB24 NV12 ...) or a number
 *   Y0TOP:           true|false|1|0
 *   PATTERN (pixel value at absolute frame coordinates x,y; a = alpha):
 *     solid:RRGGBB | solid:AARRGGBB   that colour (alpha ff unless given)
 *     gradient                        a=ff r=x&255 g=y&255 b=((x>>8)&15)|((y>>8)&15)<<4
 *     noise:SEED                      a=ff, rgb = splitmix64(SEED ^ (y<<32 | x)) & 0xffffff,
 *                                     splitmix64(z){z+=0x9e3779b97f4a7c15; z=(z^z>>30)*0xbf58476d1ce4e5b9;
 *                                     z=(z^z>>27)*0x94d049bb133111eb; return z^z>>31;}
 *     fill:XX                         every byte XX
 *   Pixels are written in FORMAT's layout (native-endian 32-bit words for 32 bpp formats, as
 *   pixman does; XR24 = x8r8g8b8 etc.); unknown formats get x8r8g8b8 words. Only
 *   min(W, STRIDE/bpp) pixels of each row are written; all other bytes (row padding, bytes
 *   before OFFSET, data beyond the rows) are 0xA5, so a reader that ignores the stride sees it.
 *   Update data holds pattern(X+i, Y+j): the same picture as the full frame.
 *
 * Commands (any command that makes a D-Bus call may be prefixed with `noreply`: the call is
 * then sent the way QEMU sends most of them - g_dbus_connection_call with no callback, i.e.
 * with the NO_REPLY_EXPECTED flag - and the result is `ok sent serial=N`; use `ping` as a
 * barrier afterwards. Without it the call is synchronous and the client's reply is reported.)
 *   scanout W H STRIDE FORMAT PATTERN [len=N]
 *        Scanout(u W, u H, u STRIDE, u FORMAT, ay data); data is STRIDE*H bytes unless len=N.
 *   update X Y W H STRIDE FORMAT PATTERN [len=N]
 *        Update(i X, i Y, i W, i H, u STRIDE, u FORMAT, ay data); STRIDE*H bytes unless len=N.
 *   scanout-map W H STRIDE FORMAT OFFSET PATTERN [fd=KIND] [size=N] [seals=S]
 *        ScanoutMap(h memfd, u OFFSET, u W, u H, u STRIDE, u FORMAT), timeout qemu-timeout
 *        (1000 ms, like QEMU). The memfd holds OFFSET+STRIDE*H bytes (size=N overrides) and
 *        is kept mapped as the current surface for `draw` / `truncate`.
 *   scanout-dmabuf W H STRIDE FOURCC MODIFIER Y0TOP PATTERN [fd=KIND] [size=N] [seals=S]
 *        ScanoutDMABUF(h, u W, u H, u STRIDE, u FOURCC, t MODIFIER, b Y0TOP); a memfd of
 *        STRIDE*H bytes stands in for the dmabuf and becomes the current surface.
 *   scanout-dmabuf2 X Y W H BACKING_W BACKING_H FOURCC MODIFIER Y0TOP NPLANES OFFSETS STRIDES
 *                   PATTERN [fds=shared|per-plane|one-index] [nfds=N] [fd=KIND] [seals=S]
 *        ScanoutDMABUF2(ah, u X, u Y, u W, u H, au OFFSETS, au STRIDES, u NPLANES, u FOURCC,
 *        u BACKING_W, u BACKING_H, t MODIFIER, b Y0TOP). OFFSETS/STRIDES are comma lists
 *        (their lengths set the array lengths; NPLANES is sent as given). Plane i has
 *        BACKING_H rows (ceil(BACKING_H/2) for i>0 with NV12 NV21 YU12 YV12 P010 P012 P016).
 *        fds=shared (default): one memfd holding all planes, appended once per plane like
 *        QEMU does (N distinct handles, same file); per-plane: one memfd per plane, plane i at
 *        OFFSETS[i] of its own memfd; one-index: one fd, every handle is 0. nfds=N sends only
 *        the first N handles (QEMU stops at the first plane without fd). Plane 0 gets PATTERN
 *        in FOURCC's layout (becomes the current surface), plane i>0 is filled with byte 0x80+i.
 *   draw X Y W H PATTERN       change pixels of the current surface (clipped to it and to the
 *                              memfd's current size); no D-Bus call
 *   update-map X Y W H         UpdateMap(i,i,i,i) on org.qemu.Display1.Listener.Unix.Map
 *   update-dmabuf X Y W H      UpdateDMABUF(i,i,i,i), timeout qemu-timeout (QEMU awaits it)
 *   truncate N                 ftruncate the current surface's memfd to N bytes, after it was
 *                              passed (QEMU's memfds are only sealed against adding seals)
 *   disable                    Disable()
 *   mouse-set X Y ON           MouseSet(i X, i Y, i ON)
 *   cursor-define W H HX HY PATTERN [len=N]
 *                              CursorDefine(i W, i H, i HX, i HY, ay data), data W*H*4 bytes
 *                              of a8r8g8b8 words unless len=N
 *   raw-call [fds=SPEC,...] [path=P] [timeout=MS] METHOD SIGNATURE GVARIANT-TEXT
 *        Any call: METHOD is Interface.Member or a Member of org.qemu.Display1.Listener;
 *        SIGNATURE is the body's tuple type, e.g. (uuuuay); the rest of the line is GVariant
 *        text (g_variant_parse), e.g.  raw-call Scanout (uuuu) (1, 1, 4, 0x20020888)
 *        raw-call fds=memfd:4096,pipe ScanoutDMABUF2 ... [handle 0, 1] ... Handles index
 *        into the fds list, which the text does not check. SPEC: memfd:SIZE file:SIZE pipe
 *        socket devnull.
 *   ping                       Properties.Get(org.qemu.Display1.Listener, Interfaces):
 *                              a barrier after noreply calls
 *   bench-update W H N [window=K] [format=F] [pattern=P]
 *        One Scanout (not timed), then N full-frame Updates (stride W*4) sent as fast as
 *        possible: each awaited (default), K in flight (window=K), or with `noreply` a ping
 *        barrier every K (default 16) and at the end. Prints
 *        ok n=N bytes=PAYLOAD ns=ELAPSED fps=... mbps=...
 *   bench-map W H N [window=K] [format=F] [pattern=P]
 *        One ScanoutMap of a W*H*4 memfd (not timed), then N UpdateMap(0,0,W,H), same output.
 *   bench-dmabuf W H N [window=K] [pattern=P]
 *        One ScanoutDMABUF of a W*H*4 memfd (XR24, linear, y0top; not timed), then N
 *        UpdateDMABUF(0,0,W,H), each awaited like QEMU does (or K in flight), same output.
 *   audio-in-init ID BITS FREQ CHANNELS
 *        Init(t ID, y BITS, b true, b false, u FREQ, y CHANNELS, u frame, u frame*FREQ, b false)
 *        on /org/qemu/Display1/AudioInListener (org.qemu.Display1.AudioInListener): QEMU's
 *        capture side (audio/dbusaudio.c); frame = CHANNELS*BITS/8. The audio-in-* commands
 *        need a client serving that object (the connection's GetAll still goes to Listener).
 *   audio-in-enable ID BOOL         SetEnabled(t ID, b BOOL)
 *   audio-in-volume ID MUTE L1,L2   SetVolume(t ID, b MUTE, ay levels)
 *   audio-in-read ID SIZE
 *        Read(t ID, t SIZE) -> (ay), synchronous like QEMU's dbus_read (never noreply).
 *        Prints ok ns=ELAPSED len=N sum=BYTE-SUM head=HEX-OF-FIRST-64-BYTES (head=- if empty)
 *   audio-in-fini ID                Fini(t ID)
 *   set timeout MS | set qemu-timeout MS | set max-data BYTES
 *        timeout: sync calls (default 5000); qemu-timeout: ScanoutMap and UpdateDMABUF, the
 *        calls QEMU itself awaits (default 1000 = QEMU's DBUS_DEFAULT_TIMEOUT); max-data: the
 *        largest payload/memfd generated without an explicit len=/size= (128 MiB).
 *   fds                        ok open-fds=N (count of /proc/self/fd, to check for leaks)
 *   echo TEXT                  ok TEXT
 *   sleep MS                   ok
 *   hangup                     close the D-Bus connection (QEMU going away); prints ok, closed
 *   quit                       prints ok quit, closed quit, exits
 *   repeat N COMMAND...        runs COMMAND N times, printing only
 *                              ok n=N oks=K errs=E ns=ELAPSED [last-err=NAME MESSAGE]
 *   gl-refresh N [rect=X,Y,W,H] [interval=US]
 *        QEMU's GL refresh (dbus_gl_refresh) N times: UpdateDMABUF for the rectangle (default:
 *        the current surface), each awaited with the console's GL blocked until the reply.
 *        interval = the display's refresh period; a reply slower than it skips refreshes.
 *        Prints ok n=N max-ns=WORST-REPLY avg-ns=... stalls=SKIPPED-REFRESHES errors=E
 *   gl-stats                   ok gl=on|off fd-passing=yes|no dmabuf2=yes|no updates=N errors=E
 *                              max-ns=WORST-REPLY avg-ns=... over every awaited UpdateDMABUF
 *
 * gl=on mode (`fake-qemu-peer --gl SOCKET_PATH`): QEMU's GL listener (ui/dbus-listener.c,
 * dbus_gl_dcl_ops, Linux). After the GetAll it prints `gl fd-passing=yes|no dmabuf2=yes|no`
 * (what the listener negotiated/advertised) before `ready`. Then:
 *   - scanout, update, scanout-map, update-map, bench-update, bench-map are refused
 *     (err peer.GlMode): every surface, even VGA text mode, is a texture exported as a DMA-BUF;
 *     there is no read-back to copies on Linux and no shared map;
 *   - a listener without fd passing gets nothing: scanout-dmabuf(2) print `ok dropped
 *     reason=no-fd-passing` and send no call;
 *   - scanout-dmabuf goes as ScanoutDMABUF2 (x=y=0, backing = size, one plane) to a listener
 *     implementing Listener.Unix.ScanoutDMABUF2 (QEMU 10.1+), as ScanoutDMABUF otherwise;
 *   - scanout-dmabuf2 with NPLANES > 1 to a listener without ScanoutDMABUF2 is dropped
 *     (`ok dropped reason=multi-plane-without-ScanoutDMABUF2`, QEMU only logs a debug line);
 *     one plane goes as ScanoutDMABUF (x/y lost, as in QEMU);
 *   - update-dmabuf and gl-refresh are awaited like QEMU awaits UpdateDMABUF (the console's GL
 *     blocked meanwhile, qemu-timeout); every reply time is kept for gl-stats;
 *   - the cursor is CursorDefine (cursor-define), as QEMU reads a DMA-BUF cursor back to pixels.
 * MODIFIER is any 64-bit value: 0 linear, 0x00ffffffffffffff DRM_FORMAT_MOD_INVALID (implicit:
 * what udmabuf-backed buffers report since QEMU 10.1), 0x0100000000000001 Intel X-tiled, ...
 * The buffers are memfds standing in for DMA-BUFs: no render node is needed (nor available on
 * the machines this runs on), so DMA_BUF_IOCTL_SYNC on them fails with ENOTTY and a "tiled"
 * buffer holds linear bytes: only its modifier says otherwise.
 *
 * Options common to the fd-passing commands:
 *   fd=memfd (default) | short (memfd of half the needed size) | rdonly (an O_RDONLY reopen of
 *      the memfd; the RW one stays the surface) | file (unlinked regular file, not a memfd) |
 *      pipe | socket | devnull | none (handle 0 but no fd attached) | badindex (one fd attached,
 *      handle 7)
 *   size=N      memfd size in bytes (fills only what fits)
 *   seals=qemu (default: memfd_create without MFD_ALLOW_SEALING, so the kernel sets only
 *      F_SEAL_SEAL - exactly QEMU's qemu_memfd_alloc(name, size, 0 seals)) | none (sealable,
 *      no seals) | shrink (F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL) | write (shrink + F_SEAL_WRITE;
 *      the surface then cannot be drawn on)
 * Every fd passed is closed right after the call that passed it returns (the message owns
 * its dups); only the current surface's memfd stays open, until the next scanout replaces it.
 */
#define _GNU_SOURCE
#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LISTENER_PATH "/org/qemu/Display1/Listener"
#define IFACE_LISTENER "org.qemu.Display1.Listener"
#define IFACE_MAP "org.qemu.Display1.Listener.Unix.Map"
#define IFACE_DMABUF2 "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"
#define IFACE_PROPS "org.freedesktop.DBus.Properties"
#define AUDIO_IN_PATH "/org/qemu/Display1/AudioInListener"
#define IFACE_AUDIO_IN "org.qemu.Display1.AudioInListener"
#define PAD_BYTE 0xA5

/* ------------------------------------------------------------------ globals */

static GDBusConnection *conn;
static const char *socket_path; /* set while waiting for the client */
static GMutex out_lock;
static gint quitting;
static int call_timeout_ms = 5000;
static int qemu_timeout_ms = 1000; /* QEMU's DBUS_DEFAULT_TIMEOUT (ui/dbus.h) */
static guint64 max_data = 128u << 20;

/* gl=on mode (--gl): what the client's listener can receive, learnt after its GetAll */
static gboolean gl_mode;
static gboolean peer_fds;     /* the connection negotiated unix fd passing */
static gboolean peer_dmabuf2; /* Interfaces lists org.qemu.Display1.Listener.Unix.ScanoutDMABUF2 */
/* UpdateDMABUF replies (QEMU blocks the console's GL until each arrives) */
static guint64 gl_updates, gl_update_errors;
static gint64 gl_max_ns, gl_sum_ns;
/* `repeat`: lines of the repeated command are counted, not printed */
static int quiet;
static guint64 quiet_ok, quiet_err;
static char *quiet_last_err;

enum { L_ARGB32, L_ABGR32, L_BGRA32, L_RGBA32, L_RGB24, L_BGR24, L_RGB565, L_RAW32 };
typedef struct { int layout; int bpp; } PixLayout;

/* The drawable surface: the memfd last passed with scanout-map / scanout-dmabuf(2). */
typedef struct {
    int fd;
    uint8_t *map;
    size_t map_len;
    guint64 offset;
    uint32_t width, height, stride;
    PixLayout px;
    gboolean writable;
} Surface;
static Surface cur = { .fd = -1 };

/* ------------------------------------------------------------------ output */

static void out_line(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void out_line(const char *fmt, ...)
{
    va_list ap;
    g_mutex_lock(&out_lock);
    if (quiet && (g_str_has_prefix(fmt, "ok") || g_str_has_prefix(fmt, "err"))) {
        va_start(ap, fmt);
        char *l = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        if (g_str_has_prefix(l, "err")) {
            quiet_err++;
            g_free(quiet_last_err);
            quiet_last_err = l;
        } else {
            quiet_ok += g_str_has_prefix(l, "ok");
            g_free(l);
        }
        g_mutex_unlock(&out_lock);
        return;
    }
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    g_mutex_unlock(&out_lock);
}

static char *one_line(const char *s)
{
    char *r = g_strdup(s ? s : "");
    for (char *p = r; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            *p = ' ';
        }
    }
    return r;
}

/* "NAME MESSAGE" for an error of a call: the remote D-Bus name, or a local peer.* name. */
static char *error_text(GError *err)
{
    char *name = NULL, *msg;
    if (g_dbus_error_is_remote_error(err)) {
        name = g_dbus_error_get_remote_error(err);
        g_dbus_error_strip_remote_error(err);
    } else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
        name = g_strdup("peer.Timeout");
    } else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CLOSED)) {
        name = g_strdup("peer.Closed");
    } else {
        name = g_strdup("peer.Failed");
    }
    msg = one_line(err->message);
    char *r = g_strdup_printf("%s %s", name, msg);
    g_free(name);
    g_free(msg);
    return r;
}

static void out_gerror(GError *err, const char *suffix)
{
    char *t = error_text(err);
    out_line("err %s%s", t, suffix ? suffix : "");
    g_free(t);
}

#define USAGE(...) do { char *m_ = g_strdup_printf(__VA_ARGS__); \
    out_line("err peer.Usage %s", m_); g_free(m_); } while (0)
#define FAIL(...) do { char *m_ = g_strdup_printf(__VA_ARGS__); \
    out_line("err peer.Failed %s", m_); g_free(m_); } while (0)

static gint64 now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gint64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ------------------------------------------------------------------ parsing */

static gboolean parse_i64(const char *s, gint64 *out)
{
    char *end = NULL;
    gboolean neg = FALSE;
    const char *p = s;
    guint64 v;
    if (!s || !*s) {
        return FALSE;
    }
    if (*p == '-') {
        neg = TRUE;
        p++;
    } else if (*p == '+') {
        p++;
    }
    errno = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        v = g_ascii_strtoull(p + 2, &end, 16);
    } else {
        v = g_ascii_strtoull(p, &end, 10);
    }
    if (errno || end == p || *end) {
        return FALSE;
    }
    *out = neg ? -(gint64)v : (gint64)v;
    return TRUE;
}

static gboolean parse_u64(const char *s, guint64 *out)
{
    char *end = NULL;
    const char *p = s;
    if (!s || !*s || *s == '-') {
        gint64 v;
        if (parse_i64(s, &v)) {
            *out = (guint64)v;
            return TRUE;
        }
        return FALSE;
    }
    errno = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        *out = g_ascii_strtoull(p + 2, &end, 16);
    } else {
        *out = g_ascii_strtoull(p, &end, 10);
    }
    return !errno && end != p && !*end;
}

static gboolean parse_bool(const char *s, gboolean *out)
{
    if (!g_ascii_strcasecmp(s, "true") || !strcmp(s, "1")) {
        *out = TRUE;
    } else if (!g_ascii_strcasecmp(s, "false") || !strcmp(s, "0")) {
        *out = FALSE;
    } else {
        return FALSE;
    }
    return TRUE;
}

static const struct { const char *name; uint32_t code; } pixman_names[] = {
    { "x8r8g8b8", 0x20020888 }, { "a8r8g8b8", 0x20028888 },
    { "x8b8g8r8", 0x20030888 }, { "a8b8g8r8", 0x20038888 },
    { "b8g8r8x8", 0x20080888 }, { "b8g8r8a8", 0x20088888 },
    { "r8g8b8x8", 0x20090888 }, { "r8g8b8a8", 0x20098888 },
    { "r8g8b8", 0x18020888 }, { "b8g8r8", 0x18030888 },
    { "r5g6b5", 0x10020565 },
};

static gboolean parse_format(const char *s, uint32_t *out)
{
    gint64 v;
    for (size_t i = 0; i < G_N_ELEMENTS(pixman_names); i++) {
        if (!g_ascii_strcasecmp(s, pixman_names[i].name)) {
            *out = pixman_names[i].code;
            return TRUE;
        }
    }
    if (parse_i64(s, &v)) {
        *out = (uint32_t)v;
        return TRUE;
    }
    return FALSE;
}

#define FOURCC(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

static gboolean parse_fourcc(const char *s, uint32_t *out)
{
    gint64 v;
    if (strlen(s) == 4 && !(s[0] >= '0' && s[0] <= '9')) {
        *out = FOURCC(s[0], s[1], s[2], s[3]);
        return TRUE;
    }
    if (parse_i64(s, &v)) {
        *out = (uint32_t)v;
        return TRUE;
    }
    return FALSE;
}

static PixLayout layout_from_pixman(uint32_t code)
{
    uint32_t bpp = code >> 24, type = (code >> 16) & 0xff;
    if (bpp == 32) {
        switch (type) {
        case 2: return (PixLayout){ L_ARGB32, 4 };
        case 3: return (PixLayout){ L_ABGR32, 4 };
        case 8: return (PixLayout){ L_BGRA32, 4 };
        case 9: return (PixLayout){ L_RGBA32, 4 };
        }
    } else if (bpp == 24 && type == 2) {
        return (PixLayout){ L_RGB24, 3 };
    } else if (bpp == 24 && type == 3) {
        return (PixLayout){ L_BGR24, 3 };
    } else if (code == 0x10020565) {
        return (PixLayout){ L_RGB565, 2 };
    }
    return (PixLayout){ L_RAW32, 4 };
}

static PixLayout layout_from_fourcc(uint32_t f)
{
    if (f == FOURCC('X', 'R', '2', '4') || f == FOURCC('A', 'R', '2', '4')) {
        return (PixLayout){ L_ARGB32, 4 };
    }
    if (f == FOURCC('X', 'B', '2', '4') || f == FOURCC('A', 'B', '2', '4')) {
        return (PixLayout){ L_ABGR32, 4 };
    }
    if (f == FOURCC('R', 'X', '2', '4') || f == FOURCC('R', 'A', '2', '4')) {
        return (PixLayout){ L_RGBA32, 4 };
    }
    if (f == FOURCC('B', 'X', '2', '4') || f == FOURCC('B', 'A', '2', '4')) {
        return (PixLayout){ L_BGRA32, 4 };
    }
    if (f == FOURCC('R', 'G', '2', '4')) {
        return (PixLayout){ L_RGB24, 3 };
    }
    if (f == FOURCC('B', 'G', '2', '4')) {
        return (PixLayout){ L_BGR24, 3 };
    }
    if (f == FOURCC('R', 'G', '1', '6')) {
        return (PixLayout){ L_RGB565, 2 };
    }
    return (PixLayout){ L_RAW32, 4 };
}

static gboolean fourcc_subsampled(uint32_t f)
{
    return f == FOURCC('N', 'V', '1', '2') || f == FOURCC('N', 'V', '2', '1') ||
           f == FOURCC('Y', 'U', '1', '2') || f == FOURCC('Y', 'V', '1', '2') ||
           f == FOURCC('P', '0', '1', '0') || f == FOURCC('P', '0', '1', '2') ||
           f == FOURCC('P', '0', '1', '6');
}

/* ------------------------------------------------------------------ patterns */

enum { P_SOLID, P_GRADIENT, P_NOISE, P_FILL };
typedef struct { int kind; uint32_t argb; guint64 seed; } Pattern;

static gboolean parse_pattern(const char *s, Pattern *p)
{
    guint64 v;
    char *end = NULL;
    if (g_str_has_prefix(s, "solid:")) {
        const char *h = s + 6;
        size_t n = strlen(h);
        if (n != 6 && n != 8) {
            return FALSE;
        }
        v = g_ascii_strtoull(h, &end, 16);
        if (*end) {
            return FALSE;
        }
        p->kind = P_SOLID;
        p->argb = n == 6 ? (uint32_t)(0xff000000u | v) : (uint32_t)v;
        return TRUE;
    }
    if (!strcmp(s, "gradient")) {
        p->kind = P_GRADIENT;
        return TRUE;
    }
    if (g_str_has_prefix(s, "noise:")) {
        if (!parse_u64(s + 6, &v)) {
            return FALSE;
        }
        p->kind = P_NOISE;
        p->seed = v;
        return TRUE;
    }
    if (g_str_has_prefix(s, "fill:")) {
        v = g_ascii_strtoull(s + 5, &end, 16);
        if (*end || end == s + 5 || v > 255) {
            return FALSE;
        }
        p->kind = P_FILL;
        p->argb = (uint32_t)v * 0x01010101u;
        return TRUE;
    }
    return FALSE;
}

static inline guint64 splitmix64(guint64 z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint32_t pattern_at(const Pattern *p, uint32_t x, uint32_t y)
{
    switch (p->kind) {
    case P_GRADIENT:
        return 0xff000000u | (x & 255) << 16 | (y & 255) << 8 |
               (((x >> 8) & 15) | ((y >> 8) & 15) << 4);
    case P_NOISE:
        return 0xff000000u | (uint32_t)(splitmix64(p->seed ^ ((guint64)y << 32 | x)) & 0xffffff);
    default:
        return p->argb;
    }
}

static inline void put_pixel(uint8_t *d, int layout, uint32_t argb)
{
    uint32_t a = argb >> 24, r = (argb >> 16) & 255, g = (argb >> 8) & 255, b = argb & 255;
    uint32_t v;
    uint16_t v16;
    switch (layout) {
    case L_ABGR32: v = a << 24 | b << 16 | g << 8 | r; memcpy(d, &v, 4); break;
    case L_BGRA32: v = b << 24 | g << 16 | r << 8 | a; memcpy(d, &v, 4); break;
    case L_RGBA32: v = r << 24 | g << 16 | b << 8 | a; memcpy(d, &v, 4); break;
    case L_RGB24: d[0] = b; d[1] = g; d[2] = r; break;
    case L_BGR24: d[0] = r; d[1] = g; d[2] = b; break;
    case L_RGB565:
        v16 = (uint16_t)((r >> 3) << 11 | (g >> 2) << 5 | (b >> 3));
        memcpy(d, &v16, 2);
        break;
    default: memcpy(d, &argb, 4); break; /* ARGB32 and unknown formats */
    }
}

/*
 * Writes pattern pixels for a W x H region whose pixel (0,0) is at byte `start` of buf and
 * whose pixel (0,0) has absolute coordinates (ax, ay). Stays inside buf_len; writes at most
 * STRIDE/bpp pixels per row.
 */
static void fill_region(uint8_t *buf, size_t buf_len, guint64 start, uint32_t stride,
                        PixLayout px, const Pattern *pat, uint32_t ax, uint32_t ay,
                        uint32_t w, uint32_t h)
{
    guint64 per_row = stride / (uint32_t)px.bpp;
    if (per_row > w) {
        per_row = w;
    }
    if (per_row == 0) {
        return;
    }
    for (guint64 j = 0; j < h; j++) {
        guint64 row = start + j * (guint64)stride;
        if (row >= buf_len) {
            break;
        }
        guint64 n = per_row;
        if (row + n * px.bpp > buf_len) {
            n = (buf_len - row) / px.bpp;
        }
        uint8_t *d = buf + row;
        if (pat->kind == P_SOLID || pat->kind == P_FILL) {
            if (pat->kind == P_FILL) {
                memset(d, pat->argb & 255, n * px.bpp);
            } else if (n > 0) {
                /* first pixel, then double up with memcpy */
                guint64 done = 1, bytes = n * px.bpp;
                put_pixel(d, px.layout, pat->argb);
                while (done * px.bpp < bytes) {
                    guint64 chunk = done * px.bpp;
                    if (chunk > bytes - done * px.bpp) {
                        chunk = bytes - done * px.bpp;
                    }
                    memcpy(d + done * px.bpp, d, chunk);
                    done += chunk / px.bpp;
                }
            }
        } else {
            for (guint64 i = 0; i < n; i++) {
                put_pixel(d + i * px.bpp, px.layout,
                          pattern_at(pat, ax + (uint32_t)i, ay + (uint32_t)j));
            }
        }
    }
}

/* ------------------------------------------------------------------ commands: context */

typedef struct {
    char **pos;      /* positional arguments after the command name */
    int npos;
    GHashTable *opt; /* key -> value (value "" for bare words) */
    gboolean noreply;
    const char *rest; /* raw text after the command name */
} Cmd;

static const char *opt(Cmd *c, const char *key)
{
    return g_hash_table_lookup(c->opt, key);
}

/* An option's value, or `dflt` when the command did not give it. */
static const char *opt_or(Cmd *c, const char *key, const char *dflt)
{
    return opt(c, key) ? opt(c, key) : dflt;
}

static gboolean opt_u64(Cmd *c, const char *key, guint64 *out, gboolean *given)
{
    const char *v = opt(c, key);
    *given = v != NULL;
    if (!v) {
        return TRUE;
    }
    if (!parse_u64(v, out)) {
        USAGE("bad value for %s: %s", key, v);
        return FALSE;
    }
    return TRUE;
}

/* Only these option keys are accepted by the commands that take options. */
static gboolean check_opts(Cmd *c, const char *const *allowed)
{
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, c->opt);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        if (!g_strv_contains(allowed, k)) {
            USAGE("unknown option %s", (char *)k);
            return FALSE;
        }
    }
    return TRUE;
}

/* ------------------------------------------------------------------ D-Bus calls */

/*
 * Sends a call to the listener object. params is consumed. fds (may be NULL) is not.
 * Prints the ok/err line; `details` is appended to an ok line.
 */
static gboolean do_call_at(const char *path, const char *iface, const char *method,
                           GVariant *params, GUnixFDList *fds, int timeout_ms, gboolean noreply,
                           const char *details)
{
    GError *err = NULL;
    if (noreply) {
        GDBusMessage *m = g_dbus_message_new_method_call(NULL, path, iface, method);
        guint32 serial = 0;
        g_dbus_message_set_body(m, params);
        if (fds) {
            g_dbus_message_set_unix_fd_list(m, fds);
        }
        g_dbus_message_set_flags(m, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
        gboolean okk = g_dbus_connection_send_message(conn, m, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                      &serial, &err);
        g_object_unref(m);
        if (!okk) {
            out_gerror(err, NULL);
            g_error_free(err);
            return FALSE;
        }
        out_line("ok sent serial=%u%s%s", serial, details ? " " : "", details ? details : "");
        return TRUE;
    }
    GUnixFDList *out_fds = NULL;
    gint64 t0 = now_ns();
    GVariant *r = g_dbus_connection_call_with_unix_fd_list_sync(
        conn, NULL, path, iface, method, params, NULL, G_DBUS_CALL_FLAGS_NONE,
        timeout_ms, fds, &out_fds, NULL, &err);
    gint64 t1 = now_ns();
    if (out_fds) {
        g_object_unref(out_fds); /* closes any fds the client sent back */
    }
    if (!r) {
        out_gerror(err, NULL);
        g_error_free(err);
        return FALSE;
    }
    char *body = NULL;
    if (g_variant_n_children(r) > 0) {
        char *p = g_variant_print(r, FALSE);
        body = one_line(p);
        g_free(p);
    }
    out_line("ok ns=%" G_GINT64_FORMAT "%s%s%s%s", t1 - t0, details ? " " : "",
             details ? details : "", body ? " reply=" : "", body ? body : "");
    g_free(body);
    g_variant_unref(r);
    return TRUE;
}

static gboolean do_call(const char *iface, const char *method, GVariant *params,
                        GUnixFDList *fds, int timeout_ms, gboolean noreply,
                        const char *details)
{
    return do_call_at(LISTENER_PATH, iface, method, params, fds, timeout_ms, noreply, details);
}

/* Sync Properties.Get(Interfaces): used as a barrier. */
static gboolean ping_sync(GError **err)
{
    GVariant *r = g_dbus_connection_call_sync(conn, NULL, LISTENER_PATH, IFACE_PROPS, "Get",
                                              g_variant_new("(ss)", IFACE_LISTENER, "Interfaces"),
                                              NULL, G_DBUS_CALL_FLAGS_NONE, call_timeout_ms,
                                              NULL, err);
    if (r) {
        g_variant_unref(r);
    }
    return r != NULL;
}

/* ------------------------------------------------------------------ fds */

static void surface_release(Surface *s)
{
    if (s->map) {
        munmap(s->map, s->map_len);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

/* memfd (or regular file) of `size` bytes, mapped RW (*map, unless size is 0), all PAD_BYTE. */
static int make_shm(const char *name, const char *kind, const char *seals, guint64 size,
                    uint8_t **map, char **why)
{
    int fd;
    *map = NULL;
    if (!strcmp(kind, "file")) {
        char *path = g_build_filename(g_get_tmp_dir(), "fake-qemu-peer-XXXXXX", NULL);
        fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0) {
            unlink(path);
        }
        g_free(path);
    } else {
        unsigned flags = MFD_CLOEXEC;
        if (strcmp(seals, "qemu") != 0) {
            flags |= MFD_ALLOW_SEALING;
        }
        fd = memfd_create(name, flags);
    }
    if (fd < 0) {
        *why = g_strdup_printf("creating the shared memory: %s", g_strerror(errno));
        return -1;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        *why = g_strdup_printf("ftruncate(%" G_GUINT64_FORMAT "): %s", size, g_strerror(errno));
        close(fd);
        return -1;
    }
    if (size > 0) {
        size_t fill = size > max_data ? max_data : size;
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            *why = g_strdup_printf("mmap: %s", g_strerror(errno));
            close(fd);
            return -1;
        }
        memset(p, PAD_BYTE, fill);
        *map = p;
    }
    return fd;
}

/* Applies seals=shrink|write after the memory was filled; may unmap (write seal). */
static gboolean apply_seals(int fd, const char *seals, uint8_t **map, size_t len, char **why)
{
    int s = 0;
    if (!strcmp(seals, "shrink")) {
        s = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
    } else if (!strcmp(seals, "write")) {
        s = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
        if (*map) {
            munmap(*map, len); /* F_SEAL_WRITE needs no writable shared mapping */
            *map = NULL;
        }
    } else {
        return TRUE; /* qemu, none */
    }
    if (fcntl(fd, F_ADD_SEALS, s) < 0) {
        *why = g_strdup_printf("F_ADD_SEALS: %s", g_strerror(errno));
        return FALSE;
    }
    if (!*map && len > 0 && !strcmp(seals, "write")) {
        void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
        *map = p == MAP_FAILED ? NULL : p;
    }
    return TRUE;
}

/* Other fd kinds: pipe, socket, devnull. Returns the fd to pass and, in *other, one to close. */
static int make_odd_fd(const char *kind, int *other, char **why)
{
    int p[2];
    *other = -1;
    if (!strcmp(kind, "pipe")) {
        if (pipe2(p, O_CLOEXEC) < 0) {
            goto fail;
        }
        *other = p[1];
        return p[0];
    }
    if (!strcmp(kind, "socket")) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) {
            goto fail;
        }
        *other = p[1];
        return p[0];
    }
    if (!strcmp(kind, "devnull")) {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            goto fail;
        }
        return fd;
    }
    *why = g_strdup_printf("unknown fd kind %s", kind);
    return -1;
fail:
    *why = g_strdup_printf("%s: %s", kind, g_strerror(errno));
    return -1;
}

static gboolean valid_fd_kind(const char *k)
{
    static const char *const kinds[] = { "memfd", "short", "rdonly", "file", "pipe", "socket",
                                         "devnull", "none", "badindex", NULL };
    return g_strv_contains(kinds, k);
}

static gboolean valid_seals(const char *s)
{
    static const char *const v[] = { "qemu", "none", "shrink", "write", NULL };
    return g_strv_contains(v, s);
}

/*
 * Builds the fd to pass for one shared-memory object of `needed` bytes, filled by `filler`.
 * On success returns TRUE and fills o: pass_fd (to append; -1 for fd=none), keep_fd (the RW
 * memfd to keep as surface, or -1), map and map_len (its mapping), extra_close (an extra fd to
 * close after the call).
 */
typedef void (*Filler)(uint8_t *map, size_t len, gpointer ud);

typedef struct {
    int pass_fd;
    int keep_fd;
    uint8_t *map;
    size_t map_len;
    int extra_close;
} ShmOut;

static gboolean build_shm(Cmd *c, const char *name, guint64 needed, Filler filler, gpointer ud,
                          ShmOut *o, char **why)
{
    const char *kind = opt_or(c, "fd", "memfd");
    const char *seals = opt_or(c, "seals", "qemu");
    guint64 size = needed;
    gboolean size_given;
    memset(o, 0, sizeof(*o));
    o->pass_fd = o->keep_fd = o->extra_close = -1;
    if (!valid_fd_kind(kind)) {
        *why = g_strdup_printf("unknown fd kind %s", kind);
        return FALSE;
    }
    if (!valid_seals(seals)) {
        *why = g_strdup_printf("unknown seals %s", seals);
        return FALSE;
    }
    if (!opt_u64(c, "size", &size, &size_given)) {
        *why = NULL; /* already reported */
        return FALSE;
    }
    if (!size_given) {
        if (!strcmp(kind, "short")) {
            size = needed / 2;
        }
        if (size > max_data) {
            *why = g_strdup_printf("memfd would be %" G_GUINT64_FORMAT " bytes (> max-data "
                                   "%" G_GUINT64_FORMAT "); pass size=N", size, max_data);
            return FALSE;
        }
    }
    if (!strcmp(kind, "pipe") || !strcmp(kind, "socket") || !strcmp(kind, "devnull")) {
        o->pass_fd = make_odd_fd(kind, &o->extra_close, why);
        return o->pass_fd >= 0;
    }
    uint8_t *map = NULL;
    int fd = make_shm(name, kind, seals, size, &map, why);
    if (fd < 0) {
        return FALSE;
    }
    if (map) {
        filler(map, size > max_data ? max_data : size, ud);
    }
    if (!apply_seals(fd, seals, &map, size, why)) {
        if (map) {
            munmap(map, size);
        }
        close(fd);
        return FALSE;
    }
    o->keep_fd = fd;
    o->map = map;
    o->map_len = size;
    if (!strcmp(kind, "rdonly")) {
        char *p = g_strdup_printf("/proc/self/fd/%d", fd);
        o->pass_fd = open(p, O_RDONLY | O_CLOEXEC);
        g_free(p);
        if (o->pass_fd < 0) {
            *why = g_strdup_printf("reopen read-only: %s", g_strerror(errno));
            return FALSE; /* caller releases keep_fd */
        }
        o->extra_close = o->pass_fd;
    } else if (!strcmp(kind, "none")) {
        o->pass_fd = -1;
    } else {
        o->pass_fd = fd;
    }
    return TRUE;
}

static void shm_discard(ShmOut *o)
{
    if (o->map) {
        munmap(o->map, o->map_len);
    }
    if (o->keep_fd >= 0) {
        close(o->keep_fd);
    }
    if (o->extra_close >= 0 && o->extra_close != o->keep_fd) {
        close(o->extra_close);
    }
    if (o->pass_fd >= 0 && o->pass_fd != o->keep_fd && o->pass_fd != o->extra_close) {
        close(o->pass_fd);
    }
    o->map = NULL;
    o->keep_fd = o->extra_close = o->pass_fd = -1;
}

/*
 * After the call that passed o's fd: the message holds its own dup, so close the passed fd and
 * the extra one, but keep the RW memfd (keep_fd), which may become the surface.
 */
static void shm_close_passed(ShmOut *o)
{
    if (o->extra_close >= 0) {
        close(o->extra_close);
    }
    if (o->pass_fd >= 0 && o->pass_fd != o->keep_fd && o->pass_fd != o->extra_close) {
        close(o->pass_fd);
    }
    o->extra_close = o->pass_fd = -1;
}

/* Makes the fd list and the handle value for one passed fd (fd=none / badindex handled). */
static GUnixFDList *fd_list_for(Cmd *c, int pass_fd, gint32 *handle, char **why)
{
    const char *kind = opt_or(c, "fd", "memfd");
    GError *err = NULL;
    *handle = 0;
    if (pass_fd < 0) {
        return NULL; /* fd=none: handle 0 with no fd attached */
    }
    GUnixFDList *l = g_unix_fd_list_new();
    if (g_unix_fd_list_append(l, pass_fd, &err) < 0) { /* dups pass_fd */
        *why = g_strdup(err->message);
        g_error_free(err);
        g_object_unref(l);
        return NULL;
    }
    if (!strcmp(kind, "badindex")) {
        *handle = 7;
    }
    return l;
}

/* Replaces the current surface with a kept memfd. */
static void surface_set(ShmOut *o, guint64 offset, uint32_t w, uint32_t h, uint32_t stride,
                        PixLayout px, const char *seals)
{
    surface_release(&cur);
    if (o->keep_fd < 0) {
        return;
    }
    cur.fd = o->keep_fd;
    cur.map = o->map;
    cur.map_len = o->map_len;
    cur.offset = offset;
    cur.width = w;
    cur.height = h;
    cur.stride = stride;
    cur.px = px;
    cur.writable = strcmp(seals, "write") != 0;
    o->keep_fd = -1;
    o->map = NULL;
}

/* ------------------------------------------------------------------ commands */

typedef struct {
    guint64 start;
    uint32_t stride, w, h;
    PixLayout px;
    Pattern pat;
} FrameFill;

static void frame_filler(uint8_t *map, size_t len, gpointer ud)
{
    FrameFill *f = ud;
    fill_region(map, len, f->start, f->stride, f->px, &f->pat, 0, 0, f->w, f->h);
}

/* Generates the `ay` for Scanout / Update / CursorDefine. */
static GVariant *make_data(Cmd *c, guint64 default_len, guint64 stride, PixLayout px,
                           const Pattern *pat, uint32_t ax, uint32_t ay, uint32_t w, uint32_t h)
{
    guint64 len = default_len;
    gboolean given;
    if (!opt_u64(c, "len", &len, &given)) {
        return NULL;
    }
    if (len > max_data && (!given || len > (guint64)1 << 31)) {
        USAGE("data would be %" G_GUINT64_FORMAT " bytes (> max-data %" G_GUINT64_FORMAT
              "); pass len=N", len, max_data);
        return NULL;
    }
    uint8_t *buf = g_malloc(len ? len : 1);
    memset(buf, PAD_BYTE, len);
    if (stride <= G_MAXUINT32) {
        fill_region(buf, len, 0, (uint32_t)stride, px, pat, ax, ay, w, h);
    }
    return g_variant_new_from_data(G_VARIANT_TYPE_BYTESTRING, buf, len, TRUE, g_free, buf);
}

#define ARG_I64(i, var) gint64 var; if (!parse_i64(c->pos[i], &var)) { \
    USAGE("argument %d is not a number: %s", (i) + 1, c->pos[i]); return; }
#define ARG_FMT(i, var) uint32_t var; if (!parse_format(c->pos[i], &var)) { \
    USAGE("bad pixel format: %s", c->pos[i]); return; }
#define ARG_PAT(i, var) Pattern var; if (!parse_pattern(c->pos[i], &var)) { \
    USAGE("bad pattern: %s", c->pos[i]); return; }
#define ARG_FOURCC(i, var) uint32_t var; if (!parse_fourcc(c->pos[i], &var)) { \
    USAGE("bad fourcc: %s", c->pos[i]); return; }
#define ARG_MODIFIER(i, var) guint64 var; if (!parse_u64(c->pos[i], &var)) { \
    USAGE("bad modifier: %s", c->pos[i]); return; }
#define ARG_BOOL(i, var, what) gboolean var; if (!parse_bool(c->pos[i], &var)) { \
    USAGE("bad " what ": %s", c->pos[i]); return; }
#define ARG_Y0TOP(i, var) ARG_BOOL(i, var, "y0top")

static void cmd_scanout(Cmd *c)
{
    static const char *const ok_opts[] = { "len", NULL };
    if (!check_opts(c, ok_opts)) {
        return;
    }
    ARG_I64(0, w) ARG_I64(1, h) ARG_I64(2, stride) ARG_FMT(3, fmt) ARG_PAT(4, pat)
    GVariant *data = make_data(c, (guint64)(uint32_t)stride * (uint32_t)h, (uint32_t)stride,
                               layout_from_pixman(fmt), &pat, 0, 0, (uint32_t)w, (uint32_t)h);
    if (!data) {
        return;
    }
    do_call(IFACE_LISTENER, "Scanout",
            g_variant_new("(uuuu@ay)", (uint32_t)w, (uint32_t)h, (uint32_t)stride, fmt, data),
            NULL, call_timeout_ms, c->noreply, NULL);
}

static void cmd_update(Cmd *c)
{
    static const char *const ok_opts[] = { "len", NULL };
    if (!check_opts(c, ok_opts)) {
        return;
    }
    ARG_I64(0, x) ARG_I64(1, y) ARG_I64(2, w) ARG_I64(3, h) ARG_I64(4, stride)
    ARG_FMT(5, fmt) ARG_PAT(6, pat)
    guint64 rows = (gint32)h < 0 ? 0 : (uint32_t)(gint32)h;
    guint64 cols = (gint32)w < 0 ? 0 : (uint32_t)(gint32)w;
    GVariant *data = make_data(c, (guint64)(uint32_t)stride * rows, (uint32_t)stride,
                               layout_from_pixman(fmt), &pat, (uint32_t)x, (uint32_t)y,
                               (uint32_t)cols, (uint32_t)rows);
    if (!data) {
        return;
    }
    do_call(IFACE_LISTENER, "Update",
            g_variant_new("(iiiiuu@ay)", (gint32)x, (gint32)y, (gint32)w, (gint32)h,
                          (uint32_t)stride, fmt, data),
            NULL, call_timeout_ms, c->noreply, NULL);
}

static const char *const shm_opts[] = { "fd", "size", "seals", NULL };

/*
 * The part of ScanoutMap and ScanoutDMABUF before the call: the memfd of `needed` bytes filled
 * with the frame (or the odd fd the options ask for), and the fd list with its handle. On
 * failure it reports, releases what it made and returns FALSE.
 */
static gboolean shm_prepare_call(Cmd *c, const char *name, guint64 needed, FrameFill *f,
                                 ShmOut *o, GUnixFDList **l, gint32 *handle)
{
    char *why = NULL;
    if (!build_shm(c, name, needed, frame_filler, f, o, &why)) {
        if (why) {
            FAIL("%s", why);
        }
        g_free(why);
        shm_discard(o);
        return FALSE;
    }
    *l = fd_list_for(c, o->pass_fd, handle, &why);
    if (why) {
        FAIL("%s", why);
        g_free(why);
        shm_discard(o);
        return FALSE;
    }
    return TRUE;
}

/*
 * Makes the call prepared by shm_prepare_call (its detail: the memfd's size), then closes the
 * passed fds and keeps the RW memfd as the surface f describes.
 */
static void shm_call(Cmd *c, ShmOut *o, GUnixFDList *l, const FrameFill *f, const char *iface,
                     const char *method, GVariant *params, int timeout_ms)
{
    char *d = g_strdup_printf("size=%zu", o->map_len);
    do_call(iface, method, params, l, timeout_ms, c->noreply, d);
    g_free(d);
    if (l) {
        g_object_unref(l);
    }
    shm_close_passed(o);
    surface_set(o, f->start, f->w, f->h, f->stride, f->px, opt_or(c, "seals", "qemu"));
    shm_discard(o);
}

static void cmd_scanout_map(Cmd *c)
{
    if (!check_opts(c, shm_opts)) {
        return;
    }
    ARG_I64(0, w) ARG_I64(1, h) ARG_I64(2, stride) ARG_FMT(3, fmt) ARG_I64(4, offset)
    ARG_PAT(5, pat)
    FrameFill f = { (uint32_t)offset, (uint32_t)stride, (uint32_t)w, (uint32_t)h,
                    layout_from_pixman(fmt), pat };
    guint64 needed = (guint64)(uint32_t)offset + (guint64)(uint32_t)stride * (uint32_t)h;
    ShmOut o;
    GUnixFDList *l;
    gint32 handle;
    if (!shm_prepare_call(c, "displaysurface", needed, &f, &o, &l, &handle)) {
        return;
    }
    shm_call(c, &o, l, &f, IFACE_MAP, "ScanoutMap",
             g_variant_new("(huuuuu)", handle, (uint32_t)offset, (uint32_t)w, (uint32_t)h,
                           (uint32_t)stride, fmt),
             qemu_timeout_ms);
}

static void cmd_scanout_dmabuf(Cmd *c)
{
    if (!check_opts(c, shm_opts)) {
        return;
    }
    ARG_I64(0, w) ARG_I64(1, h) ARG_I64(2, stride)
    ARG_FOURCC(3, fourcc) ARG_MODIFIER(4, modifier) ARG_Y0TOP(5, y0top)
    ARG_PAT(6, pat)
    FrameFill f = { 0, (uint32_t)stride, (uint32_t)w, (uint32_t)h, layout_from_fourcc(fourcc), pat };
    guint64 needed = (guint64)(uint32_t)stride * (uint32_t)h;
    ShmOut o;
    GUnixFDList *l;
    gint32 handle;
    if (!shm_prepare_call(c, "fake-dmabuf", needed, &f, &o, &l, &handle)) {
        return;
    }
    shm_call(c, &o, l, &f, IFACE_LISTENER, "ScanoutDMABUF",
             g_variant_new("(huuuutb)", handle, (uint32_t)w, (uint32_t)h, (uint32_t)stride,
                           fourcc, modifier, y0top),
             call_timeout_ms);
}

static gboolean parse_u32_list(const char *s, GArray *out)
{
    char **parts = g_strsplit(s, ",", -1);
    gboolean okk = TRUE;
    for (char **p = parts; *p; p++) {
        gint64 v;
        if (!**p && !p[1] && p == parts) {
            break; /* empty list */
        }
        if (!parse_i64(*p, &v)) {
            okk = FALSE;
            break;
        }
        uint32_t u = (uint32_t)v;
        g_array_append_val(out, u);
    }
    g_strfreev(parts);
    return okk;
}

typedef struct {
    GArray *offsets, *strides;
    guint64 *rows;
    int plane;       /* plane to fill, -1 = all (shared memfd) */
    uint32_t bw, bh;
    PixLayout px;
    Pattern pat;
} PlaneFill;

static void plane_filler(uint8_t *map, size_t len, gpointer ud)
{
    PlaneFill *f = ud;
    for (guint i = 0; i < f->offsets->len && i < f->strides->len; i++) {
        if (f->plane >= 0 && (int)i != f->plane) {
            continue;
        }
        guint64 off = g_array_index(f->offsets, uint32_t, i);
        uint32_t stride = g_array_index(f->strides, uint32_t, i);
        if (i == 0) {
            fill_region(map, len, off, stride, f->px, &f->pat, 0, 0, f->bw, f->bh);
        } else {
            Pattern p = { P_FILL, (0x80u + i) * 0x01010101u, 0 };
            PixLayout raw = { L_RAW32, 1 };
            fill_region(map, len, off, stride, raw, &p, 0, 0, stride, (uint32_t)f->rows[i]);
        }
    }
}

static void cmd_scanout_dmabuf2(Cmd *c)
{
    static const char *const ok_opts[] = { "fd", "size", "seals", "fds", "nfds", NULL };
    if (!check_opts(c, ok_opts)) {
        return;
    }
    ARG_I64(0, x) ARG_I64(1, y) ARG_I64(2, w) ARG_I64(3, h) ARG_I64(4, bw) ARG_I64(5, bh)
    ARG_FOURCC(6, fourcc) ARG_MODIFIER(7, modifier) ARG_Y0TOP(8, y0top)
    ARG_I64(9, nplanes)
    GArray *offs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *strides = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    guint64 rows[64];
    const char *mode = opt_or(c, "fds", "shared");
    guint64 nfds = 0;
    gboolean nfds_given;
    Pattern pat;
    GUnixFDList *l = g_unix_fd_list_new();
    GVariantBuilder hb;
    ShmOut outs[64];
    g_variant_builder_init(&hb, G_VARIANT_TYPE("ah"));
    int nouts = 0;
    GString *det = g_string_new(NULL);
    char *why = NULL;

    if (!parse_u32_list(c->pos[10], offs) || !parse_u32_list(c->pos[11], strides)) {
        USAGE("bad OFFSETS or STRIDES list");
        goto out;
    }
    if (!parse_pattern(c->pos[12], &pat)) {
        USAGE("bad pattern: %s", c->pos[12]);
        goto out;
    }
    if (strcmp(mode, "shared") && strcmp(mode, "per-plane") && strcmp(mode, "one-index")) {
        USAGE("fds must be shared, per-plane or one-index");
        goto out;
    }
    if (!opt_u64(c, "nfds", &nfds, &nfds_given)) {
        goto out;
    }
    guint nplanes_data = MIN(offs->len, strides->len);
    if (nplanes_data > 64) {
        USAGE("at most 64 planes");
        goto out;
    }
    guint64 shared_size = 0;
    for (guint i = 0; i < nplanes_data; i++) {
        rows[i] = (i > 0 && fourcc_subsampled(fourcc)) ? ((uint32_t)bh + 1) / 2 : (uint32_t)bh;
        guint64 end = g_array_index(offs, uint32_t, i) +
                      (guint64)g_array_index(strides, uint32_t, i) * rows[i];
        shared_size = MAX(shared_size, end);
    }
    PlaneFill pf = { offs, strides, rows, -1, (uint32_t)bw, (uint32_t)bh,
                     layout_from_fourcc(fourcc), pat };
    guint handles = nfds_given ? (guint)MIN(nfds, 64) : MAX(nplanes_data, 1);

    if (!strcmp(mode, "per-plane")) {
        for (guint i = 0; i < MAX(nplanes_data, 1) && i < handles; i++) {
            guint64 need = nplanes_data ? g_array_index(offs, uint32_t, i) +
                           (guint64)g_array_index(strides, uint32_t, i) * rows[i] : 0;
            pf.plane = (int)i;
            if (!build_shm(c, "fake-dmabuf", need, plane_filler, &pf, &outs[nouts], &why)) {
                nouts++;
                if (why) {
                    FAIL("plane %u: %s", i, why);
                }
                goto out;
            }
            nouts++;
        }
    } else {
        if (!build_shm(c, "fake-dmabuf", shared_size, plane_filler, &pf, &outs[0], &why)) {
            nouts = 1;
            if (why) {
                FAIL("%s", why);
            }
            goto out;
        }
        nouts = 1;
    }
    for (guint i = 0; i < handles; i++) {
        ShmOut *o = &outs[!strcmp(mode, "per-plane") ? MIN(i, (guint)nouts - 1) : 0];
        gint32 h = 0;
        if (o->pass_fd >= 0) {
            if (!strcmp(mode, "one-index")) {
                if (g_unix_fd_list_get_length(l) == 0) {
                    g_unix_fd_list_append(l, o->pass_fd, NULL);
                }
                h = 0;
            } else {
                h = g_unix_fd_list_append(l, o->pass_fd, NULL); /* QEMU: one append per plane */
            }
        }
        if (opt(c, "fd") && !strcmp(opt(c, "fd"), "badindex")) {
            h = 7 + (gint32)i;
        }
        g_variant_builder_add(&hb, "h", h);
    }
    for (int i = 0; i < nouts; i++) {
        g_string_append_printf(det, "%ssize%d=%zu", i ? " " : "", i, outs[i].map_len);
    }
    do_call(IFACE_DMABUF2, "ScanoutDMABUF2",
            g_variant_new("(ahuuuu@au@auuuuutb)", &hb, (uint32_t)x, (uint32_t)y, (uint32_t)w,
                          (uint32_t)h,
                          g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, offs->data, offs->len, 4),
                          g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, strides->data,
                                                    strides->len, 4),
                          (uint32_t)nplanes, fourcc, (uint32_t)bw, (uint32_t)bh, modifier, y0top),
            l, call_timeout_ms, c->noreply, det->str);
    /* plane 0's memfd becomes the drawable surface */
    for (int i = 0; i < nouts; i++) {
        shm_close_passed(&outs[i]);
    }
    if (nouts > 0 && offs->len > 0 && strides->len > 0) {
        surface_set(&outs[0], g_array_index(offs, uint32_t, 0), (uint32_t)bw, (uint32_t)bh,
                    g_array_index(strides, uint32_t, 0), pf.px, opt_or(c, "seals", "qemu"));
    }
    goto done;
out:
    g_variant_builder_clear(&hb);
done:
    for (int i = 0; i < nouts; i++) {
        shm_discard(&outs[i]);
    }
    g_free(why);
    g_object_unref(l);
    g_string_free(det, TRUE);
    g_array_unref(offs);
    g_array_unref(strides);
}

static void cmd_draw(Cmd *c)
{
    if (!check_opts(c, (const char *const[]){ NULL })) {
        return;
    }
    ARG_I64(0, x) ARG_I64(1, y) ARG_I64(2, w) ARG_I64(3, h) ARG_PAT(4, pat)
    struct stat st;
    if (!cur.map) {
        FAIL("no drawable surface (scanout-map / scanout-dmabuf with a memfd first)");
        return;
    }
    if (!cur.writable) {
        FAIL("surface is write-sealed");
        return;
    }
    if (fstat(cur.fd, &st) < 0) {
        FAIL("fstat: %s", g_strerror(errno));
        return;
    }
    /* clip to the surface, then never touch bytes past the memfd's current end (SIGBUS) */
    gint64 x0 = MAX(x, 0), y0 = MAX(y, 0);
    gint64 x1 = MIN(x + w, (gint64)cur.width), y1 = MIN(y + h, (gint64)cur.height);
    size_t limit = MIN(cur.map_len, (size_t)st.st_size);
    if (x1 <= x0 || y1 <= y0) {
        out_line("ok drew=0x0");
        return;
    }
    fill_region(cur.map, limit, cur.offset + (guint64)y0 * cur.stride + (guint64)x0 * cur.px.bpp,
                cur.stride, cur.px, &pat, (uint32_t)x0, (uint32_t)y0, (uint32_t)(x1 - x0),
                (uint32_t)(y1 - y0));
    out_line("ok drew=%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " file-size=%lld", x1 - x0, y1 - y0,
             (long long)st.st_size);
}

static void cmd_rect_call(Cmd *c, const char *iface, const char *method, int timeout)
{
    if (!check_opts(c, (const char *const[]){ NULL })) {
        return;
    }
    ARG_I64(0, x) ARG_I64(1, y) ARG_I64(2, w) ARG_I64(3, h)
    do_call(iface, method, g_variant_new("(iiii)", (gint32)x, (gint32)y, (gint32)w, (gint32)h),
            NULL, timeout, c->noreply, NULL);
}

static void cmd_update_map(Cmd *c) { cmd_rect_call(c, IFACE_MAP, "UpdateMap", call_timeout_ms); }
/*
 * One UpdateDMABUF awaited the way QEMU awaits it (dbus_call_update_gl: graphic_hw_gl_block(con, true),
 * the call with DBUS_DEFAULT_TIMEOUT, unblocked in the reply's callback). The reply time is the
 * time the console's GL stayed blocked; it is added to the gl statistics.
 */
static gboolean gl_update_call(gint32 x, gint32 y, gint32 w, gint32 h, gint64 *ns, GError **err)
{
    gint64 t0 = now_ns();
    GVariant *r = g_dbus_connection_call_sync(conn, NULL, LISTENER_PATH, IFACE_LISTENER, "UpdateDMABUF",
                                              g_variant_new("(iiii)", x, y, w, h), NULL,
                                              G_DBUS_CALL_FLAGS_NONE, qemu_timeout_ms, NULL, err);
    *ns = now_ns() - t0;
    gl_updates++;
    gl_sum_ns += *ns;
    gl_max_ns = MAX(gl_max_ns, *ns);
    if (!r) {
        gl_update_errors++;
        return FALSE;
    }
    g_variant_unref(r);
    return TRUE;
}

static void cmd_update_dmabuf(Cmd *c)
{
    if (c->noreply) {
        cmd_rect_call(c, IFACE_LISTENER, "UpdateDMABUF", qemu_timeout_ms);
        return;
    }
    if (!check_opts(c, (const char *const[]){ NULL })) {
        return;
    }
    ARG_I64(0, x) ARG_I64(1, y) ARG_I64(2, w) ARG_I64(3, h)
    GError *err = NULL;
    gint64 ns;
    if (!gl_update_call((gint32)x, (gint32)y, (gint32)w, (gint32)h, &ns, &err)) {
        char *sfx = g_strdup_printf(" (gl blocked %" G_GINT64_FORMAT " ns)", ns);
        out_gerror(err, sfx);
        g_free(sfx);
        g_error_free(err);
        return;
    }
    out_line("ok ns=%" G_GINT64_FORMAT " blocked-ns=%" G_GINT64_FORMAT, ns, ns);
}

static void cmd_truncate(Cmd *c)
{
    ARG_I64(0, n)
    if (cur.fd < 0) {
        FAIL("no current memfd");
        return;
    }
    if (ftruncate(cur.fd, (off_t)n) < 0) {
        FAIL("ftruncate: %s", g_strerror(errno));
        return;
    }
    out_line("ok size=%" G_GINT64_FORMAT, n);
}

static void cmd_disable(Cmd *c)
{
    do_call(IFACE_LISTENER, "Disable", g_variant_new("()"), NULL, call_timeout_ms, c->noreply, NULL);
}

static void cmd_mouse_set(Cmd *c)
{
    ARG_I64(0, x) ARG_I64(1, y) ARG_I64(2, on)
    do_call(IFACE_LISTENER, "MouseSet", g_variant_new("(iii)", (gint32)x, (gint32)y, (gint32)on),
            NULL, call_timeout_ms, c->noreply, NULL);
}

static void cmd_cursor_define(Cmd *c)
{
    static const char *const ok_opts[] = { "len", NULL };
    if (!check_opts(c, ok_opts)) {
        return;
    }
    ARG_I64(0, w) ARG_I64(1, h) ARG_I64(2, hx) ARG_I64(3, hy) ARG_PAT(4, pat)
    guint64 cw = (gint32)w < 0 ? 0 : (uint32_t)w, ch = (gint32)h < 0 ? 0 : (uint32_t)h;
    GVariant *data = make_data(c, cw * ch * 4, cw * 4, (PixLayout){ L_ARGB32, 4 }, &pat, 0, 0,
                               (uint32_t)cw, (uint32_t)ch);
    if (!data) {
        return;
    }
    do_call(IFACE_LISTENER, "CursorDefine",
            g_variant_new("(iiii@ay)", (gint32)w, (gint32)h, (gint32)hx, (gint32)hy, data),
            NULL, call_timeout_ms, c->noreply, NULL);
}

static void cmd_ping(Cmd *c)
{
    (void)c;
    do_call(IFACE_PROPS, "Get", g_variant_new("(ss)", IFACE_LISTENER, "Interfaces"), NULL,
            call_timeout_ms, FALSE, NULL);
}

/* raw-call [fds=..] [path=..] [timeout=..] METHOD SIGNATURE TEXT */
static void cmd_raw_call(Cmd *c)
{
    const char *p = c->rest;
    const char *path = LISTENER_PATH;
    char *path_owned = NULL, *fds_spec = NULL, *method = NULL, *sig = NULL;
    int timeout = call_timeout_ms;
    GError *err = NULL;
    GUnixFDList *l = g_unix_fd_list_new();
    GArray *to_close = g_array_new(FALSE, FALSE, sizeof(int));
    GVariant *body = NULL;

    for (;;) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        const char *e = p;
        while (*e && *e != ' ' && *e != '\t') {
            e++;
        }
        char *tok = g_strndup(p, e - p);
        if (g_str_has_prefix(tok, "fds=")) {
            g_free(fds_spec);
            fds_spec = g_strdup(tok + 4);
        } else if (g_str_has_prefix(tok, "path=")) {
            g_free(path_owned);
            path = path_owned = g_strdup(tok + 5);
        } else if (g_str_has_prefix(tok, "timeout=")) {
            gint64 v;
            if (!parse_i64(tok + 8, &v)) {
                USAGE("bad timeout");
                g_free(tok);
                goto out;
            }
            timeout = (int)v;
        } else if (!method) {
            method = tok;
            tok = NULL;
        } else {
            sig = tok;
            p = e;
            break;
        }
        g_free(tok);
        p = e;
        if (!*p) {
            break;
        }
    }
    if (!method || !sig) {
        USAGE("raw-call [fds=..] [path=..] [timeout=..] METHOD SIGNATURE GVARIANT-TEXT");
        goto out;
    }
    if (!g_variant_type_string_is_valid(sig) || sig[0] != '(') {
        USAGE("SIGNATURE must be a tuple type like (uuuuay): %s", sig);
        goto out;
    }
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    body = g_variant_parse(G_VARIANT_TYPE(sig), *p ? p : "()", NULL, NULL, &err);
    if (!body) {
        char *m = one_line(err->message);
        USAGE("GVariant text: %s", m);
        g_free(m);
        g_clear_error(&err);
        goto out;
    }
    if (fds_spec && *fds_spec) {
        char **specs = g_strsplit(fds_spec, ",", -1);
        for (char **s = specs; *s; s++) {
            int fd = -1, other = -1;
            char *why = NULL;
            if (g_str_has_prefix(*s, "memfd:") || g_str_has_prefix(*s, "file:")) {
                guint64 size;
                uint8_t *map = NULL;
                const char *num = strchr(*s, ':') + 1;
                if (!parse_u64(num, &size) || size > max_data) {
                    USAGE("bad size in %s", *s);
                    g_strfreev(specs);
                    goto out;
                }
                fd = make_shm("raw", g_str_has_prefix(*s, "file:") ? "file" : "memfd", "qemu",
                              size, &map, &why);
                if (map) {
                    munmap(map, size);
                }
            } else {
                fd = make_odd_fd(*s, &other, &why);
            }
            if (fd < 0) {
                FAIL("%s", why ? why : "fd");
                g_free(why);
                g_strfreev(specs);
                goto out;
            }
            g_unix_fd_list_append(l, fd, NULL);
            g_array_append_val(to_close, fd);
            if (other >= 0) {
                g_array_append_val(to_close, other);
            }
        }
        g_strfreev(specs);
    }
    const char *dot = strrchr(method, '.');
    char *iface = dot ? g_strndup(method, dot - method) : g_strdup(IFACE_LISTENER);
    const char *member = dot ? dot + 1 : method;
    if (c->noreply) {
        GDBusMessage *m = g_dbus_message_new_method_call(NULL, path, iface, member);
        guint32 serial = 0;
        g_dbus_message_set_body(m, body);
        body = NULL;
        g_dbus_message_set_unix_fd_list(m, l);
        g_dbus_message_set_flags(m, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
        if (g_dbus_connection_send_message(conn, m, G_DBUS_SEND_MESSAGE_FLAGS_NONE, &serial, &err)) {
            out_line("ok sent serial=%u", serial);
        } else {
            out_gerror(err, NULL);
            g_clear_error(&err);
        }
        g_object_unref(m);
    } else {
        GUnixFDList *out_fds = NULL;
        gint64 t0 = now_ns();
        GVariant *r = g_dbus_connection_call_with_unix_fd_list_sync(
            conn, NULL, path, iface, member, body, NULL, G_DBUS_CALL_FLAGS_NONE, timeout,
            g_unix_fd_list_get_length(l) ? l : NULL, &out_fds, NULL, &err);
        body = NULL;
        gint64 t1 = now_ns();
        if (out_fds) {
            g_object_unref(out_fds);
        }
        if (r) {
            char *pr = g_variant_print(r, FALSE);
            char *ol = one_line(pr);
            out_line("ok ns=%" G_GINT64_FORMAT " reply=%s", t1 - t0, ol);
            g_free(pr);
            g_free(ol);
            g_variant_unref(r);
        } else {
            out_gerror(err, NULL);
            g_clear_error(&err);
        }
    }
    g_free(iface);
out:
    if (body) {
        g_variant_unref(g_variant_ref_sink(body));
    }
    for (guint i = 0; i < to_close->len; i++) {
        close(g_array_index(to_close, int, i));
    }
    g_array_unref(to_close);
    g_object_unref(l);
    g_free(path_owned);
    g_free(fds_spec);
    g_free(method);
    g_free(sig);
}

/* ------------------------------------------------------------------ benchmarks */

typedef struct {
    int outstanding;
    int errors;
    char *first_err;
} Window;

static void window_cb(GObject *src, GAsyncResult *res, gpointer ud)
{
    Window *w = ud;
    GError *e = NULL;
    GVariant *r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &e);
    if (r) {
        g_variant_unref(r);
    } else {
        if (!w->errors++) {
            w->first_err = error_text(e);
        }
        g_error_free(e);
    }
    w->outstanding--;
}

typedef GVariant *(*MakeParams)(gpointer ud);

/* Sends n calls; returns elapsed ns or -1 (error already printed). */
static gint64 bench_loop(const char *iface, const char *method, MakeParams mk, gpointer ud,
                         guint64 n, guint64 window, gboolean noreply)
{
    Window w = { 0 };
    GError *err = NULL;
    GMainContext *ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    gint64 t0 = now_ns();
    guint64 i;
    for (i = 0; i < n; i++) {
        if (noreply) {
            GDBusMessage *m = g_dbus_message_new_method_call(NULL, LISTENER_PATH, iface, method);
            g_dbus_message_set_body(m, mk(ud));
            g_dbus_message_set_flags(m, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
            gboolean okk = g_dbus_connection_send_message(conn, m, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                          NULL, &err);
            g_object_unref(m);
            if (!okk || ((i + 1) % window == 0 && !ping_sync(&err))) {
                break;
            }
        } else if (window <= 1) {
            GVariant *r = g_dbus_connection_call_sync(conn, NULL, LISTENER_PATH, iface, method,
                                                      mk(ud), NULL, G_DBUS_CALL_FLAGS_NONE,
                                                      call_timeout_ms, NULL, &err);
            if (!r) {
                break;
            }
            g_variant_unref(r);
        } else {
            while (w.outstanding >= (int)window) {
                g_main_context_iteration(ctx, TRUE);
            }
            if (w.errors) {
                break;
            }
            g_dbus_connection_call(conn, NULL, LISTENER_PATH, iface, method, mk(ud), NULL,
                                   G_DBUS_CALL_FLAGS_NONE, call_timeout_ms, NULL, window_cb, &w);
            w.outstanding++;
        }
    }
    while (w.outstanding > 0) {
        g_main_context_iteration(ctx, TRUE);
    }
    if (!err && noreply && i == n && !ping_sync(&err)) {
        /* final barrier failed: err set */
    }
    gint64 t1 = now_ns();
    g_main_context_pop_thread_default(ctx);
    g_main_context_unref(ctx);
    if (err || w.errors) {
        char *suffix = g_strdup_printf(" (after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                       " calls)", i, n);
        if (err) {
            out_gerror(err, suffix);
            g_error_free(err);
        } else {
            out_line("err %s%s", w.first_err, suffix);
        }
        g_free(w.first_err);
        g_free(suffix);
        return -1;
    }
    return t1 - t0;
}

typedef struct {
    uint32_t w, h, stride, fmt;
    GVariant *data;
} BenchFrame;

static GVariant *mk_update(gpointer ud)
{
    BenchFrame *f = ud;
    return g_variant_new("(iiiiuu@ay)", 0, 0, (gint32)f->w, (gint32)f->h, f->stride, f->fmt, f->data);
}

static GVariant *mk_update_map(gpointer ud)
{
    BenchFrame *f = ud;
    return g_variant_new("(iiii)", 0, 0, (gint32)f->w, (gint32)f->h);
}

static gboolean bench_args(Cmd *c, BenchFrame *f, guint64 *n, guint64 *window, Pattern *pat)
{
    static const char *const ok_opts[] = { "window", "format", "pattern", NULL };
    gint64 w, h, nn;
    gboolean given;
    if (!check_opts(c, ok_opts)) {
        return FALSE;
    }
    if (!parse_i64(c->pos[0], &w) || !parse_i64(c->pos[1], &h) || !parse_i64(c->pos[2], &nn) ||
        w <= 0 || h <= 0 || nn < 0 || w > 16384 || h > 16384) {
        USAGE("bench-*: W H N positive numbers (W, H <= 16384)");
        return FALSE;
    }
    *window = c->noreply ? 16 : 1;
    if (!opt_u64(c, "window", window, &given)) {
        return FALSE;
    }
    if (*window == 0) {
        *window = 1;
    }
    f->fmt = 0x20020888;
    if (opt(c, "format") && !parse_format(opt(c, "format"), &f->fmt)) {
        USAGE("bad format");
        return FALSE;
    }
    *pat = (Pattern){ P_NOISE, 0, 1 };
    if (opt(c, "pattern") && !parse_pattern(opt(c, "pattern"), pat)) {
        USAGE("bad pattern");
        return FALSE;
    }
    f->w = (uint32_t)w;
    f->h = (uint32_t)h;
    f->stride = (uint32_t)w * 4;
    *n = (guint64)nn;
    if ((guint64)f->stride * f->h > max_data) {
        USAGE("frame larger than max-data");
        return FALSE;
    }
    return TRUE;
}

static void bench_report(gint64 ns, guint64 n, guint64 frame_bytes)
{
    double s = ns / 1e9;
    out_line("ok n=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT " ns=%" G_GINT64_FORMAT
             " fps=%.1f mbps=%.1f", n, n * frame_bytes, ns, s > 0 ? n / s : 0.0,
             s > 0 ? n * frame_bytes / s / 1e6 : 0.0);
}

static void cmd_bench_update(Cmd *c)
{
    BenchFrame f;
    guint64 n, window;
    Pattern pat;
    GError *err = NULL;
    if (!bench_args(c, &f, &n, &window, &pat)) {
        return;
    }
    size_t len = (size_t)f.stride * f.h;
    uint8_t *buf = g_malloc(len);
    fill_region(buf, len, 0, f.stride, layout_from_pixman(f.fmt), &pat, 0, 0, f.w, f.h);
    f.data = g_variant_ref_sink(
        g_variant_new_from_data(G_VARIANT_TYPE_BYTESTRING, buf, len, TRUE, g_free, buf));
    GVariant *r = g_dbus_connection_call_sync(
        conn, NULL, LISTENER_PATH, IFACE_LISTENER, "Scanout",
        g_variant_new("(uuuu@ay)", f.w, f.h, f.stride, f.fmt, f.data), NULL,
        G_DBUS_CALL_FLAGS_NONE, call_timeout_ms, NULL, &err);
    if (!r) {
        out_gerror(err, " (initial Scanout)");
        g_error_free(err);
    } else {
        g_variant_unref(r);
        gint64 ns = bench_loop(IFACE_LISTENER, "Update", mk_update, &f, n, window, c->noreply);
        if (ns >= 0) {
            bench_report(ns, n, len);
        }
    }
    g_variant_unref(f.data);
}

/*
 * A bench's first frame: a memfd named `name` filled with the pattern, passed once with
 * `method` (handle 0) and kept as the surface. Returns FALSE after reporting a failure.
 */
static gboolean bench_first_frame(const char *name, const BenchFrame *f, PixLayout px,
                                  const Pattern *pat, const char *iface, const char *method,
                                  GVariant *params, int timeout_ms)
{
    size_t len = (size_t)f->stride * f->h;
    uint8_t *map = NULL;
    char *why = NULL;
    GError *err = NULL;
    g_variant_ref_sink(params); /* ours until the call, also when it is never made */
    int fd = make_shm(name, "memfd", "qemu", len, &map, &why);
    if (fd < 0) {
        FAIL("%s", why);
        g_free(why);
        g_variant_unref(params);
        return FALSE;
    }
    fill_region(map, len, 0, f->stride, px, pat, 0, 0, f->w, f->h);
    GUnixFDList *l = g_unix_fd_list_new();
    g_unix_fd_list_append(l, fd, NULL);
    GVariant *r = g_dbus_connection_call_with_unix_fd_list_sync(
        conn, NULL, LISTENER_PATH, iface, method, params, NULL,
        G_DBUS_CALL_FLAGS_NONE, timeout_ms, l, NULL, NULL, &err);
    g_variant_unref(params);
    g_object_unref(l);
    ShmOut o = { .pass_fd = -1, .keep_fd = fd, .map = map, .map_len = len, .extra_close = -1 };
    surface_set(&o, 0, f->w, f->h, f->stride, px, "qemu");
    if (!r) {
        char *suffix = g_strdup_printf(" (initial %s)", method);
        out_gerror(err, suffix);
        g_free(suffix);
        g_error_free(err);
        return FALSE;
    }
    g_variant_unref(r);
    return TRUE;
}

static GVariant *mk_update_dmabuf(gpointer ud)
{
    BenchFrame *f = ud;
    return g_variant_new("(iiii)", 0, 0, (gint32)f->w, (gint32)f->h);
}

#define BENCH_FOURCC ('X' | 'R' << 8 | '2' << 16 | (uint32_t)'4' << 24)

/* What bench-map and bench-dmabuf differ in: the first frame's call and the damage call. */
typedef struct {
    const char *memfd_name;
    const char *iface;        /* of the first frame's call */
    const char *first_call;
    int first_timeout_ms;
    const char *update_iface;
    const char *update_call;
    MakeParams mk_update;
    gboolean dmabuf;
} BenchPath;

/* bench-map / bench-dmabuf: a first frame in a memfd, then n awaited damage calls on it. */
static void bench_shared(Cmd *c, const BenchPath *bp)
{
    BenchFrame f;
    guint64 n, window;
    Pattern pat;
    if (!bench_args(c, &f, &n, &window, &pat)) {
        return;
    }
    PixLayout px = bp->dmabuf ? layout_from_fourcc(BENCH_FOURCC) : layout_from_pixman(f.fmt);
    GVariant *first = bp->dmabuf
        ? g_variant_new("(huuuutb)", 0, f.w, f.h, f.stride, BENCH_FOURCC, (guint64)0, TRUE)
        : g_variant_new("(huuuuu)", 0, 0u, f.w, f.h, f.stride, f.fmt);
    if (!bench_first_frame(bp->memfd_name, &f, px, &pat, bp->iface, bp->first_call, first,
                           bp->first_timeout_ms)) {
        return;
    }
    gint64 ns = bench_loop(bp->update_iface, bp->update_call, bp->mk_update, &f, n, window, c->noreply);
    if (ns >= 0) {
        bench_report(ns, n, (size_t)f.stride * f.h);
    }
}

static void cmd_bench_map(Cmd *c)
{
    const BenchPath bp = { "displaysurface", IFACE_MAP, "ScanoutMap", qemu_timeout_ms,
                           IFACE_MAP, "UpdateMap", mk_update_map, FALSE };
    bench_shared(c, &bp);
}

static void cmd_bench_dmabuf(Cmd *c)
{
    const BenchPath bp = { "fake-dmabuf", IFACE_LISTENER, "ScanoutDMABUF", call_timeout_ms,
                           IFACE_LISTENER, "UpdateDMABUF", mk_update_dmabuf, TRUE };
    bench_shared(c, &bp);
}

/* ------------------------------------------------------------------ misc commands */

/* ------------------------------------------------------------------ audio in (QEMU's audio/dbusaudio.c) */

static void cmd_audio_in_init(Cmd *c)
{
    ARG_I64(0, id) ARG_I64(1, bits) ARG_I64(2, freq) ARG_I64(3, nch)
    guint32 bpf = (guint32)(nch * (bits / 8));
    do_call_at(AUDIO_IN_PATH, IFACE_AUDIO_IN, "Init",
               g_variant_new("(tybbuyuub)", (guint64)id, (guchar)bits, TRUE, FALSE, (guint32)freq,
                             (guchar)nch, bpf, (guint32)(bpf * (guint64)freq), FALSE),
               NULL, call_timeout_ms, c->noreply, NULL);
}

static void cmd_audio_in_enable(Cmd *c)
{
    ARG_I64(0, id) ARG_BOOL(1, on, "enabled")
    do_call_at(AUDIO_IN_PATH, IFACE_AUDIO_IN, "SetEnabled", g_variant_new("(tb)", (guint64)id, on),
               NULL, call_timeout_ms, c->noreply, NULL);
}

static void cmd_audio_in_volume(Cmd *c)
{
    ARG_I64(0, id) ARG_BOOL(1, mute, "mute")
    GArray *levels = g_array_new(FALSE, FALSE, sizeof(guint32));
    if (!parse_u32_list(c->pos[2], levels)) {
        USAGE("bad level list %s", c->pos[2]);
        g_array_unref(levels);
        return;
    }
    guchar *v = g_malloc(levels->len + 1);
    for (guint i = 0; i < levels->len; i++) {
        v[i] = (guchar)g_array_index(levels, guint32, i);
    }
    GVariant *vol = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, v, levels->len, 1);
    g_free(v);
    g_array_unref(levels);
    do_call_at(AUDIO_IN_PATH, IFACE_AUDIO_IN, "SetVolume",
               g_variant_new("(tb@ay)", (guint64)id, mute, vol), NULL, call_timeout_ms,
               c->noreply, NULL);
}

/* Read(t id, t size) -> (ay): synchronous, as QEMU's dbus_read does it from its main loop. */
static void cmd_audio_in_read(Cmd *c)
{
    ARG_I64(0, id)
    guint64 size;
    if (!parse_u64(c->pos[1], &size)) {
        USAGE("bad size %s", c->pos[1]);
        return;
    }
    GError *err = NULL;
    gint64 t0 = now_ns();
    GVariant *r = g_dbus_connection_call_sync(conn, NULL, AUDIO_IN_PATH, IFACE_AUDIO_IN, "Read",
                                              g_variant_new("(tt)", (guint64)id, size),
                                              G_VARIANT_TYPE("(ay)"), G_DBUS_CALL_FLAGS_NONE,
                                              call_timeout_ms, NULL, &err);
    gint64 t1 = now_ns();
    if (!r) {
        out_gerror(err, NULL);
        g_error_free(err);
        return;
    }
    GVariant *data = g_variant_get_child_value(r, 0);
    gsize n = 0;
    const guchar *d = g_variant_get_fixed_array(data, &n, 1);
    guint64 sum = 0;
    GString *hex = g_string_new(NULL);
    for (gsize i = 0; i < n; i++) {
        sum += d[i];
        if (i < 64) {
            g_string_append_printf(hex, "%02x", d[i]);
        }
    }
    out_line("ok ns=%" G_GINT64_FORMAT " len=%" G_GSIZE_FORMAT " sum=%" G_GUINT64_FORMAT " head=%s",
             t1 - t0, n, sum, n ? hex->str : "-");
    g_string_free(hex, TRUE);
    g_variant_unref(data);
    g_variant_unref(r);
}

static void cmd_audio_in_fini(Cmd *c)
{
    ARG_I64(0, id)
    do_call_at(AUDIO_IN_PATH, IFACE_AUDIO_IN, "Fini", g_variant_new("(t)", (guint64)id), NULL,
               call_timeout_ms, c->noreply, NULL);
}

static void cmd_set(Cmd *c)
{
    gint64 v;
    if (!parse_i64(c->pos[1], &v) || v < 0) {
        USAGE("set KEY VALUE: VALUE must be a non-negative number");
        return;
    }
    if (!strcmp(c->pos[0], "timeout")) {
        call_timeout_ms = (int)v;
    } else if (!strcmp(c->pos[0], "qemu-timeout")) {
        qemu_timeout_ms = (int)v;
    } else if (!strcmp(c->pos[0], "max-data")) {
        max_data = (guint64)v;
    } else {
        USAGE("set: unknown key %s (timeout, qemu-timeout, max-data)", c->pos[0]);
        return;
    }
    out_line("ok %s=%" G_GINT64_FORMAT, c->pos[0], v);
}

static void cmd_fds(Cmd *c)
{
    (void)c;
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (!d) {
        FAIL("opendir /proc/self/fd: %s", g_strerror(errno));
        return;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] != '.') {
            n++;
        }
    }
    closedir(d);
    out_line("ok open-fds=%d", n - 1); /* minus the DIR's own fd */
}

static void cmd_echo(Cmd *c)
{
    const char *p = c->rest;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    out_line("ok %s", p);
}

static void cmd_sleep(Cmd *c)
{
    gint64 ms;
    if (!parse_i64(c->pos[0], &ms) || ms < 0) {
        USAGE("sleep MS");
        return;
    }
    g_usleep((gulong)ms * 1000);
    out_line("ok");
}

static void finish(const char *reason, int code) G_GNUC_NORETURN;
static void finish(const char *reason, int code)
{
    g_atomic_int_set(&quitting, 1);
    if (socket_path) {
        unlink(socket_path); /* not connected yet */
    }
    if (conn) {
        g_dbus_connection_flush_sync(conn, NULL, NULL);
        g_dbus_connection_close_sync(conn, NULL, NULL);
    }
    out_line("closed %s", reason);
    _exit(code);
}

static void cmd_hangup(Cmd *c)
{
    (void)c;
    out_line("ok hangup");
    finish("hangup", 0);
}

/* ------------------------------------------------------------------ dispatch */

/* ------------------------------------------------------------------ gl=on mode */

static void run_command(char *line);

/* Why QEMU with gl=on would send this scanout to nobody, or NULL when it sends it. */
static const char *gl_drop_reason(guint64 nplanes)
{
    if (!peer_fds) {
        /* QEMU appends the fd to a GUnixFDList; GDBus refuses to send it on a connection
         * without fd passing, and nothing reaches the listener */
        return "no-fd-passing";
    }
    if (nplanes > 1 && !peer_dmabuf2) {
        /* dbus_scanout_dmabuf: g_debug("... does not support mutli plane"); return */
        return "multi-plane-without-ScanoutDMABUF2";
    }
    return NULL;
}

/* Runs `fn` on a command built from `fmt` with the options of `c` (a rewritten scanout). */
static void gl_run_as(Cmd *c, void (*fn)(Cmd *c), const char *text)
{
    char **toks = g_strsplit(text, " ", -1);
    Cmd c2 = *c;
    c2.pos = toks;
    c2.npos = (int)g_strv_length(toks);
    c2.rest = text;
    fn(&c2);
    g_strfreev(toks);
}

/*
 * scanout-dmabuf under gl=on: QEMU 10.1+ sends every scanout as ScanoutDMABUF2 to a listener
 * that implements it (one plane, x=y=0, backing = visible size), ScanoutDMABUF otherwise.
 */
static void cmd_scanout_dmabuf_gl(Cmd *c)
{
    if (!gl_mode) {
        cmd_scanout_dmabuf(c);
        return;
    }
    const char *why = gl_drop_reason(1);
    if (why) {
        out_line("ok dropped reason=%s", why);
        return;
    }
    if (!peer_dmabuf2) {
        cmd_scanout_dmabuf(c);
        return;
    }
    /* W H STRIDE FOURCC MODIFIER Y0TOP PATTERN -> X Y W H BW BH FOURCC MOD Y0TOP 1 0 STRIDE PATTERN */
    char *text = g_strdup_printf("0 0 %s %s %s %s %s %s %s 1 0 %s %s", c->pos[0], c->pos[1], c->pos[0],
                                 c->pos[1], c->pos[3], c->pos[4], c->pos[5], c->pos[2], c->pos[6]);
    gl_run_as(c, cmd_scanout_dmabuf2, text);
    g_free(text);
}

/*
 * scanout-dmabuf2 under gl=on: dropped for a listener without fd passing, and a multi-plane
 * buffer for one without ScanoutDMABUF2; a one-plane buffer goes to such a listener as
 * ScanoutDMABUF (without x/y: QEMU's "FIXME: add missing x/y/w/h support").
 */
static void cmd_scanout_dmabuf2_gl(Cmd *c)
{
    if (!gl_mode) {
        cmd_scanout_dmabuf2(c);
        return;
    }
    guint64 nplanes;
    if (!parse_u64(c->pos[9], &nplanes)) {
        USAGE("bad NPLANES %s", c->pos[9]);
        return;
    }
    const char *why = gl_drop_reason(nplanes);
    if (why) {
        out_line("ok dropped reason=%s", why);
        return;
    }
    if (peer_dmabuf2) {
        cmd_scanout_dmabuf2(c);
        return;
    }
    char **strides = g_strsplit(c->pos[11], ",", -1);
    char *text = g_strdup_printf("%s %s %s %s %s %s %s", c->pos[2], c->pos[3], strides[0] ? strides[0] : "0",
                                 c->pos[6], c->pos[7], c->pos[8], c->pos[12]);
    gl_run_as(c, cmd_scanout_dmabuf, text);
    g_free(text);
    g_strfreev(strides);
}

/*
 * gl-refresh N [rect=X,Y,W,H] [interval=US]: QEMU's GL refresh loop (dbus_gl_refresh) for N
 * refreshes: each sends UpdateDMABUF for the damage and blocks the console's GL until the reply;
 * a refresh that finds the console still blocked is skipped. interval is the display refresh
 * period (default 0: back to back); a reply slower than it costs the guest a refresh (stalls).
 */
static void cmd_gl_refresh(Cmd *c)
{
    static const char *const ok_opts[] = { "rect", "interval", NULL };
    if (!check_opts(c, ok_opts)) {
        return;
    }
    ARG_I64(0, n)
    gint32 rx = 0, ry = 0, rw = cur.width ? (gint32)cur.width : 64, rh = cur.height ? (gint32)cur.height : 64;
    if (opt(c, "rect") && sscanf(opt(c, "rect"), "%d,%d,%d,%d", &rx, &ry, &rw, &rh) != 4) {
        USAGE("rect=X,Y,W,H");
        return;
    }
    guint64 interval_us = 0;
    gboolean given;
    if (!opt_u64(c, "interval", &interval_us, &given)) {
        return;
    }
    gint64 max = 0, sum = 0, stalls = 0, errors = 0;
    char *first_err = NULL;
    for (gint64 i = 0; i < n; i++) {
        GError *err = NULL;
        gint64 ns;
        gint64 t0 = now_ns();
        if (!gl_update_call(rx, ry, rw, rh, &ns, &err)) {
            errors++;
            if (!first_err) {
                first_err = error_text(err);
            }
            g_error_free(err);
        }
        max = MAX(max, ns);
        sum += ns;
        if (interval_us > 0) {
            gint64 period = (gint64)interval_us * 1000;
            stalls += ns / period; /* refreshes that found the console blocked */
            gint64 left = period - (now_ns() - t0) % period;
            g_usleep((gulong)(left / 1000));
        }
    }
    out_line("ok n=%" G_GINT64_FORMAT " max-ns=%" G_GINT64_FORMAT " avg-ns=%" G_GINT64_FORMAT
             " stalls=%" G_GINT64_FORMAT " errors=%" G_GINT64_FORMAT "%s%s",
             n, max, n ? sum / n : 0, stalls, errors, first_err ? " first-error=" : "",
             first_err ? first_err : "");
    g_free(first_err);
}

/* gl-stats: every awaited UpdateDMABUF so far (update-dmabuf, gl-refresh) */
static void cmd_gl_stats(Cmd *c)
{
    (void)c;
    out_line("ok gl=%s fd-passing=%s dmabuf2=%s updates=%" G_GUINT64_FORMAT " errors=%" G_GUINT64_FORMAT
             " max-ns=%" G_GINT64_FORMAT " avg-ns=%" G_GINT64_FORMAT,
             gl_mode ? "on" : "off", peer_fds ? "yes" : "no", peer_dmabuf2 ? "yes" : "no", gl_updates,
             gl_update_errors, gl_max_ns, gl_updates ? gl_sum_ns / (gint64)gl_updates : 0);
}

/* repeat N COMMAND...: runs COMMAND N times; prints one line: ok n=N oks=K errs=E [last-err=...] */
static void cmd_repeat(Cmd *c)
{
    const char *p = c->rest;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    char *end;
    guint64 n = g_ascii_strtoull(p, &end, 10);
    if (end == p || (*end != ' ' && *end != '\t')) {
        USAGE("repeat N COMMAND...");
        return;
    }
    const char *body = end;
    while (*body == ' ' || *body == '\t') {
        body++;
    }
    if (g_str_has_prefix(body, "repeat") || g_str_has_prefix(body, "hangup")) {
        USAGE("repeat takes neither repeat nor hangup");
        return;
    }
    g_mutex_lock(&out_lock);
    quiet++;
    quiet_ok = quiet_err = 0;
    g_clear_pointer(&quiet_last_err, g_free);
    g_mutex_unlock(&out_lock);
    gint64 t0 = now_ns();
    for (guint64 i = 0; i < n; i++) {
        char *line = g_strdup(end);
        run_command(line);
        g_free(line);
    }
    gint64 ns = now_ns() - t0;
    g_mutex_lock(&out_lock);
    quiet--;
    guint64 oks = quiet_ok, errs = quiet_err;
    char *last = quiet_last_err;
    quiet_last_err = NULL;
    g_mutex_unlock(&out_lock);
    out_line("ok n=%" G_GUINT64_FORMAT " oks=%" G_GUINT64_FORMAT " errs=%" G_GUINT64_FORMAT " ns=%" G_GINT64_FORMAT
             "%s%s", n, oks, errs, ns, last ? " last-err=" : "", last ? last : "");
    g_free(last);
}

/* Commands QEMU with gl=on never sends on Linux: every surface is a GL texture exported as a DMA-BUF. */
static gboolean gl_refuses(const char *name)
{
    static const char *const copies[] = { "scanout", "update", "scanout-map", "update-map", "bench-update",
                                          "bench-map", NULL };
    if (!gl_mode || !g_strv_contains(copies, name)) {
        return FALSE;
    }
    out_line("err peer.GlMode QEMU with gl=on sends no %s on Linux (DMA-BUF scanouts only; no read-back "
             "to Scanout/Update copies, no shared map)", name);
    return TRUE;
}

typedef struct {
    const char *name;
    int npos;          /* positional args; -1 = takes raw rest of line */
    gboolean calls;    /* accepts the noreply prefix */
    void (*fn)(Cmd *c);
} CmdDef;

static const CmdDef cmds[] = {
    { "scanout", 5, TRUE, cmd_scanout },
    { "update", 7, TRUE, cmd_update },
    { "scanout-map", 6, TRUE, cmd_scanout_map },
    { "scanout-dmabuf", 7, TRUE, cmd_scanout_dmabuf_gl },
    { "scanout-dmabuf2", 13, TRUE, cmd_scanout_dmabuf2_gl },
    { "draw", 5, FALSE, cmd_draw },
    { "update-map", 4, TRUE, cmd_update_map },
    { "update-dmabuf", 4, TRUE, cmd_update_dmabuf },
    { "truncate", 1, FALSE, cmd_truncate },
    { "disable", 0, TRUE, cmd_disable },
    { "mouse-set", 3, TRUE, cmd_mouse_set },
    { "cursor-define", 5, TRUE, cmd_cursor_define },
    { "raw-call", -1, TRUE, cmd_raw_call },
    { "ping", 0, FALSE, cmd_ping },
    { "bench-update", 3, TRUE, cmd_bench_update },
    { "bench-map", 3, TRUE, cmd_bench_map },
    { "bench-dmabuf", 3, TRUE, cmd_bench_dmabuf },
    { "audio-in-init", 4, TRUE, cmd_audio_in_init },
    { "audio-in-enable", 2, TRUE, cmd_audio_in_enable },
    { "audio-in-volume", 3, TRUE, cmd_audio_in_volume },
    { "audio-in-read", 2, FALSE, cmd_audio_in_read },
    { "audio-in-fini", 1, TRUE, cmd_audio_in_fini },
    { "set", 2, FALSE, cmd_set },
    { "fds", 0, FALSE, cmd_fds },
    { "echo", -1, FALSE, cmd_echo },
    { "sleep", 1, FALSE, cmd_sleep },
    { "hangup", 0, FALSE, cmd_hangup },
    { "gl-refresh", 1, FALSE, cmd_gl_refresh },
    { "gl-stats", 0, FALSE, cmd_gl_stats },
    { "repeat", -1, FALSE, cmd_repeat },
};

static void run_command(char *line)
{
    char *p = line;
    gboolean noreply = FALSE;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (!*p || *p == '#') {
        return;
    }
    if (g_str_has_prefix(p, "noreply ") || g_str_has_prefix(p, "noreply\t")) {
        noreply = TRUE;
        p += 8;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
    }
    char *e = p;
    while (*e && *e != ' ' && *e != '\t') {
        e++;
    }
    char *name = g_strndup(p, e - p);
    if (!strcmp(name, "quit")) {
        out_line("ok quit");
        g_free(name);
        finish("quit", 0);
    }
    const CmdDef *def = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        if (!strcmp(cmds[i].name, name)) {
            def = &cmds[i];
        }
    }
    if (!def) {
        USAGE("unknown command %s", name);
        g_free(name);
        return;
    }
    if (conn && gl_refuses(name)) {
        g_free(name);
        return;
    }
    if (noreply && !def->calls) {
        USAGE("%s does not take noreply", name);
        g_free(name);
        return;
    }
    if (!conn) {
        out_line("err peer.NotConnected the listener has not connected yet");
        g_free(name);
        return;
    }
    Cmd c = { 0 };
    c.noreply = noreply;
    c.rest = e;
    c.opt = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char **toks = g_strsplit_set(e, " \t", -1);
    GPtrArray *pos = g_ptr_array_new();
    gboolean bad = FALSE;
    for (char **t = toks; *t; t++) {
        if (!**t) {
            continue;
        }
        if (def->npos >= 0 && (int)pos->len >= def->npos) {
            char *eq = strchr(*t, '=');
            if (!eq) {
                USAGE("%s: unexpected argument %s (options are KEY=VALUE)", name, *t);
                bad = TRUE;
                break;
            }
            g_hash_table_insert(c.opt, g_strndup(*t, eq - *t), g_strdup(eq + 1));
        } else {
            g_ptr_array_add(pos, *t);
        }
    }
    if (!bad && def->npos >= 0 && (int)pos->len < def->npos) {
        USAGE("%s needs %d arguments, got %u", name, def->npos, pos->len);
        bad = TRUE;
    }
    if (!bad) {
        c.pos = (char **)pos->pdata;
        c.npos = (int)pos->len;
        def->fn(&c);
    }
    g_ptr_array_unref(pos);
    g_strfreev(toks);
    g_hash_table_unref(c.opt);
    g_free(name);
}

/* ------------------------------------------------------------------ stdin lines */

static GString *inbuf;
static gboolean in_eof;

/* Next complete line from fd 0 (blocking), or NULL at EOF. */
static char *read_line(void)
{
    for (;;) {
        char *nl = memchr(inbuf->str, '\n', inbuf->len);
        if (nl) {
            size_t n = nl - inbuf->str;
            char *line = g_strndup(inbuf->str, n);
            g_string_erase(inbuf, 0, n + 1);
            if (n && line[n - 1] == '\r') {
                line[n - 1] = 0;
            }
            return line;
        }
        if (in_eof) {
            if (inbuf->len) {
                char *line = g_strndup(inbuf->str, inbuf->len);
                g_string_truncate(inbuf, 0);
                return line;
            }
            return NULL;
        }
        char buf[4096];
        ssize_t r = read(0, buf, sizeof(buf));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            in_eof = TRUE;
        } else {
            g_string_append_len(inbuf, buf, r);
        }
    }
}

static gboolean line_buffered(void)
{
    return memchr(inbuf->str, '\n', inbuf->len) != NULL || in_eof;
}

/* ------------------------------------------------------------------ connection */

static void on_closed(GDBusConnection *c, gboolean remote_vanished, GError *error, gpointer ud)
{
    (void)c;
    (void)ud;
    if (g_atomic_int_get(&quitting)) {
        return;
    }
    char *m = error ? one_line(error->message) : NULL;
    out_line("closed %s%s%s", remote_vanished ? "remote-peer-vanished" : "local-close",
             m ? ": " : "", m ? m : "");
    g_free(m);
    _exit(0);
}

static gpointer loop_thread(gpointer ud)
{
    g_main_loop_run(ud); /* dispatches the connection's "closed" signal */
    return NULL;
}

/* Binds to a temporary name, listens, then renames into place: the socket file appears only
 * once it accepts connections, so waiting for the file is enough. */
static int listen_on(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    char *tmp = g_strdup_printf("%s.%d.tmp", path, (int)getpid());
    if (strlen(tmp) >= sizeof(a.sun_path)) {
        fprintf(stderr, "fake-qemu-peer: socket path too long: %s\n", path);
        g_free(tmp);
        return -1;
    }
    strcpy(a.sun_path, tmp);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("socket");
        g_free(tmp);
        return -1;
    }
    unlink(tmp);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
        rename(tmp, path) < 0) {
        perror("bind/listen/rename");
        unlink(tmp);
        close(fd);
        g_free(tmp);
        return -1;
    }
    g_free(tmp);
    return fd;
}

static char *format_props(GVariant *dict, char ***ifaces_out)
{
    GString *s = g_string_new("props");
    GVariantIter it;
    const char *key;
    GVariant *val;
    *ifaces_out = NULL;
    g_variant_iter_init(&it, dict);
    while (g_variant_iter_next(&it, "{&sv}", &key, &val)) {
        if (g_variant_is_of_type(val, G_VARIANT_TYPE_STRING_ARRAY)) {
            const char **v = g_variant_get_strv(val, NULL);
            char *j = g_strjoinv(",", (char **)v);
            g_string_append_printf(s, " %s=%s", key, j);
            if (!strcmp(key, "Interfaces")) {
                *ifaces_out = g_strdupv((char **)v);
            }
            g_free(j);
            g_free(v);
        } else {
            char *p = g_variant_print(val, FALSE);
            char *o = one_line(p);
            for (char *q = o; *q; q++) {
                if (*q == ' ') {
                    *q = '_';
                }
            }
            g_string_append_printf(s, " %s=%s", key, o);
            g_free(p);
            g_free(o);
        }
        g_variant_unref(val);
    }
    return g_string_free(s, FALSE);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    if (argc == 3 && !strcmp(argv[1], "--gl")) {
        gl_mode = TRUE;
        argv++;
        argc--;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: fake-qemu-peer [--gl] SOCKET_PATH   (commands on stdin; see the source)\n");
        return 2;
    }
    const char *path = argv[1];
    inbuf = g_string_new(NULL);
    int lfd = listen_on(path);
    if (lfd < 0) {
        return 1;
    }
    socket_path = path;

    /* Wait for the client; keep answering stdin (quit/EOF) meanwhile. */
    int cfd = -1;
    while (cfd < 0) {
        while (line_buffered()) {
            char *line = read_line();
            if (!line) {
                finish("stdin-eof", 0);
            }
            run_command(line); /* conn is NULL: NotConnected, or quit */
            g_free(line);
        }
        struct pollfd pf[2] = { { lfd, POLLIN, 0 }, { 0, POLLIN, 0 } };
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("poll");
            return 1;
        }
        if (pf[1].revents) {
            char buf[4096];
            ssize_t r = read(0, buf, sizeof(buf));
            if (r <= 0) {
                in_eof = TRUE;
            } else {
                g_string_append_len(inbuf, buf, r);
            }
        }
        if (pf[0].revents & POLLIN) {
            cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (cfd < 0 && errno != EINTR && errno != EAGAIN) {
                perror("accept");
                return 1;
            }
        }
    }
    close(lfd);
    unlink(path);
    socket_path = NULL;

    /* QEMU: g_socket_new_from_fd + g_socket_connection_factory_create_connection +
     * g_dbus_connection_new_sync(..., guid, AUTHENTICATION_SERVER, NULL observer) */
    GSocket *sock = g_socket_new_from_fd(cfd, &err);
    if (!sock) {
        out_line("closed socket: %s", err->message);
        return 1;
    }
    GSocketConnection *sc = g_socket_connection_factory_create_connection(sock);
    g_object_unref(sock);
    char *guid = g_dbus_generate_guid();
    conn = g_dbus_connection_new_sync(G_IO_STREAM(sc), guid,
                                      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER, NULL, NULL,
                                      &err);
    g_free(guid);
    g_object_unref(sc);
    if (!conn) {
        char *m = one_line(err->message);
        out_line("closed auth-failed: %s", m);
        g_free(m);
        return 1;
    }
    g_dbus_connection_set_exit_on_close(conn, FALSE);
    g_signal_connect(conn, "closed", G_CALLBACK(on_closed), NULL);

    /* QEMU's qemu_dbus_display1_listener_proxy_new_sync: GetAll with the default timeout */
    GVariant *r = g_dbus_connection_call_sync(conn, NULL, LISTENER_PATH, IFACE_PROPS, "GetAll",
                                              g_variant_new("(s)", IFACE_LISTENER),
                                              G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
                                              -1, NULL, &err);
    if (r) {
        GVariant *dict = g_variant_get_child_value(r, 0);
        char **ifaces = NULL;
        char *line = format_props(dict, &ifaces);
        out_line("%s", line);
        g_free(line);
        g_variant_unref(dict);
        g_variant_unref(r);
        /* one proxy (one GetAll) per optional interface the client says it implements */
        static const char *const optional[] = { IFACE_MAP, IFACE_DMABUF2 };
        for (size_t i = 0; i < G_N_ELEMENTS(optional); i++) {
            if (!ifaces || !g_strv_contains((const char *const *)ifaces, optional[i])) {
                continue;
            }
            GVariant *r2 = g_dbus_connection_call_sync(
                conn, NULL, LISTENER_PATH, IFACE_PROPS, "GetAll",
                g_variant_new("(s)", optional[i]), G_VARIANT_TYPE("(a{sv})"),
                G_DBUS_CALL_FLAGS_NONE, -1, NULL, &err);
            if (r2) {
                g_variant_unref(r2);
            } else {
                char *t = error_text(err);
                out_line("warn GetAll(%s) failed (QEMU ignores this): %s", optional[i], t);
                g_free(t);
                g_clear_error(&err);
            }
        }
        peer_dmabuf2 = ifaces && g_strv_contains((const char *const *)ifaces, IFACE_DMABUF2);
        g_strfreev(ifaces);
    } else {
        char *t = error_text(err);
        out_line("props-error %s", t);
        g_free(t);
        g_clear_error(&err);
    }

    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    g_thread_unref(g_thread_new("closed-watch", loop_thread, loop));
    peer_fds = (g_dbus_connection_get_capabilities(conn) & G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING) != 0;
    if (gl_mode) {
        out_line("gl fd-passing=%s dmabuf2=%s", peer_fds ? "yes" : "no", peer_dmabuf2 ? "yes" : "no");
    }
    out_line("ready");

    for (;;) {
        char *line = read_line();
        if (!line) {
            finish("stdin-eof", 0);
        }
        run_command(line);
        g_free(line);
    }
}
