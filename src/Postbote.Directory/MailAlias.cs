namespace Postbote.Directory;

/// <summary>An alias: a source address (or a catch-all "@domain") and its targets.</summary>
public sealed record MailAlias(string Source, IReadOnlyList<string> Targets)
{
    /// <summary>True for a catch-all alias "@domain", used only when no user or alias matches.</summary>
    public bool IsCatchAll => Source.StartsWith('@');
}
