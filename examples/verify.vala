/* verify.vala: check a certificate by POSH from Vala (async/yield)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   verify-vala [--cafile CA.pem] [--connect-to H:P:CH:CP]... DOMAIN SERVICE CERT.pem
 *
 *   valac --pkg posh-gnutls-1 --pkg gio-2.0 verify.vala
 *
 * Exit status: 0 POSH did not reject the certificate, 1 it did, 2 could not
 * check.
 */

static string? cafile = null;
[CCode (array_length = false, array_null_terminated = true)]
static string[]? connect_to = null;

const OptionEntry[] entries = {
    { "cafile", 0, 0, OptionArg.FILENAME, ref cafile, "Trust store for the HTTPS fetch", "FILE" },
    { "connect-to", 0, 0, OptionArg.STRING_ARRAY, ref connect_to, "HTTPS connection override", "H:P:CH:CP" },
    { null }
};

async int verify (Posh.Verifier verifier, string domain, string service, string cert_file) {
    try {
        var cert = new TlsCertificate.from_file (cert_file);
        Posh.VerifyStatus status;
        yield verifier.verify_certificate_async (cert, domain, service, null, out status);
        print ("%s\n", status.to_string ());
        return status == Posh.VerifyStatus.NONE ? 0 : 1;
    } catch (Error e) {
        printerr ("could not check: %s\n", e.message);
        return 2;
    }
}

int main (string[] args) {
    var context = new OptionContext ("DOMAIN SERVICE CERT.pem");
    context.add_main_entries (entries, null);
    try {
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("%s\n", e.message);
        return 2;
    }
    if (args.length != 4) {
        printerr ("%s", context.get_help (true, null));
        return 2;
    }

    var verifier = new Posh.Verifier ();
    try {
        if (cafile != null)
            verifier.set_tls_database (TlsFileDatabase.new (cafile));
        foreach (var spec in connect_to ?? new string[0])
            verifier.add_connect_to (spec);
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 2;
    }

    var loop = new MainLoop ();
    int exit_status = 2;
    verify.begin (verifier, args[1], args[2], args[3], (obj, res) => {
        exit_status = verify.end (res);
        loop.quit ();
    });
    loop.run ();
    return exit_status;
}
