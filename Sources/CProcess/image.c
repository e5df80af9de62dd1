/* The running executable's identity. See include/CProcess.h. */
#define _GNU_SOURCE
#include "CProcess.h"

#include <string.h>

#if defined(__linux__)
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#endif

size_t cproc_executable_build_id(unsigned char *out, size_t capacity) {
#if defined(__linux__)
    /* The main executable's program headers, as the kernel mapped them (no file is read). */
    const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t count = (size_t)getauxval(AT_PHNUM);
    if (phdr == NULL || count == 0) return 0;
    uintptr_t bias = 0;
    for (size_t i = 0; i < count; i++)
        if (phdr[i].p_type == PT_PHDR) bias = (uintptr_t)phdr - (uintptr_t)phdr[i].p_vaddr;
    for (size_t i = 0; i < count; i++) {
        if (phdr[i].p_type != PT_NOTE) continue;
        const unsigned char *p = (const unsigned char *)(bias + phdr[i].p_vaddr);
        const unsigned char *end = p + phdr[i].p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *note = (const ElfW(Nhdr) *)p;
            const unsigned char *name = p + sizeof(ElfW(Nhdr));
            const unsigned char *desc = name + ((note->n_namesz + 3) & ~3u);
            const unsigned char *next = desc + ((note->n_descsz + 3) & ~3u);
            if (next > end) break;
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                if (note->n_descsz == 0 || note->n_descsz > capacity) return 0;
                memcpy(out, desc, note->n_descsz);
                return note->n_descsz;
            }
            p = next;
        }
    }
#else
    (void)out;
    (void)capacity;
#endif
    return 0;
}
