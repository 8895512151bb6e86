using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Berth.Dashboard.Tests;

/// <summary>Full-page screenshots of every page a test visits, numbered in visiting order, paths printed to the test output.</summary>
public sealed class Screens(string directory, string prefix, ITestOutputHelper output)
{
    private int _count;

    public async Task ShootAsync(IPage page, string name)
    {
        var path = Path.Combine(directory, $"{prefix}-{++_count:00}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
