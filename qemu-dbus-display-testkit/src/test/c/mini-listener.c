/*
 * mini-listener: a small, strict, fast org.qemu.Display1 listener written on GLib's GDBus.
 * It is the C reference client: it tests fake-qemu-peer and is the baseline that a Java
 * listener's throughput is compared against.
 *
 * Build:  gcc -O2 -Wall -o mini-listener mini-listener.c \
 *             $(pkg-config --cflags --libs gio-2.0 gio-unix-2.0)
 * Usage:  mini-listener SOCKET_PATH [--quiet] [--interfaces LIST]
 *   Connects to SOCKET_PATH as the D-Bus AUTHENTICATION_CLIENT (QEMU is the server), exports
 *   /org/qemu/Display1/Listener with org.qemu.Display1.Listener (+ .Unix.Map and
 *   .Unix.ScanoutDMABUF2) BEFORE message processing starts, and keeps a private copy of the
 *   display (one memcpy per row; no per-byte work).
 *   LIST: comma list of map,dmabuf2 (default both) or none: what the Interfaces property says.
 *   --quiet: no line per call; only `closed calls=N bytes=B` at the end.
 *
 * Output: `connected`, then one line per call received, e.g.
 *   Scanout w=64 h=48 stride=256 fmt=0x20020888 len=12288 px0=0xffff0000 noreply=0
 *   ScanoutMap kind=memfd size=16384 seals=0x1 offset=4096 w=64 h=48 stride=256 ...
 * pixel values are the 32-bit words of the client's copy (px0: pixel (0,0); px: first pixel of
 * the updated rectangle). An invalid call is answered with org.freedesktop.DBus.Error.InvalidArgs
 * and printed as `<Method> rejected <reason>`. When the connection ends:
 *   closed calls=N bytes=B      (B = pixel bytes copied)
 */
#define _GNU_SOURCE
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <gio/gunixsocketaddress.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LISTENER_PATH "/org/qemu/Display1/Listener"
#define MAX_DIM 16384

static const char xml[] =
    "<node>"
    " <interface name='org.qemu.Display1.Listener'>"
    "  <method name='Scanout'><arg type='u' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='u' direction='in'/><arg type='u' direction='in'/><arg type='ay' direction='in'/></method>"
    "  <method name='Update'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
    "   <arg type='i' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='u' direction='in'/><arg type='ay' direction='in'/></method>"
    "  <method name='ScanoutDMABUF'><arg type='h' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='u' direction='in'/><arg type='u' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='t' direction='in'/><arg type='b' direction='in'/></method>"
    "  <method name='UpdateDMABUF'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
    "   <arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
    "  <method name='Disable'/>"
    "  <method name='MouseSet'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
    "   <arg type='i' direction='in'/></method>"
    "  <method name='CursorDefine'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
    "   <arg type='i' direction='in'/><arg type='i' direction='in'/><arg type='ay' direction='in'/></method>"
    "  <property name='Interfaces' type='as' access='read'/>"
    " </interface>"
    " <interface name='org.qemu.Display1.Listener.Unix.Map'>"
    "  <method name='ScanoutMap'><arg type='h' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='u' direction='in'/><arg type='u' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='u' direction='in'/></method>"
    "  <method name='UpdateMap'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
    "   <arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
    " </interface>"
    " <interface name='org.qemu.Display1.Listener.Unix.ScanoutDMABUF2'>"
    "  <method name='ScanoutDMABUF2'><arg type='ah' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='u' direction='in'/><arg type='u' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='au' direction='in'/><arg type='au' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='u' direction='in'/><arg type='u' direction='in'/><arg type='u' direction='in'/>"
    "   <arg type='t' direction='in'/><arg type='b' direction='in'/></method>"
    " </interface>"
    "</node>";

static gboolean quiet;
static char **interfaces;
static guint64 n_calls, n_bytes;
static GMainLoop *loop;

/* the client's copy of the display: 32 bpp, stride fb_w*4 */
static uint8_t *fb;
static uint32_t fb_w, fb_h, fb_fmt;

/* shared map (ScanoutMap) */
static int map_fd = -1;
static uint8_t *map_ptr;
static size_t map_len;
static uint32_t map_off, map_w, map_h, map_stride;

