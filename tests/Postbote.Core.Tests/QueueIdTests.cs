using Postbote.Core.Envelope;

namespace Postbote.Core.Tests;

public sealed class QueueIdTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 11, 4, 15, TimeSpan.Zero);

    [Fact]
    public void Ids_SortByArrivalTime_AsPlainStrings()
    {
        var ids = new[]
        {
            QueueId.Create(T0, 0x7FFF),
            QueueId.Create(T0.AddMilliseconds(1), 0),
            QueueId.Create(T0.AddSeconds(1), 5),
            QueueId.Create(T0.AddDays(400), 1),
            QueueId.Create(T0.AddYears(70), 0),
        };
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.True(string.CompareOrdinal(QueueId.Create(T0, 1), QueueId.Create(T0, 2)) < 0);
    }

    [Fact]
    public void Id_IsTwelveCrockfordCharacters_AndKeepsItsArrivalTime()
    {
        var id = QueueId.Create(T0, 12345);
        Assert.Equal(QueueId.Length, id.Length);
        Assert.True(QueueId.IsValid(id));
        Assert.Equal(T0, QueueId.ArrivalOf(id));
        Assert.DoesNotContain(id, c => c is 'I' or 'L' or 'O' or 'U');
    }

    [Theory]
    [InlineData("0N5X3K2Q1Z4A", true)]
    [InlineData("0n5x3k2q1z4a", true)]
    [InlineData("0N5X3K2Q1Z4", false)]
    [InlineData("0N5X3K2Q1Z4AB", false)]
    [InlineData("0N5X3K2Q1Z4U", false)]
    [InlineData("../../etc/pa", false)]
    [InlineData("0N5X3K2Q1Z4.", false)]
    [InlineData("", false)]
    public void IsValid_RefusesAnythingButAQueueId(string id, bool valid) => Assert.Equal(valid, QueueId.IsValid(id));

    [Fact]
    public void Sequence_DistinguishesIdsOfTheSameMillisecond()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => QueueId.Create(T0, i)).ToHashSet();
        Assert.Equal(1000, ids.Count);
    }
}
