/* test-posh.vala: the GObject face through the generated vapi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fetches and verifies ASYNCHRONOUSLY (yield) on a main loop against the
 * loopback HTTPS POSH hosts of posh-test-serve (default scenario). Prints TAP.
 */

string files;
int n_tests = 0;
int n_failed = 0;

void check (bool cond, string name) {
    n_tests++;
    if (!cond)
        n_failed++;
    print ("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, name);
}

TlsCertificate certificate (string name) throws Error {
    return new TlsCertificate.from_file (Path.build_filename (files, name));
}

async void run_tests (Posh.Verifier verifier) {
    try {
        var doc = yield verifier.fetch_async ("example.com", "xmpp-client", null);
        check (doc.get_kind () == Posh.DocumentKind.FINGERPRINTS,
               "fetch_async: a fingerprints document");

        Posh.VerifyStatus status;
        bool ok = yield verifier.verify_certificate_async (
            certificate ("hosting.example.net.pem"), "example.com",
            "xmpp-client", null, out status);
        check (ok && status == Posh.VerifyStatus.NONE,
               "verify_certificate_async: the listed certificate matches (R25)");

        ok = yield verifier.verify_certificate_async (
            certificate ("xmpp-other.pem"), "example.com", "xmpp-client",
            null, out status);
        check (ok && Posh.VerifyStatus.CERT_DIFFERS in status,
               "verify_certificate_async: another certificate differs (R23)");

        ok = verifier.accept_certificate (
            certificate ("hosting.example.net.pem"),
            TlsCertificateFlags.BAD_IDENTITY, "example.com", "xmpp-client",
            Posh.TlsFlags.NONE, out status);
        check (ok && status == Posh.VerifyStatus.NONE,
               "accept_certificate: cached document, delegation");
    } catch (Error e) {
        check (false, "unexpected error: " + e.message);
    }

    try {
        yield verifier.fetch_async ("example.com", "spice", null);
        check (false, "fetch_async: 404 throws NO_POSH_DATA (R13)");
    } catch (Error e) {
        check (e is Posh.Error.NO_POSH_DATA,
               "fetch_async: 404 throws NO_POSH_DATA (R13)");
    }
}

string[] read_specs (Subprocess proc) throws Error {
    var stream = new DataInputStream (proc.get_stdout_pipe ());
    string[] specs = {};
    string? line;
    while ((line = stream.read_line_utf8 (null)) != null && line != "")
        specs += line;
    return specs;
}

int main () {
    files = Environment.get_variable ("POSH_TEST_FILES");
    try {
        var proc = new Subprocess (SubprocessFlags.STDIN_PIPE | SubprocessFlags.STDOUT_PIPE,
                                   Environment.get_variable ("POSH_TEST_SERVE"));
        var verifier = new Posh.Verifier ();
        verifier.set_tls_database (TlsFileDatabase.new (Path.build_filename (files, "ca.pem")));
        foreach (var spec in read_specs (proc))
            verifier.add_connect_to (spec);

        var loop = new MainLoop ();
        run_tests.begin (verifier, (obj, res) => {
            run_tests.end (res);
            loop.quit ();
        });
        loop.run ();

        proc.get_stdin_pipe ().close ();
        proc.wait ();
    } catch (Error e) {
        check (false, "set-up failed: " + e.message);
    }
    print ("1..%d\n", n_tests);
    return n_failed == 0 ? 0 : 1;
}
