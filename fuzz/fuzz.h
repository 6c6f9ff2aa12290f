/* fuzz.h: shared by the fuzz targets and driver.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>

#include <glib.h>

/* The libFuzzer entry point every target defines. */
int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);

/* Once per process: make CRITICAL (a g_return_if_fail hit by untrusted
 * input is a bug) fatal and drop everything below it, so that debug output
 * about rejected input does not slow the fuzzer down. */
static inline void
fuzz_log_handler (const char     *log_domain,
                  GLogLevelFlags  log_level,
                  const char     *message,
                  gpointer        user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_printerr ("%s: %s\n", log_domain != NULL ? log_domain : "", message);
      abort ();
    }
}

static inline void
fuzz_set_up (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_default_handler (fuzz_log_handler, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
}
