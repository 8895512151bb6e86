using System.Net;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>State on disk survives a restart of the server process: upload sessions, images, credentials.</summary>
public sealed class RestartTests : IAsyncLifetime, IDisposable
{
    private BerthProcess _server = null!;
    private ManagementClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await BerthProcess.StartAsync();
        _admin = new ManagementClient(_server.BaseUrl, "admin", _server.AdminPassword);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _admin?.Dispose();

    [Fact]
    public async Task UploadSessionAndImagesSurviveRestart()
    {
        var registry = await _admin.CreateProjectAndRegistryAsync("rs");
        var name = registry.Repo("restart/app");
        var blob = ImageContent.RandomBlob(3 * 65536 + 123);
        var digest = ImageContent.DigestOf(blob);
        var first = blob.AsSpan(0, 65536).ToArray();
        var second = blob.AsSpan(65536, 2 * 65536).ToArray();
        var last = blob.AsSpan(3 * 65536).ToArray();

        string location;
        PushedImage image;
        using (var client = new RegistryClient(_server, registry))
        {
            image = await ImageContent.PushSmallImageAsync(client, name, "before");
            location = await client.StartUploadAsync(name);
            using var patch = await client.PatchAsync(location, first, 0);
            await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, _server.OutputTail());
            location = OciAssert.Header(patch, "Location");
        }

        var port = _server.Port;
        await _server.RestartAsync();
        if (_server.Port != port && Uri.TryCreate(location, UriKind.Absolute, out var absolute))
        {
            // The old port was taken: the session URL's path is what matters.
            location = absolute.PathAndQuery;
        }

        // A new client: tokens issued before the restart need not survive it (keys may be rotated) but usually do.
        using (var client = new RegistryClient(_server, registry))
        {
            using (var status = await client.GetAsync(location))
            {
                await OciAssert.StatusAsync(status, HttpStatusCode.NoContent, "upload session after restart\n" + _server.OutputTail());
                Assert.Equal($"0-{first.Length - 1}", OciAssert.Header(status, "Range"));
            }

            using (var patch = await client.PatchAsync(location, second, first.Length))
            {
                await OciAssert.StatusAsync(patch, HttpStatusCode.Accepted, _server.OutputTail());
                Assert.Equal($"0-{first.Length + second.Length - 1}", OciAssert.Header(patch, "Range"));
                location = OciAssert.Header(patch, "Location");
            }

            using (var put = await client.PutUploadAsync(location, digest, last))
            {
                await OciAssert.StatusAsync(put, HttpStatusCode.Created, _server.OutputTail());
                Assert.Equal(digest, OciAssert.Header(put, "Docker-Content-Digest"));
            }

            using (var get = await client.GetAsync($"v2/{name}/blobs/{digest}"))
            {
                await OciAssert.StatusAsync(get, HttpStatusCode.OK);
                var content = await get.Content.ReadAsByteArrayAsync();
                Assert.True(blob.AsSpan().SequenceEqual(content), "blob content after restart");
            }

            using (var manifest = await client.GetManifestAsync(name, "before"))
            {
                await OciAssert.StatusAsync(manifest, HttpStatusCode.OK);
                Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
            }
        }

        var detail = await _admin.GetRegistryAsync(registry.Name);
        Assert.Equal(registry.Name, detail.Name);
    }
}
