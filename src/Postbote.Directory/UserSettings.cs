namespace Postbote.Directory;

/// <summary>Per-user settings given when a user is added.</summary>
/// <param name="AllowCramMd5">
/// Opt in to CRAM-MD5. CRAM-MD5 needs the password itself on the server (RFC 2195), so only when this is set is a
/// plaintext-equivalent secret stored; anyone who reads the database can then log in as this user. Off by default.
/// </param>
/// <param name="AllowSendAsAnyone">Let the user submit with any envelope sender (e.g. a web application's account).</param>
/// <param name="QuotaBytes">Mailbox quota in bytes, or null for none.</param>
public sealed record UserSettings(bool AllowCramMd5 = false, bool AllowSendAsAnyone = false, long? QuotaBytes = null);