/* dmabuf planes (fds kept, read with pread) */
static int dma_fd[4] = { -1, -1, -1, -1 };
static int dma_nfds;
static uint32_t dma_stride0, dma_off0, dma_w, dma_h;

static void say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    va_list ap;
    if (quiet) {
        return;
    }
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static void reject(GDBusMethodInvocation *inv, const char *method, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static void reject(GDBusMethodInvocation *inv, const char *method, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    say("%s rejected %s", method, m);
    g_dbus_method_invocation_return_error_literal(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, m);
    g_free(m);
}

static int noreply(GDBusMethodInvocation *inv)
{
    return (g_dbus_message_get_flags(g_dbus_method_invocation_get_message(inv)) &
            G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) != 0;
}

static uint32_t fb_px(uint32_t x, uint32_t y)
{
    uint32_t v = 0;
    if (fb && x < fb_w && y < fb_h) {
        memcpy(&v, fb + ((size_t)y * fb_w + x) * 4, 4);
    }
    return v;
}

/* resize keeping the overlapping content */
static void fb_resize(uint32_t w, uint32_t h)
{
    if (w == fb_w && h == fb_h) {
        return;
    }
    uint8_t *n = g_malloc0((size_t)w * h * 4 + 1);
    for (uint32_t y = 0; y < MIN(h, fb_h); y++) {
        memcpy(n + (size_t)y * w * 4, fb + (size_t)y * fb_w * 4, (size_t)MIN(w, fb_w) * 4);
    }
    g_free(fb);
    fb = n;
    fb_w = w;
    fb_h = h;
}

/* copies a w x h rectangle of 32-bit pixels from src (row stride src_stride) to fb at (x, y) */
static void fb_blit(uint32_t x, uint32_t y, uint32_t w, uint32_t h, const uint8_t *src,
                    size_t src_stride)
{
    size_t row = (size_t)w * 4;
    if (x == 0 && w == fb_w && src_stride == row) {
        memcpy(fb + (size_t)y * row, src, row * h);
    } else {
        for (uint32_t j = 0; j < h; j++) {
            memcpy(fb + ((size_t)(y + j) * fb_w + x) * 4, src + j * src_stride, row);
        }
    }
    n_bytes += row * h;
}

static void drop_map(void)
{
    if (map_ptr) {
        munmap(map_ptr, map_len);
    }
    if (map_fd >= 0) {
        close(map_fd);
    }
    map_ptr = NULL;
    map_fd = -1;
}

static void drop_dmabuf(void)
{
    for (int i = 0; i < 4; i++) {
        if (dma_fd[i] >= 0) {
            close(dma_fd[i]);
        }
        dma_fd[i] = -1;
    }
    dma_nfds = 0;
}

static const char *fd_kind(int fd, struct stat *st)
{
    char link[64], target[256];
    if (fstat(fd, st) < 0) {
        return "bad";
    }
    if (S_ISFIFO(st->st_mode)) {
        return "pipe";
    }
    if (S_ISSOCK(st->st_mode)) {
        return "socket";
    }
    if (S_ISCHR(st->st_mode)) {
        return "chr";
    }
    if (!S_ISREG(st->st_mode)) {
        return "other";
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = 0;
        if (g_str_has_prefix(target, "/memfd:")) {
            return "memfd";
        }
    }
    return "file";
}

/* fd number `handle` of the message, dup'ed (owned by the caller), or -1 */
static int take_fd(GDBusMethodInvocation *inv, gint32 handle)
{
    GUnixFDList *l = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(inv));
    if (!l || handle < 0 || handle >= g_unix_fd_list_get_length(l)) {
        return -1;
    }
    return g_unix_fd_list_get(l, handle, NULL);
}

static char *fourcc_str(uint32_t f)
{
    char c[4] = { f & 255, (f >> 8) & 255, (f >> 16) & 255, (f >> 24) & 255 };
    for (int i = 0; i < 4; i++) {
        if (c[i] < 32 || c[i] > 126) {
            return g_strdup_printf("0x%08x", f);
        }
    }
    return g_strdup_printf("%.4s", c);
}

