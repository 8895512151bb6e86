using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Berth.Core;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Xunit.Abstractions;

namespace Berth.Registry.Tests;

/// <summary>
/// A server whose new registries get a 3 MiB allocation and may have at most 5 upload sessions open; allocations move
/// in steps of 1 GiB (the tests resize to 1 and 2 GiB).
/// </summary>
public sealed class UploadAllocationFixture : ConfiguredBerthFixture
{
    public const long Limit = 3 * ByteSize.MiB;
    public const int MaxSessions = 5;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Registries__DefaultStorageLimitBytes"] = Limit.ToString(CultureInfo.InvariantCulture),
        ["Berth__Uploads__MaxSessionsPerRegistry"] = MaxSessions.ToString(CultureInfo.InvariantCulture),
        ["Berth__Registries__AllocationStep"] = "1GiB",
    };
}

/// <summary>
/// Issue 10, section 2, "an allocation that uploads in flight can't bypass": the bytes open upload sessions hold count
/// against the allocation as they arrive (a streamed PATCH is cut off with 403 DENIED at the limit, nothing beyond it
/// kept), concurrent sessions can't together pass it, a registry has at most MaxSessionsPerRegistry sessions (429
/// TOOMANYREQUESTS), a resize is atomic with the usage check, and the registry detail shows the held bytes.
/// </summary>
public sealed class UploadAllocationTests(UploadAllocationFixture fixture, ITestOutputHelper output) : IClassFixture<UploadAllocationFixture>
{
    private const long MiB = ByteSize.MiB;
    private const long GiB = ByteSize.GiB;
    private const long Limit = UploadAllocationFixture.Limit;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AStreamedPatchCountsAsItArrivesAndIsCutOffAtTheLimit()
    {
        var registry = await fixture.NewRegistryAsync("ua");
        using var client = fixture.Client(registry);
        var name = registry.Repo("app");
        var location = await client.StartUploadAsync(name);
        var uploadId = UploadId(location);

        // 12 MiB streamed (Transfer-Encoding chunked, no Content-Length) into a 3 MiB allocation; the first 2 MiB go
        // out at once, the rest when released.
        var blob = ImageContent.RandomBlob((int)(12 * MiB));
        var body = new GatedContent(blob[..(int)(2 * MiB)], blob[(int)(2 * MiB)..], announceLength: false);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, client.Resolve(location)) { Content = body };
        var sending = client.SendAsync(patch);
        await body.FirstPartSent.WaitAsync(Patience);

