using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Postbote.Admin;

/// <summary>
/// The process at the other end of a Unix domain socket (SO_PEERCRED on Linux): the kernel vouches for its uid,
/// so the admin endpoint can refuse other users even if the socket's file mode were loosened by mistake.
/// </summary>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The credentials of the peer of a connected Unix socket, or null where the OS cannot tell.</summary>
    public static PeerCredentials? Of(Socket socket)
    {
        if (!OperatingSystem.IsLinux()) return null;
        Span<byte> buffer = stackalloc byte[12];
        try
        {
            int n = socket.GetRawSocketOption(SolSocket, SoPeerCred, buffer);
            if (n < 12) return null;
        }
        catch (SocketException) { return null; }
        return new PeerCredentials(BitConverter.ToInt32(buffer[..4]), BitConverter.ToUInt32(buffer[4..8]), BitConverter.ToUInt32(buffer[8..12]));
    }

    /// <summary>
    /// Whether a peer may use the admin API: only one the kernel identified as root or the server's own user. A peer
    /// with no credentials (SO_PEERCRED unavailable) is refused: the check fails closed.
    /// </summary>
    public static bool MayAdminister(PeerCredentials? peer) => peer is { IsAdministrator: true };

    /// <summary>The effective uid of this process.</summary>
    public static uint EffectiveUid => OperatingSystem.IsWindows() ? 0 : geteuid();

    /// <summary>True when this peer may administer the server: root, or the user the server runs as.</summary>
    public bool IsAdministrator => Uid == 0 || Uid == EffectiveUid;

    /// <summary>The login name of the peer's uid (from /etc/passwd), or "uid N" when it has none.</summary>
    public string UserName => LookupUserName(Uid);

    public static string LookupUserName(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 2 && uint.TryParse(f[2], out var u) && u == uid) return f[0];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return "uid " + uid;
    }

#pragma warning disable SYSLIB1054 // DllImport needs no unsafe code; geteuid has no marshalling.
    [DllImport("libc")]
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