static char *read32(int fd, guint64 off)
{
    uint32_t v;
    if (fd < 0 || pread(fd, &v, 4, (off_t)off) != 4) {
        return g_strdup("none");
    }
    return g_strdup_printf("0x%08x", v);
}

/* ------------------------------------------------------------------ Listener */

static void on_scanout(GVariant *p, GDBusMethodInvocation *inv)
{
    uint32_t w, h, stride, fmt;
    GVariant *data;
    gsize len;
    g_variant_get(p, "(uuuu@ay)", &w, &h, &stride, &fmt, &data);
    const uint8_t *d = g_variant_get_fixed_array(data, &len, 1);
    if (fmt >> 24 != 32) {
        reject(inv, "Scanout", "unsupported pixman format 0x%08x (32 bpp only)", fmt);
    } else if (w > MAX_DIM || h > MAX_DIM) {
        reject(inv, "Scanout", "size %ux%u too large", w, h);
    } else if ((guint64)stride < (guint64)w * 4) {
        reject(inv, "Scanout", "stride %u < width*4", stride);
    } else if (h > 0 && (guint64)(h - 1) * stride + (guint64)w * 4 > len) {
        reject(inv, "Scanout", "data has %zu bytes, %" G_GUINT64_FORMAT " needed", len,
               (guint64)(h - 1) * stride + (guint64)w * 4);
    } else {
        drop_map();
        drop_dmabuf();
        fb_resize(w, h);
        fb_fmt = fmt;
        if (w && h) {
            fb_blit(0, 0, w, h, d, stride);
        }
        n_calls++;
        say("Scanout w=%u h=%u stride=%u fmt=0x%08x len=%zu px0=0x%08x noreply=%d", w, h,
            stride, fmt, len, fb_px(0, 0), noreply(inv));
        g_dbus_method_invocation_return_value(inv, NULL);
    }
    g_variant_unref(data);
}

static void on_update(GVariant *p, GDBusMethodInvocation *inv)
{
    gint32 x, y, w, h;
    uint32_t stride, fmt;
    GVariant *data;
    gsize len;
    g_variant_get(p, "(iiiiuu@ay)", &x, &y, &w, &h, &stride, &fmt, &data);
    const uint8_t *d = g_variant_get_fixed_array(data, &len, 1);
    gint64 x1 = (gint64)x + w, y1 = (gint64)y + h;
    if (fmt >> 24 != 32) {
        reject(inv, "Update", "unsupported pixman format 0x%08x (32 bpp only)", fmt);
    } else if (x < 0 || y < 0 || w < 0 || h < 0 || x1 > MAX_DIM || y1 > MAX_DIM) {
        reject(inv, "Update", "bad rectangle %d,%d %dx%d", x, y, w, h);
    } else if ((guint64)stride < (guint64)w * 4) {
        reject(inv, "Update", "stride %u < width*4", stride);
    } else if (h > 0 && (guint64)(h - 1) * stride + (guint64)w * 4 > len) {
        reject(inv, "Update", "data has %zu bytes, %" G_GUINT64_FORMAT " needed", len,
               (guint64)(h - 1) * stride + (guint64)w * 4);
    } else {
        /* QEMU may send Updates beyond the last Scanout after a mode switch: grow */
        int grew = x1 > fb_w || y1 > fb_h;
        if (grew) {
            fb_resize(MAX(fb_w, (uint32_t)x1), MAX(fb_h, (uint32_t)y1));
        }
        if (w && h) {
            fb_blit((uint32_t)x, (uint32_t)y, (uint32_t)w, (uint32_t)h, d, stride);
        }
        n_calls++;
        say("Update x=%d y=%d w=%d h=%d stride=%u fmt=0x%08x len=%zu px=0x%08x grew=%d noreply=%d",
            x, y, w, h, stride, fmt, len, fb_px((uint32_t)x, (uint32_t)y), grew, noreply(inv));
        g_dbus_method_invocation_return_value(inv, NULL);
    }
    g_variant_unref(data);
}

