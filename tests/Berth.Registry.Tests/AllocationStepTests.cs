using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A server whose allocations move in steps of 4 GiB and whose new registries get 1 MiB, so a few small blobs take a
/// registry to its nearly-full and full notices.
/// </summary>
public sealed class AllocationStepFixture : ConfiguredBerthFixture
{
    public const long DefaultLimit = ByteSize.MiB;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Registries__DefaultStorageLimitBytes"] = DefaultLimit.ToString(CultureInfo.InvariantCulture),
        ["Berth__Registries__AllocationStep"] = "4GiB",
    };
}

/// <summary>
/// Issue 12, "Allocations move in steps": <c>Berth:Registries:AllocationStep</c> is honoured, a size off the step is a
/// 400 problem that changes nothing; <c>usageNotice</c> on the registry detail and list is <c>nearly_full</c> from
/// 80 % of the allocation and <c>full</c> at 100 %, measured on real blob pushes.
/// </summary>
public sealed class AllocationStepTests(AllocationStepFixture fixture) : IClassFixture<AllocationStepFixture>
{
    [Fact]
    public async Task AResizeOffTheConfiguredStepIsRefusedAndOneOnItWorks()
    {
        var registry = await fixture.NewRegistryAsync("step");

        using (var refused = await ResizeAsync(registry.Name, 6))
        {
            var problem = await ProblemAsync(refused, HttpStatusCode.BadRequest);
            Assert.Equal("Not a multiple of the allocation step", problem.GetProperty("title").GetString());
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("steps of 4.0 GiB", detail, StringComparison.Ordinal);
            Assert.Contains("Choose 4.0 GiB or 8.0 GiB", detail, StringComparison.Ordinal);
        }

        Assert.Equal(AllocationStepFixture.DefaultLimit, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);

        using (var accepted = await ResizeAsync(registry.Name, 8))
        {
            Assert.True(accepted.StatusCode == HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        }

        Assert.Equal(8 * ByteSize.GiB, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
    }

    [Fact]
    public async Task TheUsageNoticeTurnsNearlyFullAt80PercentAndFullAt100()
    {
        var registry = await fixture.NewRegistryAsync("full");
        using var client = fixture.Client(registry);
        var repository = registry.Repo("app");
        const int Limit = (int)AllocationStepFixture.DefaultLimit;

        Assert.Null(await NoticeAsync(registry));

        // 79 % stored: no notice yet.
        await client.PushBlobAsync(repository, ImageContent.RandomBlob(Limit * 79 / 100));
        Assert.Null(await NoticeAsync(registry));

        // 80 % (rounded up to the byte): nearly full, in the detail and in the project's list.
        var stored = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        await client.PushBlobAsync(repository, ImageContent.RandomBlob((int)((Limit * 80L + 99) / 100 - stored)));
        Assert.Equal("nearly_full", await NoticeAsync(registry));
        var listed = (await CliRunner.RunAsync(CliRunner.Environment(fixture), null, "registry", "list", "--project", registry.Project)).EnsureSuccess();
        Assert.Contains("(nearly full)", listed.Stdout, StringComparison.Ordinal);

        // Exactly the allocation: full.
        stored = (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes;
        await client.PushBlobAsync(repository, ImageContent.RandomBlob((int)(Limit - stored)));
        Assert.Equal(Limit, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageUsageBytes);
        Assert.Equal("full", await NoticeAsync(registry));
        var shown = (await CliRunner.RunAsync(CliRunner.Environment(fixture), null, "registry", "show", registry.Name)).EnsureSuccess();
        Assert.Contains("(full: pushes are refused)", shown.Stdout, StringComparison.Ordinal);

        // Growing the allocation clears it.
        (await ResizeAsync(registry.Name, 4)).Dispose();
        Assert.Null(await NoticeAsync(registry));
    }

    /// <summary>The registry's <c>usageNotice</c>, checked to be the same in its detail and in its project's list.</summary>
    private async Task<string?> NoticeAsync(CreatedRegistry registry)
    {
        var detail = await fixture.Admin.Http.GetFromJsonAsync<JsonElement>($"api/v1/registries/{registry.Name}");
        var list = await fixture.Admin.Http.GetFromJsonAsync<JsonElement>($"api/v1/projects/{registry.Project}/registries");
        var listed = list.EnumerateArray().Single(r => r.GetProperty("name").GetString() == registry.Name);
        var notice = detail.GetProperty("usageNotice");
        Assert.Equal(notice.ToString(), listed.GetProperty("usageNotice").ToString());
        return notice.ValueKind == JsonValueKind.Null ? null : notice.GetString();
    }

    private Task<HttpResponseMessage> ResizeAsync(string registry, long gib) =>
        fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry}", new { storageLimitGiB = gib });

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

/// <summary>Issue 12: with nothing configured, allocations move in steps of 10 GiB (the unit is GiB, as everywhere in Berth).</summary>
public sealed class DefaultAllocationStepTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task TheDefaultStepIs10GiB()
    {
        var registry = await fixture.NewRegistryAsync("dstep");
        foreach (var gib in new long[] { 1, 5, 15, 25 })
        {
            using var refused = await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry.Name}", new { storageLimitGiB = gib });
            var problem = await AllocationStepTests.ProblemAsync(refused, HttpStatusCode.BadRequest);
            Assert.Contains("steps of 10.0 GiB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        foreach (var gib in new long[] { 10, 20, 30 })
        {
            using var accepted = await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry.Name}", new { storageLimitGiB = gib });
            Assert.True(accepted.StatusCode == HttpStatusCode.OK, $"{gib} GiB: {await accepted.Content.ReadAsStringAsync()}");
            Assert.Equal(gib * ByteSize.GiB, (await fixture.Admin.GetRegistryAsync(registry.Name)).StorageLimitBytes);
        }
    }
}
