#ifndef SOUVERAIN_CDIRECTIO_H
#define SOUVERAIN_CDIRECTIO_H

/// Turns O_DIRECT on or off for an open file (fcntl F_SETFL). Swift's Glibc module does not
/// export O_DIRECT (it needs _GNU_SOURCE), hence this shim. Returns 0 on success, -1 with errno
/// set otherwise: EINVAL where the file system has no direct I/O (tmpfs before Linux 6.6, some
/// FUSE and network file systems) and on systems without O_DIRECT.
int souverain_set_direct_io(int fd, int on);

/// Whether the byte at `offset` of an open file is in the page cache: 1 if it is, 0 if reading it
/// would go to the disk, -1 if the system cannot tell (no preadv2 with RWF_NOWAIT).
int souverain_is_cached(int fd, long long offset);

#endif
