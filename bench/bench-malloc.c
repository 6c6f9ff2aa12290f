/* bench-malloc.c: count heap allocations by interposing malloc and friends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No LD_PRELOAD and no glibc hooks (__malloc_hook is gone since 2.34): the
 * benchmark executable itself defines malloc, calloc, realloc, free,
 * memalign, posix_memalign and aligned_alloc, which the dynamic linker
 * binds every shared object to (the executable comes first in the lookup
 * scope); each one counts the call in a thread-local counter and forwards
 * to glibc's own __libc_* entry point. GSlice must be off (G_SLICE=
 * always-malloc, set by bench/meson.build) for GLib's small blocks to be
 * seen.
 */

#include "config.h"

#include "bench-common.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

void *__libc_malloc (size_t size);
void *__libc_calloc (size_t nmemb, size_t size);
void *__libc_realloc (void *ptr, size_t size);
void  __libc_free (void *ptr);
void *__libc_memalign (size_t alignment, size_t size);

/* local-exec TLS in the executable: reading it never allocates */
static __thread guint64 alloc_count;

guint64
bench_alloc_count (void)
{
  return alloc_count;
}

void *
malloc (size_t size)
{
  alloc_count++;
  return __libc_malloc (size);
}

void *
calloc (size_t nmemb,
        size_t size)
{
  alloc_count++;
  return __libc_calloc (nmemb, size);
}

void *
realloc (void   *ptr,
         size_t  size)
{
  alloc_count++;
  return __libc_realloc (ptr, size);
}

void
free (void *ptr)
{
  __libc_free (ptr);
}

void *
memalign (size_t alignment,
          size_t size)
{
  alloc_count++;
  return __libc_memalign (alignment, size);
}

void *
aligned_alloc (size_t alignment,
               size_t size)
{
  alloc_count++;
  return __libc_memalign (alignment, size);
}

int
posix_memalign (void   **out,
                size_t   alignment,
                size_t   size)
{
  void *p;

  if (alignment % sizeof (void *) != 0 || (alignment & (alignment - 1)) != 0)
    return EINVAL;
  alloc_count++;
  p = __libc_memalign (alignment, size);
  if (p == NULL && size != 0)
    return ENOMEM;
  *out = p;
  return 0;
}
