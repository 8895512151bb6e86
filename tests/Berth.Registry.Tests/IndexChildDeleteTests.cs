using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A platform image of a multi-platform index is not deleted by the management API while the index lists it (that
/// broke <c>frontend:latest</c> for one platform); listings show index children and referrers under their parent.
/// </summary>
public sealed class IndexChildDeleteTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task AChildOfAnIndexIsRefusedWithTheIndexNamedUntilTheIndexIsDeleted()
    {
        var registry = await fixture.NewRegistryAsync("ix");
        var (index, images) = await PushFrontendAsync(registry, "frontend", "latest");
        var arm = images["arm"];
        var manifestPath = $"api/v1/registries/{registry.Name}/repositories/frontend/manifests/";

        using (var refused = await fixture.Admin.Http.DeleteAsync(manifestPath + arm.ManifestDigest))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(409, problem.GetProperty("status").GetInt32());
            Assert.Contains(index, problem.GetProperty("detail").GetString());
            Assert.Contains("latest", problem.GetProperty("detail").GetString());
            var referencing = Assert.Single(problem.GetProperty("referencingIndexes").EnumerateArray());
            Assert.Equal(index, referencing.GetProperty("digest").GetString());
            Assert.Equal(["latest"], referencing.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        // Nothing was deleted: every platform of the index still copies.
        var copy = fixture.NewDir("copy");
        (await _skopeo.CopyAsync(Skopeo.Docker(registry.Image("frontend", "latest")), $"oci:{copy}:latest", sourceCreds: registry.Creds,
            extraArguments: ["--all"])).EnsureSuccess();
        Assert.True(File.Exists(OciLayout.BlobPath(copy, arm.ManifestDigest)), "the arm image was not copied");

        // The index first, then its children go.
        using (var deleted = await fixture.Admin.Http.DeleteAsync(manifestPath + index))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var deleted = await fixture.Admin.Http.DeleteAsync(manifestPath + arm.ManifestDigest))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var client = fixture.Client(registry);
        using var gone = await client.GetManifestAsync(registry.Repo("frontend"), arm.ManifestDigest);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ChildrenAndReferrersAreListedRightAfterTheirParentWithItsDigest()
    {
        var registry = await fixture.NewRegistryAsync("in");
        var (index, images) = await PushFrontendAsync(registry, "frontend", "latest");
        using var client = fixture.Client(registry);
        var name = registry.Repo("frontend");
        await client.PushBlobAsync(name, ImageContent.EmptyJson);
        var indexSize = (await File.ReadAllBytesAsync(OciLayout.BlobPath(images["arm"].LayoutDir, index))).LongLength;
        var signature = ImageContent.Artifact("application/vnd.dev.cosign.artifact.sig.v1+json", (index, indexSize), "index signature");
        var signatureDigest = await client.PushManifestAsync(name, ImageContent.DigestOf(signature), signature);
        var arm = images["arm"];
        var armSignature = ImageContent.Artifact("application/vnd.dev.cosign.artifact.sig.v1+json", (arm.ManifestDigest, arm.ManifestBytes.LongLength), "arm signature");
        var armSignatureDigest = await client.PushManifestAsync(name, ImageContent.DigestOf(armSignature), armSignature);
        // A child that is also tagged still belongs under its index.
        Assert.Equal(arm.ManifestDigest, await client.PushManifestAsync(name, "arm-only", arm.ManifestBytes));
        var plain = await ImageContent.PushSmallImageAsync(client, name, "plain");

        var listed = (await fixture.Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}/repositories/frontend/artifacts")).EnumerateArray()
            .Select(a => (Digest: a.GetProperty("digest").GetString(), Parent: a.GetProperty("parentDigest").GetString()))
            .ToList();

        Assert.Equal(
            [
                (plain.Digest, null),
                (index, null),
                (images["amd64"].ManifestDigest, index),
                (arm.ManifestDigest, index),
                (armSignatureDigest, arm.ManifestDigest),
                (images["arm64"].ManifestDigest, index),
                (signatureDigest, index),
            ],
            listed);

        // A page counts top-level artifacts; each comes with what hangs under it, on the same page.
        using var first = await fixture.Admin.Http.GetAsync($"api/v1/registries/{registry.Name}/repositories/frontend/artifacts?limit=1");
        Assert.Equal([plain.Digest], JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(a => a.GetProperty("digest").GetString()));
        var link = Assert.Single(first.Headers.GetValues("Link"));
        var second = (await fixture.Admin.GetRawJsonAsync(link[1..link.IndexOf('>', StringComparison.Ordinal)].TrimStart('/'))).EnumerateArray()
            .Select(a => (Digest: a.GetProperty("digest").GetString(), Parent: a.GetProperty("parentDigest").GetString()))
            .ToList();
        Assert.Equal(listed[1..], second);

        // /v2 is left as the OCI spec has it: a client's DELETE by digest is its explicit request, and is done.
        using var v2Delete = await client.DeleteAsync($"/v2/{name}/manifests/{images["amd64"].ManifestDigest}");
        Assert.Equal(HttpStatusCode.Accepted, v2Delete.StatusCode);
    }

    /// <summary>A three-platform index pushed with <c>skopeo copy --all</c>: its digest and its images by architecture.</summary>
    private async Task<(string Index, Dictionary<string, OciImage> Images)> PushFrontendAsync(CreatedRegistry registry, string repository, string tag)
    {
        var layout = fixture.NewDir(repository);
        string[] architectures = ["amd64", "arm", "arm64"];
        var images = architectures
            .Select((architecture, i) => (architecture, new OciImageBuilder { Seed = 40 + i, LayerCount = 1, FileSize = 4096, Tag = architecture }.Build(layout)))
            .ToDictionary(x => x.architecture, x => x.Item2);
        var index = ScanFixtures.WriteIndex(layout, tag, [.. architectures.Select(a => (images[a].ManifestDigest, images[a].ManifestBytes.LongLength, a))]);
        (await _skopeo.CopyAsync($"oci:{layout}:{tag}", Skopeo.Docker(registry.Image(repository, tag)), destinationCreds: registry.Creds,
            extraArguments: ["--all"])).EnsureSuccess();
        return (index.Digest, images);
    }
}
