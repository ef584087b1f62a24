using System.Text;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// A test SASL authenticator: PLAIN (RFC 4616) and LOGIN (its "Username:"/"Password:" challenges), one user
/// "alice" with password "secret", who owns every address in example.org.
/// </summary>
public sealed class FakeAuthenticator : ISmtpAuthenticator
{
    public const string User = "alice", Password = "secret";

    public IReadOnlyList<string> Mechanisms { get; } = ["PLAIN", "LOGIN"];

    public ISaslExchange? Start(string mechanism) => mechanism switch
    {
        "PLAIN" => new Plain(),
        "LOGIN" => new Login(),
        _ => null,
    };

    public ValueTask<bool> OwnsAddressAsync(string user, string address, CancellationToken ct)
        => ValueTask.FromResult(user == User && address.EndsWith("@example.org", StringComparison.OrdinalIgnoreCase));

    private static SaslOutcome Check(string user, string password)
        => user == User && password == Password ? SaslOutcome.Success(user) : SaslOutcome.Failure;

    private sealed class Plain : ISaslExchange
    {
        public ValueTask<SaslOutcome> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken ct)
        {
            if (response is null) return ValueTask.FromResult(SaslOutcome.Continue([]));
            var parts = Encoding.UTF8.GetString(response.Value.Span).Split('\0');
            return ValueTask.FromResult(parts.Length == 3 ? Check(parts[1], parts[2]) : SaslOutcome.Failure);
        }
    }

    private sealed class Login : ISaslExchange
    {
        private string? _user;
        private int _step;

        public ValueTask<SaslOutcome> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken ct)
        {
            if (_step == 0 && response is null)
            {
                _step = 1;
                return ValueTask.FromResult(SaslOutcome.Continue("Username:"u8.ToArray()));
            }
            if (_step <= 1)
            {
                _user = Encoding.UTF8.GetString(response!.Value.Span);
                _step = 2;
                return ValueTask.FromResult(SaslOutcome.Continue("Password:"u8.ToArray()));
            }
            return ValueTask.FromResult(Check(_user!, Encoding.UTF8.GetString(response!.Value.Span)));
        }
    }
}