static void on_scanout_dmabuf(GVariant *p, GDBusMethodInvocation *inv)
{
    gint32 handle;
    uint32_t w, h, stride, fourcc;
    guint64 modifier;
    gboolean y0top;
    struct stat st;
    g_variant_get(p, "(huuuutb)", &handle, &w, &h, &stride, &fourcc, &modifier, &y0top);
    int fd = take_fd(inv, handle);
    if (fd < 0) {
        reject(inv, "ScanoutDMABUF", "no fd for handle %d", handle);
        return;
    }
    const char *kind = fd_kind(fd, &st);
    drop_map();
    drop_dmabuf();
    dma_fd[0] = fd;
    dma_nfds = 1;
    dma_stride0 = stride;
    dma_off0 = 0;
    dma_w = w;
    dma_h = h;
    char *fc = fourcc_str(fourcc), *px0 = read32(fd, 0);
    n_calls++;
    say("ScanoutDMABUF kind=%s size=%lld w=%u h=%u stride=%u fourcc=%s modifier=0x%" G_GINT64_MODIFIER
        "x y0top=%d px0=%s noreply=%d", kind, (long long)st.st_size, w, h, stride, fc, modifier,
        y0top, px0, noreply(inv));
    g_free(fc);
    g_free(px0);
    g_dbus_method_invocation_return_value(inv, NULL);
}

static void on_update_dmabuf(GVariant *p, GDBusMethodInvocation *inv)
{
    gint32 x, y, w, h;
    g_variant_get(p, "(iiii)", &x, &y, &w, &h);
    if (dma_nfds == 0) {
        reject(inv, "UpdateDMABUF", "no dmabuf scanout");
        return;
    }
    if (x < 0 || y < 0 || w < 0 || h < 0 || (gint64)x + w > dma_w || (gint64)y + h > dma_h) {
        reject(inv, "UpdateDMABUF", "bad rectangle %d,%d %dx%d", x, y, w, h);
        return;
    }
    char *px = read32(dma_fd[0], dma_off0 + (guint64)y * dma_stride0 + (guint64)x * 4);
    n_calls++;
    say("UpdateDMABUF x=%d y=%d w=%d h=%d px=%s noreply=%d", x, y, w, h, px, noreply(inv));
    g_free(px);
    g_dbus_method_invocation_return_value(inv, NULL);
}

static void on_cursor_define(GVariant *p, GDBusMethodInvocation *inv)
{
    gint32 w, h, hx, hy;
    GVariant *data;
    gsize len;
    g_variant_get(p, "(iiii@ay)", &w, &h, &hx, &hy, &data);
    const uint8_t *d = g_variant_get_fixed_array(data, &len, 1);
    if (w < 0 || h < 0 || w > 1024 || h > 1024) {
        reject(inv, "CursorDefine", "bad size %dx%d", w, h);
    } else if ((gsize)w * h * 4 > len) {
        reject(inv, "CursorDefine", "data has %zu bytes, %d needed", len, w * h * 4);
    } else {
        uint32_t px0 = 0;
        if (len >= 4) {
            memcpy(&px0, d, 4);
        }
        n_calls++;
        say("CursorDefine w=%d h=%d hx=%d hy=%d len=%zu px0=0x%08x noreply=%d", w, h, hx, hy, len,
            px0, noreply(inv));
        g_dbus_method_invocation_return_value(inv, NULL);
    }
    g_variant_unref(data);
}

/* ------------------------------------------------------------------ Unix.Map */

