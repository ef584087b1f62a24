namespace Postbote.Core.Envelope;

/// <summary>RCPT NOTIFY= values of RFC 3461 §4.1. <see cref="None"/> means "not given" (the default policy applies).</summary>
[Flags]
public enum DsnNotify
{
    None = 0,
    Never = 1,
    Success = 2,
    Failure = 4,
    Delay = 8,
}
