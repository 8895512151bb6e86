using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// Deletes through /v2 are written to the audit log like the management API's: <c>skopeo delete</c> (a manifest by
/// digest) and a tag DELETE, with the registry credential as the actor and the client's address.
/// </summary>
public sealed class V2DeleteAuditTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task SkopeoDeleteAndTagDeleteAreAudited()
    {
        var registry = await fixture.NewRegistryAsync("va");
        var image = fixture.BuildImage(seed: 7201, layers: 1, tag: "v1");
        (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app/web", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app/web", "v2")), destinationCreds: registry.Creds)).EnsureSuccess();
        var digest = await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app/web", "v1")), registry.Creds);

        // A tag delete (OCI 1.1): the manifest stays, reachable by digest and by v1.
        using (var client = fixture.Client(registry))
        using (var untag = await client.DeleteAsync($"v2/{registry.Repo("app/web")}/manifests/v2"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, untag.StatusCode);
        }

        // skopeo delete resolves the tag and deletes the manifest by digest.
        (await _skopeo.DeleteAsync(Skopeo.Docker(registry.Image("app/web", "v1")), registry.Creds)).EnsureSuccess();

        var events = await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit");
        var tagDeleted = Assert.Single(events, e => Str(e, "action") == "tag.deleted");
        Assert.Equal(("app/web:v2", registry.Username, "127.0.0.1", registry.Name),
            (Str(tagDeleted, "detail"), Str(tagDeleted, "actor"), Str(tagDeleted, "remoteAddress"), Str(tagDeleted, "registry")));
        var manifestDeleted = Assert.Single(events, e => Str(e, "action") == "manifest.deleted");
        Assert.Equal(($"app/web@{digest}", registry.Username, "127.0.0.1"),
            (Str(manifestDeleted, "detail"), Str(manifestDeleted, "actor"), Str(manifestDeleted, "remoteAddress")));
        Assert.Equal(registry.Project, Str(manifestDeleted, "project"));
    }
}
