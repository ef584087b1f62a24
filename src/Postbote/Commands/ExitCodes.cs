namespace Postbote.Commands;

/// <summary>Exit codes of sysexits.h, as sendmail and Postfix's tools use them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A check found something to fix (`postbote dns check`: a record missing or wrong).</summary>
    public const int NotReady = 1;
    /// <summary>EX_USAGE: bad command line.</summary>
    public const int Usage = 64;
    /// <summary>EX_DATAERR: bad input data (e.g. an address).</summary>
    public const int DataError = 65;
    /// <summary>EX_NOINPUT: an input (queue id, file) does not exist.</summary>
    public const int NoInput = 66;
    /// <summary>EX_NOUSER: addressee unknown.</summary>
    public const int NoUser = 67;
    /// <summary>EX_UNAVAILABLE: a service is unavailable.</summary>
    public const int Unavailable = 69;
    /// <summary>EX_SOFTWARE: internal error.</summary>
    public const int Software = 70;
    /// <summary>EX_OSERR: an operating system error (cannot bind a port).</summary>
    public const int OsError = 71;
    /// <summary>EX_TEMPFAIL: temporary failure, try again.</summary>
    public const int TempFail = 75;
    /// <summary>EX_NOPERM: permission denied.</summary>
    public const int NoPermission = 77;
    /// <summary>EX_CONFIG: configuration error.</summary>
    public const int Config = 78;
}
