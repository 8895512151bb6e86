using System.Net;
using System.Security.Cryptography;
using Berth.Testing;

namespace Berth.Dashboard.Tests;

/// <summary>
/// The one embedded (SQLite) node without <c>Berth:DataProtection:Key</c>: it generates the key once, owner-only, into
/// its data directory and reuses it, so sessions survive a restart; a replaced key file stops it from starting.
/// </summary>
public sealed class EmbeddedKeyRingTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task TheGeneratedKeyIsOwnerOnlyAndReusedSoSessionsSurviveARestart()
    {
        var home = TempDirs.Create("berth-home");
        try
        {
            await CheckAsync(home);
        }
        finally
        {
            TempDirs.TryDelete(home);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static async Task CheckAsync(string home)
    {
        await using var server = await BerthProcess.StartAsync(extraEnvironment: new Dictionary<string, string> { ["HOME"] = home });
        var keyFile = Path.Combine(server.DataDir, "data-protection.key");
        Assert.True(File.Exists(keyFile), "no generated key file");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var key = await File.ReadAllTextAsync(keyFile);
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        var session = await DashboardHttp.SignInAsync(server.BaseUrl, "admin", server.AdminPassword);

        await server.RestartAsync();

        Assert.Equal(key, await File.ReadAllTextAsync(keyFile));
        using var http = DashboardHttp.NoCookies(server.BaseUrl);
        using var page = await DashboardHttp.GetAsync(http, "projects", session);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // Another key in the file cannot read the stored key ring: the node says so instead of starting.
        await server.StopAsync();
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(server.RestartAsync);
        Assert.Contains("Berth:DataProtection:Key cannot decrypt the dashboard key ring", refused.Message, StringComparison.Ordinal);
    }
}
