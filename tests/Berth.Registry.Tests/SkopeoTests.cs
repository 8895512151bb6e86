using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>skopeo against a real Berth server: push, inspect, pull back byte-for-byte, copy, tags, delete.</summary>
public sealed class SkopeoTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task PushInspectAndPullBackByteForByte()
    {
        var registry = await fixture.NewRegistryAsync("sk");
        var image = fixture.BuildImage(seed: 101, layers: 3, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("team/app", "v1"));

        (await _skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();

        var inspect = (await _skopeo.InspectAsync(remote, registry.Creds)).EnsureSuccess();
        using (var json = JsonDocument.Parse(inspect.Stdout))
        {
            Assert.Equal(image.ManifestDigest, json.RootElement.GetProperty("Digest").GetString());
            Assert.Equal(image.Layers.Select(l => l.Digest),
                json.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal("linux", json.RootElement.GetProperty("Os").GetString());
        }

        var raw = (await _skopeo.InspectRawAsync(remote, registry.Creds)).EnsureSuccess();
        Assert.Equal(System.Text.Encoding.UTF8.GetString(image.ManifestBytes), raw.Stdout.TrimEnd('\n'));

        var pulled = fixture.NewDir("pulled");
        (await _skopeo.CopyAsync(remote, $"oci:{pulled}:v1", sourceCreds: registry.Creds)).EnsureSuccess();
        Assert.Equal(image.ManifestDigest, OciLayout.FindTag(pulled, "v1").Digest);
        Assert.Equal(image.ManifestBytes, File.ReadAllBytes(OciLayout.BlobPath(pulled, image.ManifestDigest)));
        foreach (var (digest, size) in image.Blobs)
        {
            var copy = File.ReadAllBytes(OciLayout.BlobPath(pulled, digest));
            Assert.Equal(size, copy.LongLength);
            Assert.True(image.ReadBlob(digest).AsSpan().SequenceEqual(copy), $"blob {digest} differs after the round trip");
        }
    }

    [Fact]
    public async Task CopyBetweenRegistriesOfDifferentProjects()
    {
        var source = await fixture.NewRegistryAsync("ska");
        var target = await fixture.NewRegistryAsync("skb");
        var image = fixture.BuildImage(seed: 102, layers: 2, tag: "1.0");

        (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(source.Image("app", "1.0")), destinationCreds: source.Creds))
            .EnsureSuccess();
        (await _skopeo.CopyAsync(Skopeo.Docker(source.Image("app", "1.0")), Skopeo.Docker(target.Image("mirror/app", "1.0")),
            source.Creds, target.Creds)).EnsureSuccess();

        Assert.Equal(image.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(target.Image("mirror/app", "1.0")), target.Creds));

        // The copy is independent of the source: it survives the source's manifest being deleted.
        (await _skopeo.DeleteAsync(Skopeo.Docker(source.Image("app", "1.0")), source.Creds)).EnsureSuccess();
        var pulled = fixture.NewDir("mirror");
        (await _skopeo.CopyAsync(Skopeo.Docker(target.Image("mirror/app", "1.0")), $"oci:{pulled}:1.0", sourceCreds: target.Creds))
            .EnsureSuccess();
        Assert.Equal(image.ManifestDigest, OciLayout.FindTag(pulled, "1.0").Digest);
    }

    [Fact]
    public async Task ListTagsAfterTaggingASecondTag()
    {
        var registry = await fixture.NewRegistryAsync("skt");
        var image = fixture.BuildImage(seed: 103, layers: 1, tag: "first");
        var repo = Skopeo.Docker(registry.Endpoint + "/tags/app");

        (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("tags/app", "first")), destinationCreds: registry.Creds))
            .EnsureSuccess();
        Assert.Equal(["first"], await _skopeo.ListTagsAsync(repo, registry.Creds));

        // Second tag, registry to registry (the blobs are already there).
        (await _skopeo.CopyAsync(Skopeo.Docker(registry.Image("tags/app", "first")), Skopeo.Docker(registry.Image("tags/app", "second")),
            registry.Creds, registry.Creds)).EnsureSuccess();

        var tags = await _skopeo.ListTagsAsync(repo, registry.Creds);
        Assert.Equal(["first", "second"], tags.Order(StringComparer.Ordinal));
        Assert.Equal(image.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("tags/app", "second")), registry.Creds));
    }

    [Fact]
    public async Task DeleteManifestThenInspectFails()
    {
        var registry = await fixture.NewRegistryAsync("skd");
        var image = fixture.BuildImage(seed: 104, layers: 1, tag: "gone");
        var remote = Skopeo.Docker(registry.Image("del/app", "gone"));
        (await _skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        Assert.Equal(image.ManifestDigest, await _skopeo.InspectDigestAsync(remote, registry.Creds));

        (await _skopeo.DeleteAsync(remote, registry.Creds)).EnsureSuccess();

        var byTag = await _skopeo.InspectRawAsync(remote, registry.Creds);
        Assert.False(byTag.Succeeded, "inspect by tag after delete: " + byTag);
        var byDigest = await _skopeo.InspectRawAsync(Skopeo.Docker($"{registry.Endpoint}/del/app@{image.ManifestDigest}"), registry.Creds);
        Assert.False(byDigest.Succeeded, "inspect by digest after delete: " + byDigest);
    }

    [Fact]
    public async Task PushWithWrongPasswordIsRefused()
    {
        var registry = await fixture.NewRegistryAsync("skw");
        var image = fixture.BuildImage(seed: 105, layers: 1);
        var result = await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "latest")),
            destinationCreds: registry.Username + ":not-the-password");
        Assert.False(result.Succeeded, result.ToString());
    }
}
