using Berth.Testing;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>Runs the real <c>berth</c> executable as a client of a test server, configured the way scripts do it: by environment.</summary>
public static class CliRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// <c>BERTH_URL</c>/<c>BERTH_USERNAME</c>/<c>BERTH_PASSWORD</c> for the fixture's admin (or <paramref name="password"/>),
    /// and a config file of the test's own (<c>BERTH_CONFIG</c>), so that no test reads another's <c>berth login</c>.
    /// </summary>
    public static Dictionary<string, string?> Environment(ConfiguredBerthFixture fixture, string? password = null, string? config = null) => new()
    {
        ["BERTH_URL"] = fixture.Server.BaseUrl.ToString().TrimEnd('/'),
        ["BERTH_USERNAME"] = "admin",
        ["BERTH_PASSWORD"] = password ?? fixture.Server.AdminPassword,
        ["BERTH_CONFIG"] = config ?? Path.Combine(fixture.NewDir("cli-config"), "config.json"),
        ["NO_COLOR"] = "1",
    };

    public static Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string?> environment, string? input, params string[] arguments) =>
        ProcessRunner.RunAsync(BerthProcess.DotnetHost, [BerthProcess.BerthDll, .. arguments], environment, Timeout, input);
}
