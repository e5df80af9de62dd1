/* The C allocator's settings and trimming. See include/CProcess.h. */
#define _GNU_SOURCE
#include "CProcess.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

int cproc_advise_huge_pages(void *start, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t first = ((uintptr_t)start + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)start + length) & ~(page - 1);
    if (end <= first) return 0;
    return madvise((void *)first, end - first, MADV_HUGEPAGE) == 0;
#else
    (void)start;
    (void)length;
    return 0;
#endif
}

int cproc_malloc_configure(size_t mmap_threshold, size_t trim_threshold) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#else
    (void)mmap_threshold;
    (void)trim_threshold;
    return 0;
#endif
}

int cproc_malloc_trim(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}

size_t cproc_malloc_mapped_bytes(void) {
#if defined(__GLIBC__)
    return mallinfo2().hblkhd;
#else
    return 0;
#endif
}

static atomic_int idle_trim_started;
static atomic_ulong idle_trims;
static unsigned int idle_interval_ms, idle_busy_ms;

static long long process_cpu_ns(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
        return 0;
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *idle_trim_main(void *unused) {
    (void)unused;
    long long last = process_cpu_ns();
    int worked = 0;
    struct timespec interval = {idle_interval_ms / 1000, (long)(idle_interval_ms % 1000) * 1000000L};
    for (;;) {
        while (nanosleep(&interval, &interval) != 0 && errno == EINTR) {}
        interval.tv_sec = idle_interval_ms / 1000;
        interval.tv_nsec = (long)(idle_interval_ms % 1000) * 1000000L;
        long long now = process_cpu_ns();
        long long used = now - last;
        if (used > (long long)idle_busy_ms * 1000000LL) {
            worked = 1;
        } else if (worked) {
            cproc_malloc_trim();
            atomic_fetch_add(&idle_trims, 1);
            worked = 0;
            now = process_cpu_ns();   /* the trim's own CPU time is not work */
        }
        last = now;
    }
    return NULL;
}

int cproc_malloc_start_idle_trim(unsigned int interval_ms, unsigned int busy_ms) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&idle_trim_started, &expected, 1))
        return 0;
    idle_interval_ms = interval_ms > 0 ? interval_ms : 1000;
    idle_busy_ms = busy_ms;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    pthread_t thread;
    int result = pthread_create(&thread, &attributes, idle_trim_main, NULL);
    pthread_attr_destroy(&attributes);
    if (result != 0)
        atomic_store(&idle_trim_started, 0);
    return result;
}

unsigned long cproc_malloc_idle_trims(void) {
    return atomic_load(&idle_trims);
}
