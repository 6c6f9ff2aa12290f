/* posh-test-prosody.c: a real Prosody on loopback for the posh-tool tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "posh-test-prosody.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define READY_TIMEOUT_SECONDS 60

struct _PoshTestProsody
{
  GSubprocess      *process;  /* (owned) */
  GDataInputStream *log;      /* (owned) its stdout and stderr */
  char             *dir;      /* (owned) */
  guint16           c2s_port;
  guint16           s2s_port;
  GString          *lines;    /* (owned) the log up to readiness */
};

char *
posh_test_prosody_find (void)
{
  char *program = g_find_program_in_path ("prosody");

  if (!program && g_file_test ("/usr/bin/prosody", G_FILE_TEST_IS_EXECUTABLE))
    program = g_strdup ("/usr/bin/prosody");
  return program;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, NULL);
  if (!socket || !g_socket_bind (socket, any, FALSE, NULL))
    return 0;
  bound = g_socket_get_local_address (socket, NULL);
  g_socket_close (socket, NULL);
  return bound ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

static gboolean
write_config (PoshTestProsody  *prosody,
              const char       *config_template,
              const char       *certificate,
              const char       *key,
              const char       *path,
              GError          **error)
{
  g_autofree char *text = NULL;
  g_autofree char *c2s = g_strdup_printf ("%u", prosody->c2s_port);
  g_autofree char *s2s = g_strdup_printf ("%u", prosody->s2s_port);
  g_autoptr(GString) config = NULL;

  if (!g_file_get_contents (config_template, &text, NULL, error))
    return FALSE;
  config = g_string_new (text);
  g_string_replace (config, "@DIR@", prosody->dir, 0);
  g_string_replace (config, "@C2S_PORT@", c2s, 0);
  g_string_replace (config, "@S2S_PORT@", s2s, 0);
  g_string_replace (config, "@CERT@", certificate, 0);
  g_string_replace (config, "@KEY@", key, 0);
  return g_file_set_contents (path, config->str, (gssize) config->len, error);
}

/* ---- waiting for "Activated service" ------------------------------------ */

typedef struct
{
  PoshTestProsody *prosody;
  GMainLoop       *loop;
  gboolean         c2s;
  gboolean         s2s;
  gboolean         timed_out;
} Wait;

static void read_line (Wait *wait);

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;
  g_autofree char *line = NULL;
  g_autofree char *c2s = g_strdup_printf ("Activated service 'c2s' on [127.0.0.1]:%u",
                                          wait->prosody->c2s_port);
  g_autofree char *s2s = g_strdup_printf ("Activated service 's2s' on [127.0.0.1]:%u",
                                          wait->prosody->s2s_port);

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    NULL, NULL);
  if (!line || wait->timed_out)
    {
      g_main_loop_quit (wait->loop);
      return;
    }
  g_string_append_printf (wait->prosody->lines, "%s\n", line);
  if (strstr (line, c2s))
    wait->c2s = TRUE;
  if (strstr (line, s2s))
    wait->s2s = TRUE;
  if (wait->c2s && wait->s2s)
    g_main_loop_quit (wait->loop);
  else
    read_line (wait);
}

static void
read_line (Wait *wait)
{
  g_data_input_stream_read_line_async (wait->prosody->log, G_PRIORITY_DEFAULT, NULL,
                                       line_cb, wait);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Wait *wait = user_data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_ready (PoshTestProsody *prosody)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Wait wait = { prosody, NULL, FALSE, FALSE, FALSE };
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (READY_TIMEOUT_SECONDS);

  g_main_context_push_thread_default (context);
  wait.loop = g_main_loop_new (context, FALSE);
  g_source_set_callback (timeout, timeout_cb, &wait, NULL);
  g_source_attach (timeout, context);
  read_line (&wait);
  g_main_loop_run (wait.loop);
  g_source_destroy (timeout);
  /* a read still pending after a timeout finishes on this context */
  while (wait.timed_out && g_main_context_iteration (context, FALSE))
    ;
  g_main_loop_unref (wait.loop);
  g_main_context_pop_thread_default (context);
  return wait.c2s && wait.s2s;
}

/* ---- start and stop ----------------------------------------------------- */

static void
child_setup (gpointer data)
{
  /* Never outlive the test, even when it aborts. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
spawn (PoshTestProsody  *prosody,
       const char       *program,
       const char       *config_path,
       GError          **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  prosody->process = g_subprocess_launcher_spawn (launcher, error, program, "--config",
                                                  config_path, "-F", NULL);
  if (!prosody->process)
    return FALSE;
  prosody->log = g_data_input_stream_new (g_subprocess_get_stdout_pipe (prosody->process));
  return TRUE;
}

static gboolean
make_dirs (PoshTestProsody  *prosody,
           GError          **error)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *certs_dir = NULL;

  prosody->dir = g_dir_make_tmp ("posh-tool-prosody-XXXXXX", error);
  if (!prosody->dir)
    return FALSE;
  data_dir = g_build_filename (prosody->dir, "data", NULL);
  certs_dir = g_build_filename (prosody->dir, "certs", NULL);
  g_mkdir_with_parents (data_dir, 0700);
  g_mkdir_with_parents (certs_dir, 0700);
  return TRUE;
}

PoshTestProsody *
posh_test_prosody_start (const char  *program,
                         const char  *config_template,
                         const char  *certificate,
                         const char  *key,
                         GError     **error)
{
  PoshTestProsody *prosody = g_new0 (PoshTestProsody, 1);
  g_autofree char *config_path = NULL;

  prosody->lines = g_string_new (NULL);
  prosody->c2s_port = free_port ();
  do
    prosody->s2s_port = free_port ();
  while (prosody->s2s_port == prosody->c2s_port);

  if (!make_dirs (prosody, error))
    goto fail;
  config_path = g_build_filename (prosody->dir, "prosody.cfg.lua", NULL);
  if (!write_config (prosody, config_template, certificate, key, config_path, error) ||
      !spawn (prosody, program, config_path, error))
    goto fail;
  if (!wait_ready (prosody))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "prosody did not listen on 127.0.0.1:%u and :%u; its log:\n%s",
                   prosody->c2s_port, prosody->s2s_port, prosody->lines->str);
      goto fail;
    }
  return prosody;

fail:
  posh_test_prosody_stop (prosody);
  return NULL;
}

guint16
posh_test_prosody_get_c2s_port (PoshTestProsody *prosody)
{
  return prosody->c2s_port;
}

guint16
posh_test_prosody_get_s2s_port (PoshTestProsody *prosody)
{
  return prosody->s2s_port;
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children)
    {
      GFile *child = NULL;

      if (!g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) || !child)
        break;
      remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

void
posh_test_prosody_stop (PoshTestProsody *prosody)
{
  if (!prosody)
    return;
  if (prosody->process)
    {
      g_subprocess_send_signal (prosody->process, SIGTERM);
      g_subprocess_wait (prosody->process, NULL, NULL);
      g_clear_object (&prosody->process);
    }
  g_clear_object (&prosody->log);
  if (prosody->dir)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (prosody->dir);

      remove_tree (dir);
      g_free (prosody->dir);
    }
  g_string_free (prosody->lines, TRUE);
  g_free (prosody);
}
