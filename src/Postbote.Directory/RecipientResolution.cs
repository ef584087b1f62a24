namespace Postbote.Directory;

/// <summary>The result of <see cref="IMailDirectory.ResolveRecipientAsync"/>.</summary>
/// <param name="Kind">Resolved, or why not.</param>
/// <param name="Mailboxes">The final, de-duplicated mailboxes (empty unless <see cref="ResolutionKind.Resolved"/>).</param>
/// <param name="Unresolved">Local alias targets that match nothing (a dangling alias); the caller should log them.</param>
/// <param name="Detail">For the log, never for the client: e.g. the alias chain of a loop.</param>
public sealed record RecipientResolution(
    ResolutionKind Kind, IReadOnlyList<ResolvedMailbox> Mailboxes, IReadOnlyList<string> Unresolved, string? Detail = null)
{
    public bool IsResolved => Kind == ResolutionKind.Resolved;

    internal static RecipientResolution Failed(ResolutionKind kind, string? detail = null) => new(kind, [], [], detail);
}
