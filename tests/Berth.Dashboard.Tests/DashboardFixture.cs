using Berth.Testing;
using Microsoft.Playwright;

namespace Berth.Dashboard.Tests;

/// <summary>
/// One real Berth server and one headless Chromium for the test class. Chromium is Debian's (installed by
/// scripts/install-test-deps.sh), never a browser download. Each test gets its own browser context (cookies).
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime, IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private BerthProcess? _server;
    private ManagementClient? _admin;

    public BerthProcess Server => _server ?? throw new InvalidOperationException("server not started");

    public ManagementClient Admin => _admin ?? throw new InvalidOperationException("server not started");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("browser not started");

    /// <summary>Image layouts and skopeo's private configuration.</summary>
    public string WorkDir { get; } = TempDirs.Create("berth-dash");

    /// <summary>Screenshots of every page the tests visit: kept after the run (test artifacts).</summary>
    public string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public Skopeo Skopeo => new(Path.Combine(WorkDir, "skopeo"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);

        // Pull counts are flushed often so the delete page's safety report sees the test's pulls. Deletes stay
        // restorable for an hour, as on a real server (the Recently deleted page has something to show).
        _server = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Berth__Stats__FlushInterval"] = "00:00:00.200",
            ["Berth__Retention__RecoveryWindow"] = "01:00:00",
        });
        _admin = new ManagementClient(_server.BaseUrl, "admin", _server.AdminPassword);
        _playwright = await Playwright.CreateAsync();
        _browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Debian's headless Chromium, as every dashboard test drives it.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        _admin?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TempDirs.TryDelete(WorkDir);
    }

    public void Dispose() => _admin?.Dispose();

    /// <summary>
    /// A new browser session (own cookies) on the server, with clipboard access for the copy buttons; without
    /// JavaScript when <paramref name="javaScript"/> is false (the core flows must work so).
    /// </summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Permissions = ["clipboard-read", "clipboard-write"],
            JavaScriptEnabled = javaScript,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public OciImage BuildImage(int seed, string tag)
    {
        var layout = Path.Combine(WorkDir, $"layout-{Guid.NewGuid():N}");
        return new OciImageBuilder { Seed = seed, LayerCount = 2, Tag = tag, FileSize = 8 * 1024 }.Build(layout);
    }
}
