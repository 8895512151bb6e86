using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>New registries get 1 MiB, allocations move in 4 GiB steps, and a registry counts as full from 95 %.</summary>
public sealed class UsageNoticeFixture : ConfiguredBerthFixture
{
    public const long DefaultLimit = ByteSize.MiB;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Registries__DefaultStorageLimitBytes"] = DefaultLimit.ToString(CultureInfo.InvariantCulture),
        ["Berth__Registries__AllocationStep"] = "4GiB",
        ["Berth__Registries__FullPercent"] = "95",
    };
}

/// <summary>
/// Issue 14, section 6: crossing 80 % (and the configured full threshold) with real pushes writes one audit event per
/// crossing, however many pushes follow; a resize that takes the registry back under writes <c>registry.usage.normal</c>;
/// <c>usageNotice</c> honours <c>Berth:Registries:FullPercent</c>.
/// </summary>
public sealed class UsageNoticeAuditTests(UsageNoticeFixture fixture) : IClassFixture<UsageNoticeFixture>
{
    [Fact]
    public async Task EachCrossingIsAuditedOnceAndAResizeBackUnderIsAuditedAsNormal()
    {
        var registry = await fixture.NewRegistryAsync("un");
        using var client = fixture.Client(registry);
        var repository = registry.Repo("app");
        const int Limit = (int)UsageNoticeFixture.DefaultLimit;

        await client.PushBlobAsync(repository, ImageContent.RandomBlob(Limit * 70 / 100));
        Assert.Empty(await UsageEventsAsync(registry));

        // Over 80 %, then two more pushes that stay under 95 %: one event.
        await client.PushBlobAsync(repository, ImageContent.RandomBlob(Limit * 11 / 100));
        await client.PushBlobAsync(repository, ImageContent.RandomBlob(Limit * 2 / 100));
        await client.PushBlobAsync(repository, ImageContent.RandomBlob(Limit * 2 / 100));
        Assert.Equal(["registry.usage.nearly_full"], await UsageEventsAsync(registry));
        Assert.Equal("nearly_full", await NoticeAsync(registry));

        // 95 % is full here, though pushes still fit.
        await client.PushBlobAsync(repository, ImageContent.RandomBlob(Limit * 11 / 100));
        await client.PushBlobAsync(repository, ImageContent.RandomBlob(Limit * 1 / 100));
        Assert.Equal(["registry.usage.nearly_full", "registry.usage.full"], await UsageEventsAsync(registry));
        Assert.Equal("full", await NoticeAsync(registry));

        using (var resize = await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry.Name}", new { storageLimitGiB = 4 }))
        {
            Assert.Equal(HttpStatusCode.OK, resize.StatusCode);
        }

        Assert.Null(await NoticeAsync(registry));
        var events = await UsageEventsAsync(registry);
        Assert.Equal(["registry.usage.nearly_full", "registry.usage.full", "registry.usage.normal"], events);
        var audit = await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit");
        Assert.All(audit.Where(e => Str(e, "action")!.StartsWith("registry.usage.", StringComparison.Ordinal)), e => Assert.Equal("berth", Str(e, "actor")));
    }

    /// <summary>The registry's usage events, oldest first.</summary>
    private async Task<List<string>> UsageEventsAsync(CreatedRegistry registry) =>
        [.. (await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit"))
            .Select(e => Str(e, "action")!)
            .Where(a => a.StartsWith("registry.usage.", StringComparison.Ordinal))
            .Reverse()];

    private async Task<string?> NoticeAsync(CreatedRegistry registry)
    {
        var notice = (await fixture.Admin.Http.GetFromJsonAsync<JsonElement>($"api/v1/registries/{registry.Name}")).GetProperty("usageNotice");
        return notice.ValueKind == JsonValueKind.Null ? null : notice.GetString();
    }
}
