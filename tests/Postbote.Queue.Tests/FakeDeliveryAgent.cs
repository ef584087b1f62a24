using Postbote.Core.Delivery;

namespace Postbote.Queue.Tests;

/// <summary>A delivery agent whose answers a test chooses; records every call with the fake time and the bytes read.</summary>
internal sealed class FakeDeliveryAgent(string name, TimeProvider time, Func<DeliveryRequest, DeliveryRecipient, RecipientResult> answer) : IDeliveryAgent
{
    private int _current;
    private int _max;

    public string Name => name;
    public List<(DateTimeOffset At, DeliveryRequest Request, byte[] Message)> Calls { get; } = new();
    /// <summary>When set, every call waits for it (to hold deliveries in progress).</summary>
    public TaskCompletionSource? Gate { get; set; }
    /// <summary>Released once per call entered.</summary>
    public SemaphoreSlim Entered { get; } = new(0);
    public int MaxConcurrent => Volatile.Read(ref _max);

    public async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        int now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen) { }
        try
        {
            var at = time.GetUtcNow();
            byte[] bytes;
            await using (var stream = await request.OpenMessage(cancellationToken))
            {
                var ms = new MemoryStream();
                await stream.CopyToAsync(ms, cancellationToken);
                bytes = ms.ToArray();
            }
            lock (Calls) Calls.Add((at, request, bytes));
            Entered.Release();
            if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
            return request.Recipients.Select(r => answer(request, r)).ToList();
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }

    public static Func<DeliveryRequest, DeliveryRecipient, RecipientResult> Sent(string? remote = "mx.example.net[192.0.2.7]:25", DeliveryAction action = DeliveryAction.Delivered)
        => (_, r) => RecipientResult.Success(r.Address, action, "250 2.0.0 Ok", remote);

    public static Func<DeliveryRequest, DeliveryRecipient, RecipientResult> Deferred()
        => (_, r) => RecipientResult.Temporary(r.Address, "4.4.1", "connect to mx.example.net[192.0.2.7]:25: Connection refused", "mx.example.net[192.0.2.7]:25", FailureScope.Site);

    public static Func<DeliveryRequest, DeliveryRecipient, RecipientResult> Rejected()
        => (_, r) => RecipientResult.Permanent(r.Address, "5.1.1", "550 5.1.1 <" + r.Address + ">: Recipient address rejected: User unknown", "mx.example.net[192.0.2.7]:25", FailureScope.Recipient);
}
