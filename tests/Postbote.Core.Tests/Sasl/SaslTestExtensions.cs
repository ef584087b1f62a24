using System.Text;
using Postbote.Core.Sasl;

namespace Postbote.Core.Tests.Sasl;

internal static class SaslTestExtensions
{
    public static ValueTask<SaslServerStep> StepAsync(this ISaslServerMechanism m, string? text) =>
        m.StepAsync(text is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(text), CancellationToken.None);

    public static ValueTask<SaslServerStep> StepAsync(this ISaslServerMechanism m, byte[] bytes) =>
        m.StepAsync(bytes, CancellationToken.None);

    public static string ChallengeText(this SaslServerStep step)
    {
        Assert.True(step.IsChallenge, $"expected a challenge, got {step}");
        return Encoding.UTF8.GetString(step.Challenge.Span);
    }

    /// <summary>Runs a client against a server as an SMTP session would; returns the final server step.</summary>
    public static async Task<SaslServerStep> RunAsync(ISaslServerMechanism server, ISaslClientMechanism client)
    {
        var initial = client.InitialResponse();
        var step = await server.StepAsync(initial is null ? null : (ReadOnlyMemory<byte>?)initial, CancellationToken.None);
        for (int i = 0; step.IsChallenge && i < 10; i++)
            step = await server.StepAsync(client.Respond(step.Challenge.Span), CancellationToken.None);
        return step;
    }
}
