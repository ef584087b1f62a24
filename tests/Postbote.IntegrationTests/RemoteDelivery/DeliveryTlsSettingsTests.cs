using Postbote.Configuration;
using Postbote.Delivery.Tls;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>Delivery:Tls is read from the configuration file and checked at start, each problem naming its key.</summary>
public sealed class DeliveryTlsSettingsTests
{
    private static T WithFile<T>(string json, Func<string, T> load)
    {
        var file = Path.Combine(Path.GetTempPath(), "postbote-tls-" + Guid.NewGuid().ToString("N")[..10] + ".json");
        File.WriteAllText(file, json);
        try { return load(file); }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("""{ "Delivery": { "Tls": "Required" } }""", "Delivery:Tls: 'Required' is a single value; it is a section now: Delivery:Tls:Level")]
    [InlineData("""{ "Delivery": { "Tls": { "Level": "secure" } } }""", "Delivery:Tls:Level: 'secure' is not one of")]
    [InlineData("""{ "Delivery": { "Tls": { "Policies": [ { "Destination": "example.com", "Level": "encrypted" } ] } } }""", "Delivery:Tls:Policies:0:Level")]
    [InlineData("""{ "Delivery": { "Tls": { "Policies": [ { "Destination": "example.com", "Level": "verify", "Match": [ "nexthop" ], "CAFile": "/nonexistent.pem" } ] } } }""", "Delivery:Tls:Policies:0:CAFile")]
    [InlineData("""{ "Delivery": { "Tls": { "Levle": "may" } } }""", "Levle")]
    [InlineData("""{ "Delivery": { "VerifyCertificate": true } }""", "VerifyCertificate")]
    public void A_wrong_setting_stops_the_start_naming_the_key(string json, string key)
    {
        var e = WithFile(json, file => Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(file, Array.Empty<string>())));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Levels_and_policies_are_read_from_the_file()
    {
        var o = WithFile("""
            { "Delivery": { "Tls": { "Level": "encrypt", "Policies": [
                { "Destination": ".bank.example", "Level": "verify", "Match": [ "nexthop", "dot-nexthop" ] },
                { "Destination": "legacy.example", "Level": "may" } ] } } }
            """, file => ConfigurationLoader.Load(file, Array.Empty<string>()).Options);
        var table = TlsPolicyTable.Build(o.Delivery.Tls);
        Assert.Equal(TlsLevel.Encrypt, table.Find("example.org").Level);
        var bank = table.Find("mx.bank.example");
        Assert.Equal((TlsLevel.Verify, "nexthop dot-nexthop"), (bank.Level, string.Join(" ", bank.Match)));
        Assert.Equal(TlsLevel.May, table.Find("legacy.example").Level);
    }
}
