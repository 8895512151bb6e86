using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IUploadStore"/>: upload sessions, and the bytes they hold against the registry's allocation.
/// Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class UploadStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    // ---- uploads

    [Fact]
    public async Task UploadsAreCreatedReadUpdatedAndDeletedWithinTheirRegistry()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        var upload = new UploadRecord("u1", registry.Id, "app", 0, T0, T0);
        await Uploads.CreateUploadAsync(upload, 0, 10, Ct);

        Assert.Equal(upload, await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(other.Id, "u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u2", Ct));

        await Uploads.UpdateUploadSizeAsync("u1", 1234, T0.AddSeconds(30), Ct);
        Assert.Equal(upload with { Size = 1234, UpdatedAt = T0.AddSeconds(30) }, await Uploads.GetUploadAsync(registry.Id, "u1", Ct));

        Assert.True(await Uploads.DeleteUploadAsync("u1", Ct));
        Assert.False(await Uploads.DeleteUploadAsync("u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
    }

    [Fact]
    public async Task StaleUploadsAreThoseNotTouchedSinceTheCutoff()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        await Uploads.CreateUploadAsync(new UploadRecord("old", registry.Id, "app", 0, T0, T0), 0, 10, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("old-elsewhere", other.Id, "app", 0, T0, T0.AddMinutes(1)), 0, 10, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("touched", registry.Id, "app", 0, T0, T0), 0, 10, Ct);
        await Uploads.CreateUploadAsync(new UploadRecord("fresh", registry.Id, "app", 0, T0.AddHours(2), T0.AddHours(2)), 0, 10, Ct);
        await Uploads.UpdateUploadSizeAsync("touched", 10, T0.AddHours(3), Ct);

        var stale = await Uploads.ListStaleUploadsAsync(T0.AddHours(1), Ct);

        Assert.Equal(["old", "old-elsewhere"], stale.Select(u => u.Id).Order(StringComparer.Ordinal));
    }

    // ---- bytes held by upload sessions (issue 10: an allocation uploads in flight can't bypass)

    [Fact]
    public async Task UploadSessionsHoldBytesAgainstTheAllocationAndCompletingOneCountsItOnce()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Equal(StorageLimitResult.Set, await Tenants.SetStorageLimitAsync(registry.Id, 100, Ct));
        var app = await Artifacts.EnsureRepositoryAsync(registry.Id, "app", T0, Ct);
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("stored"), 30, T0, null, Ct));

        // A size announced up front is held at the start, or the session is not opened at all.
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(new UploadRecord("u1", registry.Id, "app", 0, T0, T0), 50, 10, Ct));
        Assert.Equal(UploadStartResult.OverLimit, await Uploads.CreateUploadAsync(new UploadRecord("u2", registry.Id, "app", 0, T0, T0), 21, 10, Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u2", Ct));
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(new UploadRecord("u2", registry.Id, "app", 0, T0, T0), 20, 10, Ct));
        Assert.Equal(new RegistryUsage(30, 1, 70), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // Full: neither a blob recorded without a session nor one more held byte fits; nothing changes.
        Assert.Equal(BlobAddResult.OverLimit, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("extra"), 1, T0, null, Ct));
        Assert.Equal(50, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 51, 60, T0, Ct));
        Assert.Equal(new RegistryUsage(30, 1, 70), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // Ending a session frees what it held; a hold then takes what it needs, and ahead of that at most half of
        // what would be left (70 - 52 = 18 left: 9 more), never more than it wants.
        Assert.True(await Uploads.DeleteUploadAsync("u2", Ct));
        Assert.Equal(61, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 52, 500, T0.AddSeconds(5), Ct));
        Assert.Equal(T0.AddSeconds(5), (await Uploads.GetUploadAsync(registry.Id, "u1", Ct))!.UpdatedAt);
        Assert.Equal(61, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 60, 80, T0, Ct));
        Assert.Equal(63, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 62, 63, T0, Ct));
        Assert.Equal(70, await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 70, 80, T0, Ct));

        // Recording the size releases what was held ahead.
        Assert.True(await Uploads.UpdateUploadSizeAsync("u1", 60, T0, Ct));
        Assert.Equal(new RegistryUsage(30, 1, 60), await Artifacts.GetUsageAsync(registry.Id, Ct));

        // 30 stored + 60 held: the session's own 60 bytes become the blob (not counted twice) and the session ends.
        Assert.Equal(BlobAddResult.Added, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("u1"), 60, T0, "u1", Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "u1", Ct));
        Assert.Equal(new RegistryUsage(90, 1, 0), await Artifacts.GetUsageAsync(registry.Id, Ct));
        Assert.Null(await Uploads.HoldUploadBytesAsync(registry.Id, "u1", 1, 1, T0, Ct));

        // A session whose content the registry already holds ends too.
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(new UploadRecord("u3", registry.Id, "app", 0, T0, T0), 10, 10, Ct));
        Assert.Equal(BlobAddResult.AlreadyPresent, await Artifacts.AddBlobAsync(registry.Id, app.Id, Digest("u1"), 60, T0, "u3", Ct));
        Assert.Equal(new RegistryUsage(90, 1, 0), await Artifacts.GetUsageAsync(registry.Id, Ct));
    }

    [Fact]
    public async Task ARegistryOpensAtMostMaxSessionsAtOnce()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var other = await NewRegistryAsync("globex", "ops");
        UploadRecord Session(string id, RegistryRecord owner) => new(id, owner.Id, "app", 0, T0, T0);

        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("a", registry), 0, 2, Ct));
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("b", registry), 0, 2, Ct));
        Assert.Equal(UploadStartResult.TooManySessions, await Uploads.CreateUploadAsync(Session("c", registry), 0, 2, Ct));
        Assert.Null(await Uploads.GetUploadAsync(registry.Id, "c", Ct));

        // Per registry: another one is not affected; and a session that ends makes room.
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("d", other), 0, 2, Ct));
        Assert.True(await Uploads.DeleteUploadAsync("a", Ct));
        Assert.Equal(UploadStartResult.Started, await Uploads.CreateUploadAsync(Session("c", registry), 0, 2, Ct));

        Assert.Equal(UploadStartResult.RegistryGone, await Uploads.CreateUploadAsync(Session("e", registry with { Id = "missing" }), 0, 2, Ct));
    }

    [Fact]
    public async Task ConcurrentStartsNeverPassTheSessionCap()
    {
        var registry = await NewRegistryAsync("acme", "web");
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            Uploads.CreateUploadAsync(new UploadRecord($"s{i}", registry.Id, "app", 0, T0, T0), 0, 15, Ct))));
        Assert.Equal(15, results.Count(r => r == UploadStartResult.Started));
        Assert.Equal(25, results.Count(r => r == UploadStartResult.TooManySessions));
    }

    [Fact]
    public async Task ConcurrentHoldsFillTheAllocationExactlyAndNeverPastIt()
    {
        var registry = await NewRegistryAsync("acme", "web");
        Assert.Equal(StorageLimitResult.Set, await Tenants.SetStorageLimitAsync(registry.Id, 1000, Ct));
        for (var i = 0; i < 8; i++)
        {
            await Uploads.CreateUploadAsync(new UploadRecord($"h{i}", registry.Id, "app", 0, T0, T0), 0, 100, Ct);
        }

        // Eight sessions each ask for 7 more bytes (up to 30 ahead) until refused.
        var held = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            long current = 0;
            while (true)
            {
                var after = (await Uploads.HoldUploadBytesAsync(registry.Id, $"h{i}", current + 7, current + 30, T0, Ct))!.Value;
                if (after < current + 7)
                {
                    return after;
                }

                current = after;
            }
        })));

        var usage = await Artifacts.GetUsageAsync(registry.Id, Ct);
        Assert.Equal(held.Sum(), usage.UploadBytes);
        Assert.True(usage.UploadBytes is > 1000 - 7 and <= 1000, $"held {usage.UploadBytes} of 1000 ({string.Join(", ", held)})");
    }
}
