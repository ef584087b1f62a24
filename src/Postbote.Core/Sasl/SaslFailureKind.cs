namespace Postbote.Core.Sasl;

/// <summary>
/// Why a SASL exchange failed. The session maps it to a reply; suggested mapping per RFC 4954 §6:
/// <see cref="BadCredentials"/> and <see cref="AuthzidNotPermitted"/> → 535 5.7.8,
/// <see cref="Malformed"/> → 501 5.5.2, <see cref="ChannelBindingNotSupported"/> → 535 5.7.8.
/// The client never learns which part of the credentials was wrong or whether the user exists.
/// </summary>
public enum SaslFailureKind
{
    /// <summary>Unknown user, wrong password or proof, or a mechanism not enabled for this user.</summary>
    BadCredentials,
    /// <summary>The client's response does not follow the mechanism's syntax (missing NULs, bad header, not UTF-8, wrong nonce...).</summary>
    Malformed,
    /// <summary>The client asked to act as another identity (authzid different from authcid).</summary>
    AuthzidNotPermitted,
    /// <summary>SCRAM client requested channel binding ("p="), which we do not offer (no -PLUS mechanisms).</summary>
    ChannelBindingNotSupported,
}
