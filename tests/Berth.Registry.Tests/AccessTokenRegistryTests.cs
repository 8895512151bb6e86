using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Developers push and pull with their own personal access tokens (username + token, with docker-style clients);
/// viewers only pull; non-members get nothing; a revoked token stops working at once.
/// </summary>
public sealed class AccessTokenRegistryTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task DevelopersPushViewersPullOthersAreRefusedAndRevocationIsImmediate()
    {
        var project = await fixture.Admin.CreateProjectAsync(Names.Unique("pat"));
        var registry = await fixture.Admin.CreateRegistryAsync(project.Name, Names.Unique("patreg"));
        var (developer, developerToken, developerTokenId) = await UserWithTokenAsync(project.Name, "developer");
        var (viewer, viewerToken, _) = await UserWithTokenAsync(project.Name, "viewer");
        var (outsider, outsiderToken, _) = await UserWithTokenAsync(project: null, role: null);

        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 811, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("team/app", "v1"));

        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: $"{developer}:{developerToken}")).EnsureSuccess();
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, $"{viewer}:{viewerToken}"));

        var viewerPush = await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("team/app", "v2")), destinationCreds: $"{viewer}:{viewerToken}");
        Assert.False(viewerPush.Succeeded, "a viewer must not push");
        Assert.False((await skopeo.InspectAsync(remote, $"{outsider}:{outsiderToken}")).Succeeded, "a non-member must not pull");
        Assert.False((await skopeo.InspectAsync(remote, $"{viewer}:{developerToken}")).Succeeded, "a token only works with its owner's username");

        using (var user = Client(developer, Password))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await user.DeleteAsync($"api/v1/users/me/tokens/{developerTokenId}")).StatusCode);
        }

        Assert.False((await skopeo.InspectAsync(remote, $"{developer}:{developerToken}")).Succeeded, "a revoked token must not pull");
    }

    [Fact]
    public async Task BearerTokensIssuedToAnAccessTokenDieWithIt()
    {
        var project = await fixture.Admin.CreateProjectAsync(Names.Unique("pat"));
        var registry = await fixture.Admin.CreateRegistryAsync(project.Name, Names.Unique("patreg"));
        var (developer, token, tokenId) = await UserWithTokenAsync(project.Name, "developer");
        using var client = new RegistryClient(fixture.Server.BaseUrl, developer, token);
        var bearer = await client.GetTokenAsync($"repository:{registry.Repo("app")}:pull,push");

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(http, $"/v2/{registry.Repo("app")}/tags/list", bearer));

        using (var user = Client(developer, Password))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await user.DeleteAsync($"api/v1/users/me/tokens/{tokenId}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, $"/v2/{registry.Repo("app")}/tags/list", bearer));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<(string User, string Token, string TokenId)> UserWithTokenAsync(string? project, string? role)
    {
        var username = Names.Unique("dev");
        (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = Password })).EnsureSuccessStatusCode();
        if (project is not null)
        {
            (await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{username}", new { role })).EnsureSuccessStatusCode();
        }

        using var user = Client(username, Password);
        using var created = await user.PostAsJsonAsync("api/v1/users/me/tokens", new { name = "push" });
        created.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return (username, json.RootElement.GetProperty("token").GetString()!, json.RootElement.GetProperty("id").GetString()!);
    }

    private HttpClient Client(string username, string password)
    {
        var client = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(username, password);
        return client;
    }
}
