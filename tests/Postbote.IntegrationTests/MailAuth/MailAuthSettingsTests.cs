using Postbote.Configuration;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>The MailAuth and Dns cache settings are read from the configuration file and validated, each problem naming its key.</summary>
public sealed class MailAuthSettingsTests
{
    [Theory]
    [InlineData("""{ "MailAuth": { "SpfFailAction": "bounce" } }""", "MailAuth:SpfFailAction")]
    [InlineData("""{ "MailAuth": { "SpfTempErrorAction": "drop" } }""", "MailAuth:SpfTempErrorAction")]
    [InlineData("""{ "MailAuth": { "SpfTimeBudget": "00:00:00" } }""", "MailAuth:SpfTimeBudget")]
    [InlineData("""{ "MailAuth": { "SpfDnsLookupLimit": 0 } }""", "MailAuth:SpfDnsLookupLimit")]
    [InlineData("""{ "Dns": { "CacheMaxEntries": -1 } }""", "Dns:CacheMaxEntries")]
    public void A_wrong_setting_stops_the_start_naming_the_key(string json, string key)
    {
        var file = Path.Combine(Path.GetTempPath(), "postbote-mailauth-" + Guid.NewGuid().ToString("N")[..10] + ".json");
        File.WriteAllText(file, json);
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(file, Array.Empty<string>()));
            Assert.Contains(key, e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MailAuth_settings_are_read_from_the_file()
    {
        var file = Path.Combine(Path.GetTempPath(), "postbote-mailauth-" + Guid.NewGuid().ToString("N")[..10] + ".json");
        File.WriteAllText(file, """{ "MailAuth": { "SpfFailAction": "reject", "SpfTimeBudget": "00:00:30" }, "Dns": { "CacheMaxEntries": 0 } }""");
        try
        {
            var o = ConfigurationLoader.Load(file, Array.Empty<string>()).Options;
            Assert.Equal(("reject", TimeSpan.FromSeconds(30), 0), (o.MailAuth.SpfFailAction, o.MailAuth.SpfTimeBudget, o.Dns.CacheMaxEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
