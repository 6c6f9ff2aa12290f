/* driver.c: replay fuzz inputs without libFuzzer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Linked with each fuzz target when the build has no libFuzzer (and always
 * for the 'fuzzing' test suite): every argument is a file or a directory of
 * files, each of which is passed once to LLVMFuzzerTestOneInput(). A crash,
 * a sanitizer report or a failed assertion in a target fails the run. The
 * output is TAP, one test point per input, so meson shows which file broke.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz.h"

static unsigned int n_inputs;

static void
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      printf ("not ok %u %s # %s\n", ++n_inputs, path, error->message);
      exit (1);
    }
  /* Copy into an exactly sized buffer so ASan sees reads past the end;
   * never NULL, as libFuzzer never passes NULL, even for an empty input. */
  {
    g_autofree guint8 *data = g_malloc (MAX (len, 1));

    memcpy (data, contents, len);
    LLVMFuzzerTestOneInput (data, len);
  }
  printf ("ok %u %s\n", ++n_inputs, path);
  fflush (stdout);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
run_dir (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      printf ("not ok %u %s # %s\n", ++n_inputs, path, error->message);
      exit (1);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));

  /* Sorted, so that runs are reproducible and the numbering stable. */
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    run_file (names->pdata[i]);
}

int
main (int    argc,
      char **argv)
{
  printf ("TAP version 13\n");
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        run_dir (argv[i]);
      else if (g_file_test (argv[i], G_FILE_TEST_EXISTS))
        run_file (argv[i]);
      else
        printf ("# %s: no such file or directory, skipped\n", argv[i]);
    }
  printf ("1..%u\n", n_inputs);
  return 0;
}
