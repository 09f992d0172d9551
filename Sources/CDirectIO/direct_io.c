#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
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
#if defined(RWF_NOWAIT)
    char byte;
    struct iovec vector = { .iov_base = &byte, .iov_len = 1 };
    ssize_t got = preadv2(fd, &vector, 1, (off_t)offset, RWF_NOWAIT);
    if (got >= 0) return 1;
    return errno == EAGAIN ? 0 : -1;
#else
    (void)fd;
    (void)offset;
    return -1;
#endif
}