static void on_scanout_map(GVariant *p, GDBusMethodInvocation *inv)
{
    gint32 handle;
    uint32_t off, w, h, stride, fmt;
    struct stat st;
    g_variant_get(p, "(huuuuu)", &handle, &off, &w, &h, &stride, &fmt);
    int fd = take_fd(inv, handle);
    if (fd < 0) {
        reject(inv, "ScanoutMap", "no fd for handle %d", handle);
        return;
    }
    const char *kind = fd_kind(fd, &st);
    int seals = fcntl(fd, F_GET_SEALS);
    guint64 need = (guint64)off + (guint64)stride * h;
    const char *why = NULL;
    if (strcmp(kind, "memfd") && strcmp(kind, "file")) {
        why = "fd is not mappable";
    } else if (fmt >> 24 != 32) {
        why = "unsupported pixman format (32 bpp only)";
    } else if (w > MAX_DIM || h > MAX_DIM) {
        why = "size too large";
    } else if ((guint64)stride < (guint64)w * 4) {
        why = "stride < width*4";
    } else if ((guint64)st.st_size < need) {
        why = "file smaller than offset+stride*height";
    }
    if (why) {
        reject(inv, "ScanoutMap", "%s (kind=%s size=%lld need=%" G_GUINT64_FORMAT ")", why, kind,
               (long long)st.st_size, need);
        close(fd);
        return;
    }
    void *m = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0) : NULL;
    if (m == MAP_FAILED) {
        reject(inv, "ScanoutMap", "mmap: %s", g_strerror(errno));
        close(fd);
        return;
    }
    drop_map();
    drop_dmabuf();
    map_fd = fd;
    map_ptr = m;
    map_len = st.st_size;
    map_off = off;
    map_w = w;
    map_h = h;
    map_stride = stride;
    fb_resize(w, h);
    fb_fmt = fmt;
    if (w && h) {
        fb_blit(0, 0, w, h, map_ptr + off, stride);
    }
    n_calls++;
    say("ScanoutMap kind=%s size=%lld seals=0x%x offset=%u w=%u h=%u stride=%u fmt=0x%08x "
        "px0=0x%08x noreply=%d", kind, (long long)st.st_size, seals, off, w, h, stride, fmt,
        fb_px(0, 0), noreply(inv));
    g_dbus_method_invocation_return_value(inv, NULL);
}

static void on_update_map(GVariant *p, GDBusMethodInvocation *inv)
{
    gint32 x, y, w, h;
    struct stat st;
    g_variant_get(p, "(iiii)", &x, &y, &w, &h);
    if (!map_ptr) {
        reject(inv, "UpdateMap", "no ScanoutMap");
        return;
    }
    if (x < 0 || y < 0 || w < 0 || h < 0 || (gint64)x + w > map_w || (gint64)y + h > map_h) {
        reject(inv, "UpdateMap", "bad rectangle %d,%d %dx%d", x, y, w, h);
        return;
    }
    /* the sender may have shrunk the memfd since: never touch pages past its end (SIGBUS) */
    guint64 end = h ? map_off + (guint64)(y + h - 1) * map_stride + (guint64)(x + w) * 4 : 0;
    if (fstat(map_fd, &st) < 0 || (guint64)st.st_size < end || map_len < end) {
        reject(inv, "UpdateMap", "memfd shrank to %lld bytes, %" G_GUINT64_FORMAT " needed",
               (long long)st.st_size, end);
        return;
    }
    if (w && h) {
        fb_blit((uint32_t)x, (uint32_t)y, (uint32_t)w, (uint32_t)h,
                map_ptr + map_off + (size_t)y * map_stride + (size_t)x * 4, map_stride);
    }
    n_calls++;
    say("UpdateMap x=%d y=%d w=%d h=%d px=0x%08x noreply=%d", x, y, w, h,
        fb_px((uint32_t)x, (uint32_t)y), noreply(inv));
    g_dbus_method_invocation_return_value(inv, NULL);
}

/* ------------------------------------------------------------------ ScanoutDMABUF2 */

