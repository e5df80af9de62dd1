/*
 * CProcess: the running process, for HTTPServer's ProcessMemory and ExecutableImage: glibc's allocator
 * (so that a long-running server gives memory back) and the executable's GNU build ID. Nothing of
 * libmicrohttpd (that is CMHDShim).
 */
#ifndef CPROCESS_H
#define CPROCESS_H

#include <stddef.h>
#include <stdint.h>

/* ---- The C allocator (memory.c): glibc's malloc, so that a long-running server gives memory back. ---- */

/**
 * Sets glibc's malloc so that big blocks are given back: a block of `mmap_threshold` bytes or more
 * gets its own mapping, unmapped when it is freed. Setting it fixes the threshold: without this,
 * glibc raises it to the size of the biggest block freed so far (up to 32 MiB), so that after one
 * 4 MiB scrypt buffer every later one is carved from a thread's arena and stays there. Also fixes
 * the trim threshold (free memory at the top of an arena above it is returned) at `trim_threshold`.
 * Returns 1 on success, 0 if refused or not on glibc. Call it before starting threads.
 */
int cproc_malloc_configure(size_t mmap_threshold, size_t trim_threshold);

/** malloc_trim(0): gives the free pages of every arena back to the system. Returns 1 if any was. */
int cproc_malloc_trim(void);

/**
 * Starts (once per process; later calls do nothing and return 0) a thread that every `interval_ms`
 * looks at the process's CPU time, and after a busy interval (more than `busy_ms` of CPU), at the first
 * quiet one, calls malloc_trim(0): after a burst of work the memory its threads freed goes back
 * to the system, while under load nothing is trimmed. Returns 0 on success or an errno value.
 */
int cproc_malloc_start_idle_trim(unsigned int interval_ms, unsigned int busy_ms);

/** Bytes malloc holds in blocks that have their own mapping (mallinfo2's hblkhd); 0 if not glibc. */
size_t cproc_malloc_mapped_bytes(void);

/** How many times the idle-trim thread has trimmed (for tests and diagnostics). */
unsigned long cproc_malloc_idle_trims(void);

/**
 * madvise(MADV_HUGEPAGE) on the whole pages inside [start, start + length): a big buffer about to
 * be written is then backed by 2 MiB pages where the kernel can (one fault each instead of 512).
 * Returns 1 if the advice was taken, 0 if not (too small, refused, or not Linux).
 */
int cproc_advise_huge_pages(void *start, size_t length);

/* ---- The running executable (image.c). ---- */

/**
 * Copies the running executable's GNU build ID (its NT_GNU_BUILD_ID note, read from the program
 * headers the kernel mapped) into `out` and returns its length; 0 when there is none, it is longer
 * than `capacity`, or not on Linux.
 */
size_t cproc_executable_build_id(unsigned char *out, size_t capacity);

#endif /* CPROCESS_H */
