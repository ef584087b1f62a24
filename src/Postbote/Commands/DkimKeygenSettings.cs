using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote dkim keygen DOMAIN` and `rotate DOMAIN`.</summary>
public sealed class DkimKeygenSettings : DkimDomainSettings
{
    [CommandOption("--selector <SELECTOR>")]
    [Description("The selector (s=). Default: pbYYYYMM of this month (pbYYYYMM-2... if taken).")]
    public string? Selector { get; set; }

    [CommandOption("--algorithm <ALGORITHM>")]
    [Description("rsa (rsa-sha256, the default) or ed25519 (ed25519-sha256, RFC 8463; publish an rsa key too, not every verifier knows it).")]
    public string Algorithm { get; set; } = "rsa";

    [CommandOption("--bits <BITS>")]
    [Description("RSA key size: 1024 to 4096, default 2048 (RFC 8301 §3.2).")]
    public int Bits { get; set; } = 2048;
}
