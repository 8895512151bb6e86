using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// The <c>berth registry resize|reset-password|delete|audit</c> and <c>berth project audit</c> verbs against a real
/// server. The harness redirects stdin, so these runs are the non-interactive (script) paths of the prompts.
/// </summary>
public sealed class CliLifecycleTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private Task<ProcessResult> BerthAsync(params string[] arguments) => BerthWithInputAsync(null, arguments);

    private Task<ProcessResult> BerthWithInputAsync(string? input, params string[] arguments) =>
        CliRunner.RunAsync(CliRunner.Environment(fixture), input, arguments);

    private async Task<HttpStatusCode> V2StatusAsync(string username, string password)
    {
        using var client = new RegistryClient(fixture.Server.BaseUrl, username, password, RegistryAuthMode.Basic);
        using var response = await client.GetAsync("v2/");
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> RegistryStatusAsync(string name)
    {
        using var response = await fixture.Admin.Http.GetAsync($"api/v1/registries/{Uri.EscapeDataString(name)}");
        return response.StatusCode;
    }

    private static List<JsonElement> Events(ProcessResult result)
    {
        using var json = JsonDocument.Parse(result.Stdout);
        return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public async Task ResizeSetsTheAllocation()
    {
        var registry = await fixture.NewRegistryAsync("rs");

        var resized = (await BerthAsync("registry", "resize", registry.Name, "--size", "20GiB")).EnsureSuccess();
        Assert.Contains("20.0 GiB", resized.Stdout, StringComparison.Ordinal);
        Assert.Equal(21474836480L, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);

        // 5 TiB = 512 steps of the default 10 GiB.
        var json = (await BerthAsync("registry", "resize", registry.Name, "--size", "5TiB", "--json")).EnsureSuccess();
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(5L << 40, document.RootElement.GetProperty("storageLimitBytes").GetInt64());
        }

        (await BerthAsync("registry", "resize", registry.Name, "--size", "20")).EnsureSuccess();
        Assert.Equal(21474836480L, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
        (await BerthAsync("registry", "resize", registry.Name, "-s", "30G")).EnsureSuccess();
        Assert.Equal(30L << 30, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
    }

    /// <summary>Issue 12: allocations move in steps (default 10 GiB); the server's reason is what the CLI prints.</summary>
    [Fact]
    public async Task ResizeOffTheStepIsRefusedWithTheNearestSteps()
    {
        var registry = await fixture.NewRegistryAsync("rstep");

        var result = await BerthAsync("registry", "resize", registry.Name, "--size", "25GiB");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("steps of 10.0 GiB", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Choose 20.0 GiB or 30.0 GiB", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(10L << 30, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
    }

    [Theory]
    [InlineData("1.5GiB")]
    [InlineData("512MiB")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("lots")]
    public async Task ResizeRefusesInvalidSizesWithUsageError(string size)
    {
        var registry = await fixture.NewRegistryAsync("ri");
        var before = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes;

        var result = await BerthAsync("registry", "resize", registry.Name, "--size", size);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(size, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
    }

    [Fact]
    public async Task ResizeOfAnUnknownRegistryFails()
    {
        var result = await BerthAsync("registry", "resize", Names.Unique("nope"), "--size", "5GiB");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetPasswordReplacesTheCredentialAndIsAudited()
    {
        var registry = await fixture.NewRegistryAsync("rp");
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, registry.Password));

        var result = (await BerthAsync("registry", "reset-password", registry.Name, "--yes", "--json")).EnsureSuccess();
        string newPassword;
        using (var json = JsonDocument.Parse(result.Stdout))
        {
            Assert.Equal(registry.Username, json.RootElement.GetProperty("username").GetString());
            newPassword = json.RootElement.GetProperty("password").GetString()!;
        }

        Assert.True(newPassword.Length >= 32, $"password too short: {newPassword.Length} characters");
        Assert.NotEqual(registry.Password, newPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, registry.Password));
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, newPassword));

        var audit = (await BerthAsync("registry", "audit", registry.Name, "--json")).EnsureSuccess();
        var events = Events(audit);
        Assert.Contains(events, e => e.GetProperty("action").GetString() == "registry.password.reset"
            && e.GetProperty("registry").GetString() == registry.Name);
        Assert.DoesNotContain(newPassword, audit.Stdout, StringComparison.Ordinal);

        var table = (await BerthAsync("registry", "audit", registry.Name)).EnsureSuccess();
        Assert.Contains("ACTION", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("registry.password.reset", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("registry.created", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetPasswordPrintsTheNewPasswordAndWhatToUpdate()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var result = (await BerthAsync("registry", "reset-password", registry.Name, "--yes")).EnsureSuccess();
        Assert.Contains($"docker login {fixture.Server.Host} -u {registry.Username}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("imagePullSecrets", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("CI", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, registry.Password));
    }

    [Fact]
    public async Task ResetPasswordCanKeepThePreviousOneAndRevokePreviousPasswordEndsItEarly()
    {
        var registry = await fixture.NewRegistryAsync("rk");
        var result = (await BerthAsync("registry", "reset-password", registry.Name, "--keep-previous-for", "24h", "--yes")).EnsureSuccess();
        Assert.Contains("The old password keeps working until", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"berth registry revoke-previous-password {registry.Name}", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, registry.Password));

        var shown = (await BerthAsync("registry", "show", registry.Name)).EnsureSuccess();
        Assert.Contains("Previous password", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("valid until", shown.Stdout, StringComparison.Ordinal);

        (await BerthAsync("registry", "revoke-previous-password", registry.Name)).EnsureSuccess();
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, registry.Password));
        Assert.DoesNotContain("Previous password", (await BerthAsync("registry", "show", registry.Name)).EnsureSuccess().Stdout, StringComparison.Ordinal);

        // Nothing left to revoke; a duration the server refuses changes nothing.
        var again = await BerthAsync("registry", "revoke-previous-password", registry.Name);
        Assert.True(again.ExitCode != 0, again.ToString());
        Assert.Contains("no previous password", again.Stderr, StringComparison.OrdinalIgnoreCase);
        var json = (await BerthAsync("registry", "reset-password", registry.Name, "--keep-previous-for", "30m", "--yes", "--json")).EnsureSuccess();
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var until = document.RootElement.GetProperty("previousPasswordValidUntil").GetDateTimeOffset();
            Assert.InRange(until, DateTimeOffset.UtcNow.AddMinutes(29), DateTimeOffset.UtcNow.AddMinutes(31));
            var current = document.RootElement.GetProperty("password").GetString()!;
            var tooLong = await BerthAsync("registry", "reset-password", registry.Name, "--keep-previous-for", "8d", "--yes");
            Assert.True(tooLong.ExitCode != 0, tooLong.ToString());
            Assert.Contains("keepPreviousFor", tooLong.Stderr, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, current));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("y\n")] // an answer on redirected stdin is not a confirmation: only --yes is
    public async Task ResetPasswordWithoutYesAndWithoutATerminalChangesNothing(string? input)
    {
        var registry = await fixture.NewRegistryAsync("rn");

        var plain = await BerthWithInputAsync(input, "registry", "reset-password", registry.Name);
        Assert.True(plain.ExitCode == 2, plain.ToString());
        Assert.Contains("--yes", plain.Stderr, StringComparison.Ordinal);

        var json = await BerthWithInputAsync(input, "registry", "reset-password", registry.Name, "--json");
        Assert.True(json.ExitCode == 2, json.ToString());
        Assert.Equal("", json.Stdout.Trim());

        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, registry.Password));
    }

    [Fact]
    public async Task DeleteRequiresTheExactNameAndIsAudited()
    {
        var registry = await fixture.NewRegistryAsync("rd");
        using (var client = fixture.Client(registry, RegistryAuthMode.Basic))
        {
            await client.PushImageAsync(registry.Repo("app"), fixture.BuildImage(seed: 41, layers: 1), "1.0");
        }

        // A --confirm that differs: nothing is deleted.
        var wrongOption = await BerthAsync("registry", "delete", registry.Name, "--confirm", registry.Name + "x");
        Assert.True(wrongOption.ExitCode == 1, wrongOption.ToString());
        Assert.Contains("nothing was deleted", wrongOption.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await RegistryStatusAsync(registry.Name));

        // The wrong name piped to stdin: the summary comes first, then the prompt, then the refusal.
        var wrongInput = await BerthWithInputAsync("something-else\n", "registry", "delete", registry.Name);
        Assert.True(wrongInput.ExitCode == 1, wrongInput.ToString());
        Assert.Contains("1 repository with 1 tag", wrongInput.Stdout, StringComparison.Ordinal);
        Assert.Contains("vulnerability scan data, configuration and credentials", wrongInput.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Type the registry name ({registry.Name}) to delete it:", wrongInput.Stderr, StringComparison.Ordinal);
        Assert.Contains("Name does not match; nothing was deleted.", wrongInput.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await RegistryStatusAsync(registry.Name));

        // Nothing on stdin at all: refused too.
        var noInput = await BerthAsync("registry", "delete", registry.Name);
        Assert.True(noInput.ExitCode == 1, noInput.ToString());
        Assert.Equal(HttpStatusCode.OK, await RegistryStatusAsync(registry.Name));
        Assert.Equal(HttpStatusCode.OK, await V2StatusAsync(registry.Username, registry.Password));

        var deleted = await BerthAsync("registry", "delete", registry.Name, "--confirm", registry.Name);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("irreversible", deleted.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await RegistryStatusAsync(registry.Name));
        Assert.Equal(HttpStatusCode.Unauthorized, await V2StatusAsync(registry.Username, registry.Password));

        var audit = (await BerthAsync("project", "audit", registry.Project, "--json")).EnsureSuccess();
        Assert.Contains(Events(audit), e => e.GetProperty("action").GetString() == "registry.deleted"
            && e.GetProperty("registry").GetString() == registry.Name);
        var table = (await BerthAsync("project", "audit", registry.Project)).EnsureSuccess();
        Assert.Contains("registry.deleted", table.Stdout, StringComparison.Ordinal);

        // The registry is gone, so its own audit verb reports the 404.
        var gone = await BerthAsync("registry", "audit", registry.Name);
        Assert.True(gone.ExitCode == 1, gone.ToString());
    }

    /// <summary>
    /// Issue 3: <c>berth registry delete NAME</c> shows what will be deleted — repositories, tags and bytes — before it
    /// asks. The bytes are the registry's usage, each unique blob once: two repositories share a 2 MiB layer, so the
    /// figure is 3.5 MiB (a sum per repository would say 5.5 MiB).
    /// </summary>
    [Fact]
    public async Task DeleteShowsRepositoriesTagsAndBytesBeforeAsking()
    {
        const int MiB = 1024 * 1024;
        var registry = await fixture.NewRegistryAsync("rb");
        var shared = ImageContent.RandomBlob(2 * MiB);
        var own = ImageContent.RandomBlob(3 * MiB / 2);
        long configBytes = 0;
        using (var client = fixture.Client(registry, RegistryAuthMode.Basic))
        {
            foreach (var (repository, layers, tags) in new[]
            {
                ("app", new[] { shared, own }, new[] { "v1", "latest" }),
                ("tools", new[] { shared }, new[] { "1.0" }),
            })
            {
                var name = registry.Repo(repository);
                var descriptors = new List<(string, long)>();
                foreach (var layer in layers)
                {
                    descriptors.Add((await client.PushBlobAsync(name, layer), layer.LongLength));
                }

                var config = ImageContent.Config(descriptors[0].Item1, repository);
                configBytes += config.LongLength;
                var manifest = ImageContent.Manifest((await client.PushBlobAsync(name, config), config.LongLength), [.. descriptors]);
                foreach (var tag in tags)
                {
                    await client.PushManifestAsync(name, tag, manifest);
                }
            }
        }

        var usage = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        Assert.Equal(shared.LongLength + own.LongLength + configBytes, usage);
        const string Bytes = "  - 3.5 MiB of stored images";
        const string Contents = "  - 2 repositories with 3 tags";
        const string Prompt = "Type the registry name";

        // Asked, answered wrongly: the summary was shown, nothing deleted.
        var refused = await BerthWithInputAsync("not-the-name\n", "registry", "delete", registry.Name);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains(Bytes, refused.Stdout, StringComparison.Ordinal);
        Assert.Contains(Contents, refused.Stdout, StringComparison.Ordinal);
        Assert.Contains(Prompt, refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await RegistryStatusAsync(registry.Name));

        // With --json the summary and the prompt share stderr, so their order shows: the summary comes first.
        var json = await BerthWithInputAsync("not-the-name\n", "registry", "delete", registry.Name, "--json");
        Assert.True(json.ExitCode == 1, json.ToString());
        Assert.Equal("", json.Stdout.Trim());
        var bytesAt = json.Stderr.IndexOf(Bytes, StringComparison.Ordinal);
        var contentsAt = json.Stderr.IndexOf(Contents, StringComparison.Ordinal);
        var promptAt = json.Stderr.IndexOf(Prompt, StringComparison.Ordinal);
        Assert.True(bytesAt >= 0 && contentsAt >= 0 && promptAt >= 0 && bytesAt < promptAt && contentsAt < promptAt,
            "the summary (repositories, tags, bytes) must come before the prompt:\n" + json.Stderr);
        Assert.Equal(HttpStatusCode.OK, await RegistryStatusAsync(registry.Name));

        // Confirmed by --confirm: the same summary, then the deletion.
        var deleted = await BerthAsync("registry", "delete", registry.Name, "--confirm", registry.Name);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var summaryAt = deleted.Stdout.IndexOf(Bytes, StringComparison.Ordinal);
        var doneAt = deleted.Stdout.IndexOf("Deleted registry " + registry.Name, StringComparison.Ordinal);
        Assert.True(summaryAt >= 0 && doneAt > summaryAt, "with --confirm the bytes are shown before the deletion:\n" + deleted.Stdout);
        Assert.Equal(HttpStatusCode.NotFound, await RegistryStatusAsync(registry.Name));
    }

    [Fact]
    public async Task DeleteAcceptsTheNamePipedOnStdin()
    {
        var registry = await fixture.NewRegistryAsync("rq");

        var result = await BerthWithInputAsync(registry.Name + "\n", "registry", "delete", registry.Name);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("0 repositories with 0 tags", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await RegistryStatusAsync(registry.Name));
    }

    [Fact]
    public async Task DeleteWithJsonKeepsStdoutEmpty()
    {
        var registry = await fixture.NewRegistryAsync("rj");

        var result = await BerthAsync("registry", "delete", registry.Name, "--confirm", registry.Name, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout.Trim());
        Assert.Contains("0 repositories", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await RegistryStatusAsync(registry.Name));
    }
}
