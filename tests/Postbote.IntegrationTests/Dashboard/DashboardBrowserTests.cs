using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Postbote.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Postbote.IntegrationTests.Dashboard;

/// <summary>
/// Issue 15: the dashboard in a real browser, Debian's headless chromium driven by Selenium through Debian's
/// chromium-driver. One browser and one server for the class; a screenshot of every page is saved under
/// TestResults/dashboard-screenshots beside the test binaries (the path is printed in the test output).
/// </summary>
public sealed class DashboardBrowserTests : IClassFixture<DashboardBrowserTests.Browser>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly Browser _browser;
    private readonly ITestOutputHelper _output;

    public DashboardBrowserTests(Browser browser, ITestOutputHelper output)
    {
        _browser = browser;
        _output = output;
    }

    /// <summary>The server, the browser (logged in once) and the screenshot folder, shared by the class's tests.</summary>
    public sealed class Browser : IAsyncLifetime
    {
        public PostboteTestServer Server { get; private set; } = null!;
        public ChromeDriver Driver { get; private set; } = null!;
        public string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard-screenshots");
        public string BaseUrl { get; private set; } = "";

        public async Task InitializeAsync()
        {
            if (!ExternalTool.Exists("chromium") || !ExternalTool.Exists("chromedriver")) return; // the facts are skipped
            System.IO.Directory.CreateDirectory(Screenshots);
            Server = await DashboardClient.StartServerAsync();
            BaseUrl = DashboardClient.BaseOf(Server).ToString().TrimEnd('/');
            var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
            service.SuppressInitialDiagnosticInformation = true;
            service.HideCommandPromptWindow = true;
            var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--no-first-run", "--disable-extensions", "--user-data-dir=" + Path.Combine(Server.DataDirectory, "chromium-profile"));
            Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
            Driver.Manage().Timeouts().PageLoad = Wait;
        }

        public async Task DisposeAsync()
        {
            Driver?.Quit();
            Driver?.Dispose();
            if (Server is not null) await Server.DisposeAsync();
        }
    }

    private ChromeDriver Driver => _browser.Driver;

    private void Open(string path) => Driver.Navigate().GoToUrl(_browser.BaseUrl + path);

    private IWebElement Find(By by) => new WebDriverWait(Driver, Wait).Until(d => d.FindElements(by).FirstOrDefault(e => e.Displayed));

    private void WaitFor(Func<IWebDriver, bool> condition, string what)
    {
        try { new WebDriverWait(Driver, Wait).Until(condition); }
        catch (WebDriverTimeoutException) { Shot("timeout"); throw new Xunit.Sdk.XunitException($"timed out waiting for {what} on {Driver.Url}:\n{Driver.PageSource}"); }
    }

    private void Shot(string name)
    {
        var path = Path.Combine(_browser.Screenshots, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        _output.WriteLine("screenshot: " + path);
    }

    private void LogIn()
    {
        Open("/");
        if (!Driver.Url.Contains("/login", StringComparison.Ordinal)) return; // the class's browser is logged in already
        Shot("01-login");
        Find(By.Name("name")).SendKeys(DashboardClient.Admin);
        Find(By.Name("password")).SendKeys(DashboardClient.Password);
        Find(By.CssSelector("form.login button[type=submit]")).Click();
        WaitFor(d => d.FindElements(By.Id("totals")).Count > 0, "the overview after login");
    }

    private long Total(string id) => long.Parse(Find(By.Id("total-" + id)).Text, System.Globalization.CultureInfo.InvariantCulture);

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task LogIn_SeeAQueuedMessage_HoldAndReleaseIt()
    {
        string id = await DashboardClient.QueueMessageAsync(_browser.Server, "alice@remote.example", "bob@test.local", "browser hold");
        LogIn();
        Open("/queue");
        Find(By.LinkText(id)).Click();
        WaitFor(d => d.FindElements(By.Id("envelope")).Count > 0, "the message page");
        Assert.Contains("alice@remote.example", Find(By.Id("envelope")).Text);
        Assert.Contains("Subject: browser hold", Driver.PageSource);
        Shot("04-message");

        Find(By.LinkText("Hold")).Click();
        Shot("05-confirm-hold");
        Find(By.CssSelector("form.confirm button[type=submit]")).Click();
        WaitFor(d => d.FindElements(By.CssSelector(".notice")).Any(n => n.Text.Contains("put on hold", StringComparison.Ordinal)), "the hold notice");
        Assert.Contains(_browser.Server.Spool.List(Postbote.Queue.QueueState.Hold), m => m.QueueId == id);
        Open("/queue?state=hold");
        Assert.Contains(id, Find(By.Id("queue-list")).Text);
        Shot("06-queue-hold");

        Open($"/queue/{id}");
        Find(By.LinkText("Release")).Click();
        Find(By.CssSelector("form.confirm button[type=submit]")).Click();
        WaitFor(d => d.FindElements(By.CssSelector(".notice")).Any(n => n.Text.Contains("released", StringComparison.Ordinal)), "the release notice");
        Assert.DoesNotContain(_browser.Server.Spool.List(Postbote.Queue.QueueState.Hold), m => m.QueueId == id);
        Assert.Contains(_browser.Server.Queued(), m => m.QueueId == id);
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task Counters_Move_AfterSendingMail_AndTheLogFollowsLive()
    {
        LogIn();
        Open("/");
        long received = Total("received"), queued = Total("queued");
        Shot("02-overview");
        Open("/log");
        WaitFor(d => d.FindElement(By.Id("live-status")).Text.Contains("live", StringComparison.Ordinal), "the live tail to connect");
        string id = await DashboardClient.QueueMessageAsync(_browser.Server, "zoe@remote.example", "bob@test.local", "browser live");
        WaitFor(d => d.FindElement(By.Id("log")).Text.Contains($"{id}: queued from=<zoe@remote.example>", StringComparison.Ordinal), "the queued line in the live tail");
        Shot("07-log-live");

        Open("/");
        Assert.Equal(received + 1, Total("received"));
        Assert.Equal(queued + 1, Total("queued"));
        Shot("03-overview-after-mail");
        Open("/queue");
        Assert.Contains(id, Find(By.Id("queue-list")).Text);
        Shot("08-queue");
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task DirectoryPages_AddAUser_AndShowTheDkimRecord()
    {
        var store = new Postbote.MailAuth.Dkim.DkimKeyStore(Path.Combine(_browser.Server.DataDirectory, "dkim"));
        using (store.Create("test.local", "browser", Postbote.MailAuth.Dkim.DkimAlgorithm.Ed25519Sha256, 0, DateTimeOffset.UtcNow)) { }
        LogIn();
        Open("/users");
        Find(By.Name("address")).SendKeys("carol@test.local");
        Find(By.Name("password")).SendKeys("Browser-pw-1");
        Find(By.Name("password2")).SendKeys("Browser-pw-1");
        Find(By.CssSelector("form.stacked button[type=submit]")).Click();
        WaitFor(d => d.FindElement(By.Id("users")).Text.Contains("carol@test.local", StringComparison.Ordinal), "the new user in the list");
        Assert.NotNull(await _browser.Server.Directory.FindUserAsync("carol@test.local"));
        Shot("09-users");
        foreach (var (path, name) in new[] { ("/domains", "10-domains"), ("/aliases", "11-aliases") })
        {
            Open(path);
            Find(By.TagName("h1"));
            Shot(name);
        }
        Open("/dkim");
        Assert.Contains("browser._domainkey.test.local", Find(By.Id("dkim")).Text);
        Shot("12-dkim");
    }
}
