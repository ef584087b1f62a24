using System.Globalization;
using System.Text;
using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Arc;

/// <summary>Which of the three header fields of an ARC set (RFC 8617 §4.1).</summary>
internal enum ArcFieldKind { AuthenticationResults, MessageSignature, Seal }

/// <summary>
/// One ARC header field of a message: its kind, instance (i=, 1..50) and tags (for the two signatures), as a range
/// of the header section's bytes. A field whose i= cannot be read has <see cref="Instance"/> 0.
/// </summary>
internal sealed class ArcField
{
    /// <summary>RFC 8617 §4.2.1: at most 50 ARC sets.</summary>
    public const int MaxInstances = 50;

    public required ArcFieldKind Kind { get; init; }
    public required Range Range { get; init; }
    public int Instance { get; init; }
    /// <summary>The tag list of an ARC-Seal or ARC-Message-Signature; null for ARC-Authentication-Results or when malformed.</summary>
    public Dictionary<string, string>? Tags { get; init; }

    /// <summary>The ARC fields of a header section, in message order (top down).</summary>
    public static List<ArcField> Find(ReadOnlySpan<byte> header, List<Range> fields)
    {
        var found = new List<ArcField>();
        foreach (var f in fields)
        {
            var bytes = header[f];
            var name = DkimHeaderCanonicalizer.NameOf(bytes);
            ArcFieldKind kind;
            if (Ascii.EqualsIgnoreCase(name, "arc-seal"u8)) kind = ArcFieldKind.Seal;
            else if (Ascii.EqualsIgnoreCase(name, "arc-message-signature"u8)) kind = ArcFieldKind.MessageSignature;
            else if (Ascii.EqualsIgnoreCase(name, "arc-authentication-results"u8)) kind = ArcFieldKind.AuthenticationResults;
            else continue;
            var value = Encoding.UTF8.GetString(bytes[(bytes.IndexOf((byte)':') + 1)..]);
            Dictionary<string, string>? tags = null;
            string? i;
            if (kind == ArcFieldKind.AuthenticationResults)
            {
                // "i=N; authserv-id; results": the instance tag comes first (§4.1.1).
                int semi = value.IndexOf(';');
                var first = (semi < 0 ? value : value[..semi]).Trim(' ', '\t', '\r', '\n');
                i = first.StartsWith("i=", StringComparison.Ordinal) ? first[2..].Trim() : null;
            }
            else
            {
                tags = DkimTagList.Parse(value);
                i = tags?.GetValueOrDefault("i");
            }
            int instance = int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxInstances ? n : 0;
            found.Add(new ArcField { Kind = kind, Range = f, Instance = instance, Tags = tags });
        }
        return found;
    }
}
