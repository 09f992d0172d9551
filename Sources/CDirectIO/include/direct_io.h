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

/// Opens `path` read-only (close-on-exec) only if every step of its lookup is in the kernel's
/// caches (openat2 with RESOLVE_CACHED, Linux 5.12): the call never waits for the disk. Returns the
/// descriptor, or -1 with errno set: EAGAIN when the lookup would need the disk, ENOSYS or EINVAL
/// where the system cannot tell, or the error of the open itself (ENOENT...).
int souverain_open_cached(const char *path);

/// Reads up to `length` bytes at `offset` only from the page cache (preadv2 with RWF_NOWAIT):
/// returns how many bytes were read (fewer when only the first ones are cached, 0 at the end of
/// the file), or -1 with errno set: EAGAIN when the first byte is not cached, EOPNOTSUPP or ENOSYS
/// where the system cannot tell.
long souverain_pread_cached(int fd, void *buffer, unsigned long length, long long offset);

/// Writes back every dirty page and inode of the file system holding `fd`, then flushes the
/// device's cache: `syncfs(2)`, which Swift's Glibc module does not export (it needs _GNU_SOURCE).
/// Returns 0, or -1 with errno set (since Linux 5.8 a writeback error on any file of the file
/// system since `fd` was opened or last synced this way). ENOSYS where the system has no syncfs.
int souverain_syncfs(int fd);

/// The `statfs` magic number of the file system holding `path` (0xEF53 for ext2/3/4...), or -1
/// with errno set. Swift's Glibc module does not export statfs.
long souverain_filesystem_type(const char *path);

#endif
