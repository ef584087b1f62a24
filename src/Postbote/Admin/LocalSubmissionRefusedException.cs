using Postbote.Core.Smtp;

namespace Postbote.Admin;

/// <summary>
/// A local submission refused for what it is (bad address, unknown user, not the caller's From:, too big): the
/// server answers it with <see cref="HttpStatus"/> and the SMTP reply as the detail, and the sendmail client turns
/// it into a sysexits code. A refusal, not a failure: retrying the same submission gets the same answer.
/// </summary>
public sealed class LocalSubmissionRefusedException(int httpStatus, string message) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;

    /// <summary>The sendmail exit code: EX_NOUSER (67) for an unknown local user, EX_TEMPFAIL (75) for a busy or failing server, else EX_DATAERR (65).</summary>
    public int ExitCode => HttpStatus switch
    {
        404 => Commands.ExitCodes.NoUser,
        >= 500 => Commands.ExitCodes.TempFail,
        _ => Commands.ExitCodes.DataError,
    };

    /// <summary>The refusal of an SMTP reply: 404 for an unknown user (5.1.1), 413 for size (5.3.4), 403 for sender binding (5.7.1), else 400.</summary>
    public static LocalSubmissionRefusedException Of(SmtpReply reply, string? detail = null)
    {
        string status = reply.EnhancedStatus ?? "";
        int http = status == "5.1.1" ? 404 : status == "5.3.4" ? 413 : status == "5.7.1" ? 403 : 400;
        return new LocalSubmissionRefusedException(http, reply.ToString().TrimEnd() + (detail is null ? "" : " (" + detail + ")"));
    }
}
