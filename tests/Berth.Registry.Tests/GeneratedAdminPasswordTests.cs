using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Without <c>Berth__Admin__Password</c>, the first start generates the administrator's password and prints it once in
/// the log; it works on the management API, survives a restart, and is not printed again.
/// </summary>
public sealed partial class GeneratedAdminPasswordTests
{
    private const string CreatedLine = "Created the administrator account.";

    [Fact]
    public async Task GeneratedPasswordIsPrintedOnceAndKeepsWorkingAfterARestart()
    {
        await using var server = await BerthProcess.StartWithGeneratedAdminPasswordAsync();
        var password = await WaitForAsync(server, () => AnnouncedPassword(server.Output), "the generated password in the log");
        Assert.True(password.Length >= 32, $"generated password is only {password.Length} characters");
        Assert.Single(AnnouncedPasswordRegex().Matches(server.Output));

        using (var admin = new ManagementClient(server.BaseUrl, "admin", password))
        {
            await admin.CreateProjectAsync("generated-admin");
            Assert.Contains(await ProjectsAsync(admin), p => p.Name == "generated-admin");
        }

        using (var wrong = new ManagementClient(server.BaseUrl, "admin", password + "x"))
        using (var refused = await wrong.Http.GetAsync("api/v1/projects"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Same data directory: the account exists, so nothing is generated or printed.
        var before = server.Output.Length;
        await server.RestartAsync();
        await WaitForAsync(server, () => server.Output[before..].Contains("Berth metadata:", StringComparison.Ordinal) ? "ready" : null,
            "the restarted server's start-up line");
        var restartLog = server.Output[before..];
        Assert.DoesNotContain(CreatedLine, restartLog, StringComparison.Ordinal);
        Assert.DoesNotContain(password, restartLog, StringComparison.Ordinal);

        using var again = new ManagementClient(server.BaseUrl, "admin", password);
        Assert.Contains(await ProjectsAsync(again), p => p.Name == "generated-admin");

        // Nor does using it print it.
        Assert.DoesNotContain(password, server.Output[before..], StringComparison.Ordinal);
    }

    /// <summary>The password a server's log announces for the administrator it created, or null.</summary>
    internal static string? AnnouncedPassword(string log) =>
        AnnouncedPasswordRegex().Match(log) is { Success: true } match ? match.Groups["password"].Value : null;

    private static async Task<List<ProjectInfo>> ProjectsAsync(ManagementClient admin)
    {
        using var response = await admin.Http.GetAsync("api/v1/projects");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<ProjectInfo>>())!;
    }

    /// <summary>Polls the log (the console logger writes in the background), at most 15 s.</summary>
    private static async Task<string> WaitForAsync(BerthProcess server, Func<string?> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {what} within 15 s. Output:\n{server.OutputTail()}");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"Created the administrator account\. Username: admin\s+Password: (?<password>\S+)")]
    private static partial Regex AnnouncedPasswordRegex();
}