static void on_scanout_dmabuf2(GVariant *p, GDBusMethodInvocation *inv)
{
    GVariant *hs, *offs_v, *strides_v;
    uint32_t x, y, w, h, nplanes, fourcc, bw, bh;
    guint64 modifier;
    gboolean y0top;
    gsize noffs, nstrides;
    g_variant_get(p, "(@ahuuuu@au@auuuuutb)", &hs, &x, &y, &w, &h, &offs_v, &strides_v, &nplanes,
                  &fourcc, &bw, &bh, &modifier, &y0top);
    const uint32_t *offs = g_variant_get_fixed_array(offs_v, &noffs, 4);
    const uint32_t *strides = g_variant_get_fixed_array(strides_v, &nstrides, 4);
    gsize nh;
    const gint32 *handles = g_variant_get_fixed_array(hs, &nh, 4);
    int fds[4] = { -1, -1, -1, -1 };
    GString *kinds = g_string_new(NULL), *sizes = g_string_new(NULL), *bytes = g_string_new(NULL);
    struct stat st0, st;
    int same = 1;

    if (nplanes < 1 || nplanes > 4 || noffs != nplanes || nstrides != nplanes || nh < 1 ||
        nh > nplanes) {
        reject(inv, "ScanoutDMABUF2", "inconsistent planes: num_planes=%u offsets=%zu strides=%zu "
               "fds=%zu", nplanes, noffs, nstrides, nh);
        goto out;
    }
    for (gsize i = 0; i < nh; i++) {
        fds[i] = take_fd(inv, handles[i]);
        if (fds[i] < 0) {
            reject(inv, "ScanoutDMABUF2", "no fd for handle %d", handles[i]);
            goto out;
        }
        const char *k = fd_kind(fds[i], i ? &st : &st0);
        if (i && (st.st_ino != st0.st_ino || st.st_dev != st0.st_dev)) {
            same = 0;
        }
        g_string_append_printf(kinds, "%s%s", i ? "," : "", k);
        g_string_append_printf(sizes, "%s%lld", i ? "," : "", (long long)(i ? st.st_size : st0.st_size));
    }
    for (guint i = 0; i < nplanes; i++) {
        /* a plane without its own fd lives in the last fd given */
        int fd = fds[MIN(i, nh - 1)];
        uint8_t b;
        if (pread(fd, &b, 1, offs[i]) == 1) {
            g_string_append_printf(bytes, " b%u=0x%02x", i, b);
        } else {
            g_string_append_printf(bytes, " b%u=none", i);
        }
    }
    drop_map();
    drop_dmabuf();
    for (gsize i = 0; i < nh; i++) {
        dma_fd[i] = fds[i];
        fds[i] = -1;
    }
    dma_nfds = (int)nh;
    dma_stride0 = strides[0];
    dma_off0 = offs[0];
    dma_w = bw;
    dma_h = bh;
    char *fc = fourcc_str(fourcc), *px0 = read32(dma_fd[0], offs[0]);
    GString *ol = g_string_new(NULL), *sl = g_string_new(NULL);
    for (guint i = 0; i < nplanes; i++) {
        g_string_append_printf(ol, "%s%u", i ? "," : "", offs[i]);
        g_string_append_printf(sl, "%s%u", i ? "," : "", strides[i]);
    }
    n_calls++;
    say("ScanoutDMABUF2 nfds=%zu x=%u y=%u w=%u h=%u offsets=%s strides=%s planes=%u fourcc=%s "
        "bw=%u bh=%u modifier=0x%" G_GINT64_MODIFIER "x y0top=%d kinds=%s sizes=%s same=%d px0=%s%s "
        "noreply=%d", nh, x, y, w, h, ol->str, sl->str, nplanes, fc, bw, bh, modifier, y0top,
        kinds->str, sizes->str, same, px0, bytes->str, noreply(inv));
    g_string_free(ol, TRUE);
    g_string_free(sl, TRUE);
    g_free(fc);
    g_free(px0);
    g_dbus_method_invocation_return_value(inv, NULL);
out:
    for (int i = 0; i < 4; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    g_string_free(kinds, TRUE);
    g_string_free(sizes, TRUE);
    g_string_free(bytes, TRUE);
    g_variant_unref(hs);
    g_variant_unref(offs_v);
    g_variant_unref(strides_v);
}

/* ------------------------------------------------------------------ dispatch */

static void method_call(GDBusConnection *c, const char *sender, const char *path,
                        const char *iface, const char *method, GVariant *p,
                        GDBusMethodInvocation *inv, gpointer ud)
{
    if (!strcmp(method, "Scanout")) {
        on_scanout(p, inv);
    } else if (!strcmp(method, "Update")) {
        on_update(p, inv);
    } else if (!strcmp(method, "ScanoutDMABUF")) {
        on_scanout_dmabuf(p, inv);
    } else if (!strcmp(method, "UpdateDMABUF")) {
        on_update_dmabuf(p, inv);
    } else if (!strcmp(method, "CursorDefine")) {
        on_cursor_define(p, inv);
    } else if (!strcmp(method, "ScanoutMap")) {
        on_scanout_map(p, inv);
    } else if (!strcmp(method, "UpdateMap")) {
        on_update_map(p, inv);
    } else if (!strcmp(method, "ScanoutDMABUF2")) {
        on_scanout_dmabuf2(p, inv);
    } else if (!strcmp(method, "MouseSet")) {
        gint32 x, y, on;
        g_variant_get(p, "(iii)", &x, &y, &on);
        n_calls++;
        say("MouseSet x=%d y=%d on=%d noreply=%d", x, y, on, noreply(inv));
        g_dbus_method_invocation_return_value(inv, NULL);
    } else if (!strcmp(method, "Disable")) {
        n_calls++;
        say("Disable noreply=%d", noreply(inv));
        g_dbus_method_invocation_return_value(inv, NULL);
    } else {
        g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                              "unknown method %s", method);
    }
}

