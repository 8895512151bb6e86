using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>The management API (<c>/api/v1</c>) as docs/api.md describes it.</summary>
public sealed class ManagementApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private ManagementClient Admin => fixture.Admin;

    [Fact]
    public async Task CreateProjectAndRegistry()
    {
        var projectName = Names.Unique("mp");
        var project = await Admin.CreateProjectAsync(projectName);
        Assert.Equal(projectName, project.Name);

        var registryName = Names.Unique("mr");
        var registry = await Admin.CreateRegistryAsync(projectName, registryName);
        Assert.Equal(registryName, registry.Name);
        Assert.Equal(projectName, registry.Project);
        Assert.Equal(registryName, registry.Username);
        Assert.Equal($"{fixture.Server.Host}/{registryName}", registry.Endpoint);
        Assert.True(registry.Password.Length >= 32, "password of " + registry.Password.Length + " characters");

        var fetched = await Admin.GetJsonAsync<ProjectInfo>($"api/v1/projects/{projectName}");
        Assert.Equal(1, fetched.RegistryCount);
        var projects = await Admin.GetJsonAsync<List<ProjectInfo>>("api/v1/projects");
        Assert.Contains(projects, p => p.Name == projectName);

        var listed = Assert.Single(await Admin.ListRegistriesAsync(projectName));
        Assert.Equal(registryName, listed.Name);
        Assert.Equal(registry.Endpoint, listed.Endpoint);

        var detail = await Admin.GetRegistryAsync(registryName);
        Assert.Equal(projectName, detail.Project);
        Assert.Equal(0, detail.StorageUsageBytes);
        Assert.Equal(0, detail.RepositoryCount);
        Assert.True(detail.StorageLimitBytes > 0);
    }

    [Fact]
    public async Task RegistryDetailAndListNeverContainSecrets()
    {
        var registry = await fixture.NewRegistryAsync("ms");
        var detail = await Admin.GetRawJsonAsync($"api/v1/registries/{registry.Name}");
        AssertNoSecrets(detail, registry.Password);
        var list = await Admin.GetRawJsonAsync($"api/v1/projects/{registry.Project}/registries");
        AssertNoSecrets(list, registry.Password);
    }

    [Fact]
    public async Task DuplicateNamesAreConflicts()
    {
        var registry = await fixture.NewRegistryAsync("md");
        using (var project = await Admin.Http.PostAsJsonAsync("api/v1/projects", new { name = registry.Project }))
        {
            Assert.Equal(HttpStatusCode.Conflict, project.StatusCode);
            await AssertProblemAsync(project);
        }

        using (var same = await Admin.Http.PostAsJsonAsync($"api/v1/projects/{registry.Project}/registries", new { name = registry.Name }))
        {
            Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);
        }

        // Registry names are unique across the whole server, not per project.
        var other = await Admin.CreateProjectAsync(Names.Unique("md2"));
        using var elsewhere = await Admin.Http.PostAsJsonAsync($"api/v1/projects/{other.Name}/registries", new { name = registry.Name });
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.StatusCode);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-lead")]
    [InlineData("trail-")]
    [InlineData("under_score")]
    [InlineData("dot.name")]
    [InlineData("")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public async Task InvalidNamesAreBadRequests(string name)
    {
        using (var project = await Admin.Http.PostAsJsonAsync("api/v1/projects", new { name }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, project.StatusCode);
            await AssertProblemAsync(project);
        }

        var existing = await Admin.CreateProjectAsync(Names.Unique("mi"));
        using var registry = await Admin.Http.PostAsJsonAsync($"api/v1/projects/{existing.Name}/registries", new { name });
        Assert.Equal(HttpStatusCode.BadRequest, registry.StatusCode);
    }

    [Fact]
    public async Task MissingOrWrongAdminCredentialsAreUnauthorized()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using (var response = await anonymous.GetAsync("api/v1/projects"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var wrong = new ManagementClient(fixture.Server.BaseUrl, "admin", fixture.Server.AdminPassword + "x");
        using (var response = await wrong.Http.GetAsync("api/v1/projects"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var response = await wrong.Http.PostAsJsonAsync("api/v1/projects", new { name = Names.Unique("mu") }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var otherUser = new ManagementClient(fixture.Server.BaseUrl, "root", fixture.Server.AdminPassword);
        using (var response = await otherUser.Http.GetAsync("api/v1/projects"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task UnknownProjectAndRegistryAreNotFound()
    {
        using (var project = await Admin.Http.GetAsync($"api/v1/projects/{Names.Unique("nx")}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, project.StatusCode);
        }

        using var registry = await Admin.Http.GetAsync($"api/v1/registries/{Names.Unique("nx")}");
        Assert.Equal(HttpStatusCode.NotFound, registry.StatusCode);
    }

    [Fact]
    public async Task StorageUsageCountsEachUniqueBlobOnce()
    {
        var registry = await fixture.NewRegistryAsync("mu");
        using var client = fixture.Client(registry);

        var shared = ImageContent.RandomBlob(10_000);
        var own = ImageContent.RandomBlob(3_000);
        var sharedDigest = await client.PushBlobAsync(registry.Repo("api/web"), shared);
        await client.PushBlobAsync(registry.Repo("worker"), shared);
        var ownDigest = await client.PushBlobAsync(registry.Repo("worker"), own);
        var configA = ImageContent.Config(sharedDigest, "a");
        var configB = ImageContent.Config(ownDigest, "b");
        var configADigest = await client.PushBlobAsync(registry.Repo("api/web"), configA);
        var configBDigest = await client.PushBlobAsync(registry.Repo("worker"), configB);
        var manifestA = ImageContent.Manifest((configADigest, configA.Length), (sharedDigest, shared.Length));
        var manifestB = ImageContent.Manifest((configBDigest, configB.Length), (sharedDigest, shared.Length), (ownDigest, own.Length));
        var digestA = await client.PushManifestAsync(registry.Repo("api/web"), "1.0", manifestA);
        await client.PushManifestAsync(registry.Repo("api/web"), "latest", manifestA);
        var digestB = await client.PushManifestAsync(registry.Repo("worker"), "1.0", manifestB);

        long blobs = shared.Length + own.Length + configA.Length + configB.Length;
        var withManifests = blobs + manifestA.Length + manifestB.Length;

        // Usage may be accounted asynchronously: poll briefly.
        RegistryDetail detail = null!;
        for (var attempt = 0; attempt < 25; attempt++)
        {
            detail = await Admin.GetRegistryAsync(registry.Name);
            if (detail.StorageUsageBytes == blobs || detail.StorageUsageBytes == withManifests)
            {
                break;
            }

            await Task.Delay(200);
        }

        // Whether manifests count as stored blobs is the server's choice; layers and configs count once each.
        Assert.True(detail.StorageUsageBytes == blobs || detail.StorageUsageBytes == withManifests,
            $"storageUsageBytes {detail.StorageUsageBytes}, expected {blobs} (layers+configs) or {withManifests} (with manifests)");
        Assert.Equal(2, detail.RepositoryCount);

        var repositories = await Admin.ListRepositoriesAsync(registry.Name);
        Assert.Equal(["api/web", "worker"], repositories.Select(r => r.Name).Order(StringComparer.Ordinal));
        var web = repositories.Single(r => r.Name == "api/web");
        Assert.Equal(2, web.TagCount);
        Assert.Equal(1, web.ArtifactCount);
        Assert.True(web.SizeBytes == shared.Length + configA.Length || web.SizeBytes == shared.Length + configA.Length + manifestA.Length,
            $"api/web sizeBytes {web.SizeBytes}");

        var tags = await Admin.ListTagsAsync(registry.Name, "api/web");
        Assert.Equal(["1.0", "latest"], tags.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tags, t => Assert.Equal(digestA, t.Digest));
        Assert.Equal(digestB, Assert.Single(await Admin.ListTagsAsync(registry.Name, "worker")).Digest);
    }

    private static void AssertNoSecrets(JsonElement element, string password)
    {
        Assert.DoesNotContain(password, element.GetRawText(), StringComparison.Ordinal);
        Walk(element);

        static void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in e.EnumerateObject())
                    {
                        // The one "password" field a detail has is a time (or null): until when a reset's previous password works.
                        if (property.Name == "previousPasswordValidUntil")
                        {
                            Assert.True(property.Value.ValueKind == JsonValueKind.Null || property.Value.TryGetDateTimeOffset(out _), property.Value.GetRawText());
                            continue;
                        }

                        Assert.DoesNotContain("password", property.Name, StringComparison.OrdinalIgnoreCase);
                        Assert.DoesNotContain("hash", property.Name, StringComparison.OrdinalIgnoreCase);
                        Assert.DoesNotContain("secret", property.Name, StringComparison.OrdinalIgnoreCase);
                        Walk(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)response.StatusCode, document.RootElement.GetProperty("status").GetInt32());
        Assert.True(document.RootElement.TryGetProperty("title", out _));
        OciAssert.NoStackTrace(document.RootElement.GetRawText());
    }
}
