#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif
#include <unistd.h>
#include "direct_io.h"

int souverain_set_direct_io(int fd, int on) {
#ifdef O_DIRECT
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    flags = on ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
    return fcntl(fd, F_SETFL, flags);
#else
    (void)fd;
    if (!on) return 0;
    errno = EINVAL;
    return -1;
#endif
}

int souverain_is_cached(int fd, long long offset) {
    char byte;
    if (souverain_pread_cached(fd, &byte, 1, offset) >= 0) return 1;
    return errno == EAGAIN ? 0 : -1;
}

int souverain_open_cached(const char *path) {
#if defined(SYS_openat2)
    /* struct open_how of <linux/openat2.h>, spelled here so that no kernel header is needed. */
    struct { unsigned long long flags, mode, resolve; } how = {
        .flags = O_RDONLY | O_CLOEXEC, .mode = 0, .resolve = 0x20 /* RESOLVE_CACHED */,
    };
    return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
#else
    (void)path;
    errno = ENOSYS;
    return -1;
#endif
}

long souverain_pread_cached(int fd, void *buffer, unsigned long length, long long offset) {
#if defined(RWF_NOWAIT)
    struct iovec vector = { .iov_base = buffer, .iov_len = length };
    return (long)preadv2(fd, &vector, 1, (off_t)offset, RWF_NOWAIT);
#else
    (void)fd;
    (void)buffer;
    (void)length;
    (void)offset;
    errno = ENOSYS;
    return -1;
#endif
}

int souverain_syncfs(int fd) {
#ifdef __linux__
    return syncfs(fd);
#else
    (void)fd;
    errno = ENOSYS;
    return -1;
#endif
}

long souverain_filesystem_type(const char *path) {
#ifdef __linux__
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return (long)info.f_type;
#else
    (void)path;
    errno = ENOSYS;
    return -1;
#endif
}