static GVariant *get_property(GDBusConnection *c, const char *sender, const char *path,
                              const char *iface, const char *prop, GError **err, gpointer ud)
{
    if (!strcmp(prop, "Interfaces")) {
        return g_variant_new_strv((const char *const *)interfaces, -1);
    }
    g_set_error(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", prop);
    return NULL;
}

static void on_closed(GDBusConnection *c, gboolean remote, GError *error, gpointer ud)
{
    printf("closed calls=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT "\n", n_calls, n_bytes);
    fflush(stdout);
    g_main_loop_quit(loop);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    const char *path = NULL, *list = "map,dmabuf2";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) {
            quiet = TRUE;
        } else if (!strcmp(argv[i], "--interfaces") && i + 1 < argc) {
            list = argv[++i];
        } else if (!path) {
            path = argv[i];
        } else {
            path = NULL;
            break;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: mini-listener SOCKET_PATH [--quiet] [--interfaces map,dmabuf2|none]\n");
        return 2;
    }
    GPtrArray *ifs = g_ptr_array_new();
    char **parts = g_strsplit(list, ",", -1);
    for (char **p = parts; *p; p++) {
        if (!strcmp(*p, "map")) {
            g_ptr_array_add(ifs, g_strdup("org.qemu.Display1.Listener.Unix.Map"));
        } else if (!strcmp(*p, "dmabuf2")) {
            g_ptr_array_add(ifs, g_strdup("org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"));
        } else if (strcmp(*p, "none") && **p) {
            g_ptr_array_add(ifs, g_strdup(*p)); /* anything else is listed as given */
        }
    }
    g_strfreev(parts);
    g_ptr_array_add(ifs, NULL);
    interfaces = (char **)g_ptr_array_free(ifs, FALSE);

    GSocketClient *cl = g_socket_client_new();
    GSocketAddress *addr = g_unix_socket_address_new(path);
    GSocketConnection *sc = g_socket_client_connect(cl, G_SOCKET_CONNECTABLE(addr), NULL, &err);
    g_object_unref(addr);
    g_object_unref(cl);
    if (!sc) {
        fprintf(stderr, "mini-listener: connect %s: %s\n", path, err->message);
        return 1;
    }
    /* export before any message is processed: QEMU calls GetAll right after auth */
    GDBusConnection *conn = g_dbus_connection_new_sync(
        G_IO_STREAM(sc), NULL,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
        NULL, NULL, &err);
    g_object_unref(sc);
    if (!conn) {
        fprintf(stderr, "mini-listener: D-Bus: %s\n", err->message);
        return 1;
    }
    GDBusNodeInfo *node = g_dbus_node_info_new_for_xml(xml, &err);
    g_assert_no_error(err);
    static const GDBusInterfaceVTable vt = { method_call, get_property, NULL, { 0 } };
    for (int i = 0; node->interfaces[i]; i++) {
        const char *name = node->interfaces[i]->name;
        if (strcmp(name, "org.qemu.Display1.Listener") &&
            !g_strv_contains((const char *const *)interfaces, name)) {
            continue; /* only export what Interfaces advertises */
        }
        if (!g_dbus_connection_register_object(conn, LISTENER_PATH, node->interfaces[i], &vt, NULL,
                                               NULL, &err)) {
            fprintf(stderr, "mini-listener: register: %s\n", err->message);
            return 1;
        }
    }
    g_dbus_connection_set_exit_on_close(conn, FALSE);
    loop = g_main_loop_new(NULL, FALSE);
    g_signal_connect(conn, "closed", G_CALLBACK(on_closed), NULL);
    g_dbus_connection_start_message_processing(conn);
    printf("connected\n");
    fflush(stdout);
    g_main_loop_run(loop);
    return 0;
}