        // While the chunk streams in, its bytes count: held (before they are written) beside the stored bytes, within
        // the allocation.
        var deadline = DateTime.UtcNow + Patience;
        while (UploadFileSize(uploadId) < 2 * MiB)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the first 2 MiB never reached the disk" + fixture.ServerLog);
            await Task.Delay(50);
        }

        var streaming = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.InRange(streaming.UploadBytes, 2 * MiB, Limit);
        Assert.Equal(0, streaming.StorageUsageBytes);

        body.Release();
        using (var refused = await sending.WaitAsync(Patience))
        {
            var error = await OciAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED", "streamed PATCH past the allocation" + fixture.ServerLog);
            Assert.Contains("storage limit exceeded", error.Message ?? "", StringComparison.Ordinal);
            Assert.Contains(ByteSize.Format(Limit), error.Message ?? "", StringComparison.Ordinal);
            Assert.Contains("resize the registry", error.Message ?? "", StringComparison.Ordinal);
        }

        // Nothing beyond the limit was kept, and the refused session is over: no bytes held, none on disk.
        var after = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.Equal((0L, 0L), (after.StorageUsageBytes, after.UploadBytes));
        Assert.Equal(0, UploadFileSize(uploadId));
        using (var status = await client.GetAsync(location))
        {
            await OciAssert.ErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN", "status of the refused session");
        }

        // A push that fits goes through, streamed the same way.
        var fits = blob[..(int)(2 * MiB)];
        location = await client.StartUploadAsync(name);
        using (var accepted = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, client.Resolve(location)) { Content = new UnknownLengthContent(fits) }))
        {
            await OciAssert.StatusAsync(accepted, HttpStatusCode.Accepted, "streamed PATCH that fits");
            location = OciAssert.Header(accepted, "Location");
        }

        Assert.Equal(2 * MiB, (await fixture.Admin.GetRegistryAsync(registry.Name)).UploadBytes);
        using (var put = await client.PutUploadAsync(location, ImageContent.DigestOf(fits)))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, "completing the upload that fits");
        }

        // Its held bytes became stored bytes, counted once.
        var done = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.Equal((2 * MiB, 0L), (done.StorageUsageBytes, done.UploadBytes));
    }

    [Fact]
    public async Task ConcurrentStreamedSessionsNeverTogetherExceedTheAllocation()
    {
        var registry = await fixture.NewRegistryAsync("uc");
        using var client = fixture.Client(registry);
        var name = registry.Repo("app");

        // Five sessions stream 1.1 MiB each at once (5.5 MiB) into 3 MiB, none announcing its size.
        var blobs = Enumerable.Range(0, UploadAllocationFixture.MaxSessions).Select(_ => ImageContent.RandomBlob((int)(11 * MiB / 10))).ToList();
        var locations = new List<string>();
        foreach (var _ in blobs)
        {
            locations.Add(await client.StartUploadAsync(name));
        }

        var responses = await Task.WhenAll(blobs.Select((blob, i) => Task.Run(() =>
            client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, client.Resolve(locations[i])) { Content = new UnknownLengthContent(blob) }))));
        var accepted = new List<(string Location, byte[] Blob)>();
        for (var i = 0; i < responses.Length; i++)
        {
            using var response = responses[i];
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add((OciAssert.Header(response, "Location"), blobs[i]));
            }
            else
            {
                await OciAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "DENIED", $"session {i}" + fixture.ServerLog);
            }
        }

        var acceptedBytes = accepted.Sum(a => a.Blob.LongLength);
        Assert.True(accepted.Count >= 1, "no session was accepted");
        Assert.True(acceptedBytes <= Limit, $"{accepted.Count} sessions accepted {acceptedBytes} bytes into a {Limit} allocation");
        var held = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.Equal((0L, acceptedBytes), (held.StorageUsageBytes, held.UploadBytes));

        // Every accepted session completes: its bytes were already counted, so nothing is refused at the end.
        foreach (var (location, blob) in accepted)
        {
            using var put = await client.PutUploadAsync(location, ImageContent.DigestOf(blob));
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, "completing an accepted session" + fixture.ServerLog);
        }

        var stored = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.Equal((acceptedBytes, 0L), (stored.StorageUsageBytes, stored.UploadBytes));
    }

    [Fact]
    public async Task TheSessionCapAnswers429UntilSessionsEnd()
    {
        var registry = await fixture.NewRegistryAsync("us");
        using var client = fixture.Client(registry);
        var name = registry.Repo("app");
        var locations = new List<string>();
        for (var i = 0; i < UploadAllocationFixture.MaxSessions; i++)
        {
            locations.Add(await client.StartUploadAsync(name));
        }

        var blob = ImageContent.RandomBlob(1024);
        using (var refused = await client.SendAsync(HttpMethod.Post, $"v2/{name}/blobs/uploads/"))
        {
            var error = await OciAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", "a session past the cap");
            Assert.Contains($"{UploadAllocationFixture.MaxSessions} upload sessions open", error.Message ?? "", StringComparison.Ordinal);
            Assert.True(int.TryParse(OciAssert.Header(refused, "Retry-After"), out var seconds) && seconds > 0, "Retry-After is not a number of seconds");
        }

        // A monolithic push is a session too; another registry has its own cap.
        using (var refused = await client.PostBlobMonolithicAsync(name, blob))
        {
            await OciAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", "a monolithic push past the cap");
        }

        var other = await fixture.NewRegistryAsync("uo");
        using (var otherClient = fixture.Client(other))
        {
            await otherClient.PushBlobAsync(other.Repo("app"), blob);
        }

        // A cancelled session makes room; so does a completed one.
        using (var cancelled = await client.DeleteAsync(locations[0]))
        {
            await OciAssert.StatusAsync(cancelled, HttpStatusCode.NoContent, "cancel");
        }

        await client.PushBlobAsync(name, blob);
        using (var put = await client.PutUploadAsync(locations[1], ImageContent.DigestOf(blob), blob))
        {
            await OciAssert.StatusAsync(put, HttpStatusCode.Created, "completing a session");
        }

        locations[0] = await client.StartUploadAsync(name);
        locations[1] = await client.StartUploadAsync(name);
        using (var refused = await client.SendAsync(HttpMethod.Post, $"v2/{name}/blobs/uploads/"))
        {
            await OciAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", "the cap again");
        }

        foreach (var location in locations)
        {
            using var cancelled = await client.DeleteAsync(location);
            await OciAssert.StatusAsync(cancelled, HttpStatusCode.NoContent, "cleanup");
        }
    }

    [Fact]
    public async Task ACancelledSessionFreesItsHeldBytes()
    {
        var registry = await fixture.NewRegistryAsync("ux");
        using var client = fixture.Client(registry);
        var name = registry.Repo("app");
        var first = await client.StartUploadAsync(name);
        using (var patch = await client.PatchAsync(first, ImageContent.RandomBlob((int)MiB), 0))
        {
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, "1 MiB chunk");
            first = OciAssert.Header(patch, "Location");
        }

        Assert.Equal(MiB, (await fixture.Admin.GetRegistryAsync(registry.Name)).UploadBytes);

        // 1 MiB held + 2 MiB and a byte does not fit 3 MiB…
        var big = ImageContent.RandomBlob((int)(2 * MiB) + 1);
        using (var refused = await client.PostBlobMonolithicAsync(name, big))
        {
            await OciAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED", "2 MiB + 1 beside 1 MiB held");
        }

        // …until the session holding 1 MiB is cancelled.
        using (var cancelled = await client.DeleteAsync(first))
        {
            await OciAssert.StatusAsync(cancelled, HttpStatusCode.NoContent, "cancel");
        }

        Assert.Equal(0, (await fixture.Admin.GetRegistryAsync(registry.Name)).UploadBytes);
        await client.PushBlobAsync(name, big);
        var detail = await fixture.Admin.GetRegistryAsync(registry.Name);
        Assert.Equal((big.LongLength, 0L), (detail.StorageUsageBytes, detail.UploadBytes));
    }

    /// <summary>
    /// Pushes that announce 400 MiB each (held at once, the bytes never sent) race a shrink from 2 GiB to 1 GiB; whatever
    /// wins, the registry never ends up holding more than its allocation. 12 rounds.
    /// </summary>
    [Fact]
    public async Task AResizeRacingPushesNeverLeavesUsageOverTheNewLimit()
    {
        var registry = await fixture.NewRegistryAsync("ur");
        var name = registry.Repo("app");

        // With Expect: 100-continue a refused push gets its answer before sending any body (HttpClient would otherwise
        // see the connection closed under the body it is still sending, not the answer).
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = Patience }) { BaseAddress = fixture.Server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Username, registry.Password);
        const long announced = 400 * MiB;
        var digest = ImageContent.DigestOf([1]);
        await ResizeAsync(registry.Name, 2, HttpStatusCode.OK);
        var shrunk = 0;
        for (var round = 0; round < 12; round++)
        {
            var bodies = Enumerable.Range(0, 3).Select(_ => new StalledContent(announced)).ToList();
            var pushes = bodies.Select(body => Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"v2/{name}/blobs/uploads/?digest={digest}") { Content = body };
                request.Headers.ExpectContinue = true;
                return await client.SendAsync(request);
            })).ToList();
            // The shrink starts at staggered moments (0 to 200 ms in), so it lands before, between and after the holds.
            var resize = Task.Run(async () =>
            {
                await Task.Delay(round % 6 * 40);
                return await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry.Name}", new { storageLimitGiB = 1 });
            });

            using (var resized = await resize)
            {
                Assert.True(resized.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict,
                    $"round {round}: resize answered {(int)resized.StatusCode} {await resized.Content.ReadAsStringAsync()}");
                shrunk += resized.IsSuccessStatusCode ? 1 : 0;
            }

            // Settled once every push is either refused or holding its 400 MiB.
            var detail = await EventuallyAsync(registry.Name,
                d => d.UploadBytes == announced * pushes.Count(p => !p.IsCompleted), $"round {round}: pushes settled");
            Assert.True(detail.StorageUsageBytes + detail.UploadBytes <= detail.StorageLimitBytes,
                $"round {round}: {detail.UploadBytes} held with a {detail.StorageLimitBytes} allocation" + fixture.ServerLog);
            foreach (var push in pushes.Where(p => p.IsCompleted))
            {
                using var refused = await push;
                await OciAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED", $"round {round}: a push past the allocation");
            }

            // Abandoned pushes end their sessions and free what they held.
            bodies.ForEach(b => b.Abandon());
            foreach (var push in pushes.Where(p => !p.IsCompleted))
            {
                await Assert.ThrowsAnyAsync<Exception>(() => push.WaitAsync(Patience));
            }

            await EventuallyAsync(registry.Name, d => d.UploadBytes == 0, $"round {round}: held bytes released");
            await ResizeAsync(registry.Name, 2, HttpStatusCode.OK);
        }

        output.WriteLine($"the shrink won {shrunk} of 12 rounds");
    }

    private async Task ResizeAsync(string registry, long gib, HttpStatusCode expected)
    {
        using var response = await fixture.Admin.Http.PatchAsJsonAsync($"api/v1/registries/{registry}", new { storageLimitGiB = gib });
        Assert.True(response.StatusCode == expected, $"resize {registry} to {gib} GiB: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<RegistryDetail> EventuallyAsync(string registry, Func<RegistryDetail, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var detail = await fixture.Admin.GetRegistryAsync(registry);
            if (condition(detail))
            {
                return detail;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what}: still {detail} after {Patience}" + fixture.ServerLog);
            await Task.Delay(50);
        }
    }

    private static string UploadId(string location) => location.TrimEnd('/').Split('/')[^1];

    /// <summary>Bytes of the session's data file on disk (0 when it has none).</summary>
    private long UploadFileSize(string uploadId) =>
        Directory.GetDirectories(BlobTree.RegistriesRoot(fixture.Server.DataDir))
            .Select(registry => Path.Combine(registry, "uploads", uploadId, "data"))
            .Where(File.Exists)
            .Sum(file => new FileInfo(file).Length);
}
