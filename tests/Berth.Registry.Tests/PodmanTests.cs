using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>
/// Rootful podman against a real Berth server, with isolated storage and auth file: login, push, remove, pull back.
/// </summary>
public sealed class PodmanTests(BerthFixture fixture) : IClassFixture<BerthFixture>, IDisposable
{
    private readonly Podman _podman = new(fixture.NewDir("podman"));

    public void Dispose() => _podman.Dispose();

    [Fact]
    public async Task LoginPushRemoveAndPullBack()
    {
        var registry = await fixture.NewRegistryAsync("pod");
        var image = fixture.BuildImage(seed: 201, layers: 3, tag: "v1");

        (await _podman.LoginAsync(fixture.Server.Host, registry.Username, registry.Password)).EnsureSuccess();
        Assert.Contains(fixture.Server.Host, await File.ReadAllTextAsync(_podman.AuthFile), StringComparison.Ordinal);

        (await _podman.PullAsync(image.OciReference)).EnsureSuccess();
        Assert.Equal(image.ImageId, await _podman.InspectAsync(image.ImageId, "{{.Id}}"));

        var reference = registry.Image("web/app", "v1");
        (await _podman.TagAsync(image.ImageId, reference)).EnsureSuccess();
        var digestFile = Path.Combine(fixture.NewDir("digest"), "digest");
        (await _podman.PushAsync(reference, "docker://" + reference, digestFile)).EnsureSuccess();
        var pushedDigest = (await File.ReadAllTextAsync(digestFile)).Trim();
        Assert.StartsWith("sha256:", pushedDigest, StringComparison.Ordinal);

        (await _podman.RmiAsync(image.ImageId)).EnsureSuccess();
        Assert.False(await _podman.ImageExistsAsync(image.ImageId));

        (await _podman.PullAsync(reference)).EnsureSuccess();
        Assert.Equal(image.ImageId, await _podman.InspectAsync(reference, "{{.Id}}"));
        Assert.Equal(pushedDigest, await _podman.InspectAsync(reference, "{{.Digest}}"));

        var tags = await fixture.Admin.ListTagsAsync(registry.Name, "web/app");
        Assert.Equal(pushedDigest, Assert.Single(tags, t => t.Name == "v1").Digest);
    }

    [Fact]
    public async Task LoginWithWrongPasswordFails()
    {
        var registry = await fixture.NewRegistryAsync("podw");
        var result = await _podman.LoginAsync(fixture.Server.Host, registry.Username, registry.Password + "x");
        Assert.False(result.Succeeded, result.ToString());
        Assert.DoesNotContain(fixture.Server.Host, await File.ReadAllTextAsync(_podman.AuthFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullWithoutLoginIsRefused()
    {
        var registry = await fixture.NewRegistryAsync("podn");
        using var client = fixture.Client(registry);
        await ImageContent.PushSmallImageAsync(client, registry.Repo("private"), "v1");

        using var anonymous = new Podman(fixture.NewDir("podman-anon"));
        var result = await anonymous.PullAsync(registry.Image("private", "v1"));
        Assert.False(result.Succeeded, result.ToString());
    }
}
