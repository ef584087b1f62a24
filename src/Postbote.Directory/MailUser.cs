namespace Postbote.Directory;

/// <summary>A local user as listed by the directory (never with secrets).</summary>
/// <param name="Address">The full address, local part and domain lower-case, domain as an A-label.</param>
/// <param name="AllowCramMd5">True when a plaintext-equivalent CRAM-MD5 secret is stored for this user.</param>
/// <param name="AllowSendAsAnyone">True when the user may use any envelope sender on submission.</param>
/// <param name="QuotaBytes">The mailbox quota, or null for none.</param>
public sealed record MailUser(string Address, bool AllowCramMd5, bool AllowSendAsAnyone, long? QuotaBytes);
