using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Users, roles and personal access tokens on the management API: every role is held to what it may do, and a
/// project a user is not a member of does not exist for them.
/// </summary>
public sealed class UserApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task RolesLimitWhatMembersMayDoAndNonMembersSeeNothing()
    {
        var shop = await fixture.Admin.CreateProjectAsync(Names.Unique("shop"));
        var ops = await fixture.Admin.CreateProjectAsync(Names.Unique("ops"));
        var shopRegistry = await fixture.Admin.CreateRegistryAsync(shop.Name, Names.Unique("shopreg"));
        var opsRegistry = await fixture.Admin.CreateRegistryAsync(ops.Name, Names.Unique("opsreg"));
        var viewer = await NewUserAsync(shop.Name, "viewer");
        var developer = await NewUserAsync(shop.Name, "developer");
        var owner = await NewUserAsync(ops.Name, "owner");

        using var asViewer = Client(viewer, Password);
        Assert.Equal([shop.Name], await ProjectNamesAsync(asViewer));
        Assert.Equal(HttpStatusCode.OK, (await asViewer.GetAsync($"api/v1/registries/{shopRegistry.Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asViewer.GetAsync($"api/v1/registries/{shopRegistry.Name}/repositories")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asViewer.GetAsync($"api/v1/projects/{shop.Name}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsync($"api/v1/registries/{shopRegistry.Name}/password", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.DeleteAsync($"api/v1/registries/{shopRegistry.Name}?confirm={shopRegistry.Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PatchAsJsonAsync($"api/v1/registries/{shopRegistry.Name}", new { storageLimitGiB = 20 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsJsonAsync($"api/v1/projects/{shop.Name}/registries", new { name = Names.Unique("nope") })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PostAsJsonAsync($"api/v1/registries/{shopRegistry.Name}/kubernetes-secret", new { resetPassword = true })).StatusCode);

        // Another project's registry and the project itself: not found, exactly like names that don't exist.
        Assert.Equal(HttpStatusCode.NotFound, (await asViewer.GetAsync($"api/v1/registries/{opsRegistry.Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asViewer.GetAsync($"api/v1/projects/{ops.Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asViewer.PostAsync($"api/v1/registries/{opsRegistry.Name}/password", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asViewer.GetAsync($"api/v1/projects/{ops.Name}/audit")).StatusCode);

        using var asDeveloper = Client(developer, Password);
        Assert.Equal(HttpStatusCode.OK, (await asDeveloper.GetAsync($"api/v1/registries/{shopRegistry.Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asDeveloper.PostAsync($"api/v1/registries/{shopRegistry.Name}/password", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asDeveloper.DeleteAsync($"api/v1/registries/{shopRegistry.Name}?confirm={shopRegistry.Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asDeveloper.PatchAsJsonAsync($"api/v1/registries/{shopRegistry.Name}", new { storageLimitGiB = 20 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asDeveloper.PostAsJsonAsync($"api/v1/registries/{shopRegistry.Name}/kubernetes-secret", new { resetPassword = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asDeveloper.PutAsJsonAsync($"api/v1/projects/{shop.Name}/members/{viewer}", new { role = "owner" })).StatusCode);
        Assert.Equal(shopRegistry.Name, (await fixture.Admin.GetRegistryAsync(shopRegistry.Name)).Name);

        using var asOwner = Client(owner, Password);
        Assert.Equal([ops.Name], await ProjectNamesAsync(asOwner));
        Assert.Equal(HttpStatusCode.OK, (await asOwner.PostAsync($"api/v1/registries/{opsRegistry.Name}/password", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await asOwner.PostAsJsonAsync($"api/v1/projects/{ops.Name}/registries", new { name = Names.Unique("ownr") })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asOwner.GetAsync($"api/v1/registries/{shopRegistry.Name}")).StatusCode);

        // Only owners manage members; only administrators manage users.
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PutAsJsonAsync($"api/v1/projects/{shop.Name}/members/{viewer}", new { role = "owner" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asOwner.PutAsJsonAsync($"api/v1/projects/{ops.Name}/members/{viewer}", new { role = "viewer" })).StatusCode);
        Assert.Contains(ops.Name, await ProjectNamesAsync(asViewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await asOwner.PostAsJsonAsync("api/v1/users", new { username = Names.Unique("u"), password = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asOwner.GetAsync("api/v1/users")).StatusCode);
        using (var users = await fixture.Admin.Http.GetAsync("api/v1/users"))
        {
            Assert.Equal(HttpStatusCode.OK, users.StatusCode);
            Assert.Contains(owner, await users.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // An owner who is not an administrator deletes a registry of their project (with the exact name)...
        var doomed = await fixture.Admin.CreateRegistryAsync(ops.Name, Names.Unique("ownd"));
        Assert.Equal(HttpStatusCode.NoContent, (await asOwner.DeleteAsync($"api/v1/registries/{doomed.Name}?confirm={doomed.Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.GetAsync($"api/v1/registries/{doomed.Name}")).StatusCode);

        // ...and removes a member, who then sees the project no more.
        Assert.Equal(HttpStatusCode.NoContent, (await asOwner.DeleteAsync($"api/v1/projects/{ops.Name}/members/{viewer}")).StatusCode);
        Assert.DoesNotContain(ops.Name, await ProjectNamesAsync(asViewer));
        Assert.Equal(HttpStatusCode.NotFound, (await asViewer.GetAsync($"api/v1/registries/{opsRegistry.Name}")).StatusCode);
    }

    [Fact]
    public async Task ProjectCreatorBecomesItsOwner()
    {
        var user = await NewUserAsync(project: null, role: null);
        using var client = Client(user, Password);
        var name = Names.Unique("mine");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("api/v1/projects", new { name })).StatusCode);
        using var members = await client.GetAsync($"api/v1/projects/{name}/members");
        using var json = JsonDocument.Parse(await members.Content.ReadAsStringAsync());
        var member = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(user, member.GetProperty("username").GetString());
        Assert.Equal("owner", member.GetProperty("role").GetString());
    }

    [Fact]
    public async Task AccessTokensWorkAsBearerAndBasicUntilRevoked()
    {
        var user = await NewUserAsync(project: null, role: null);
        using var withPassword = Client(user, Password);
        using var created = await withPassword.PostAsJsonAsync("api/v1/users/me/tokens", new { name = "ci", expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("token").GetString()!;
        var id = json.RootElement.GetProperty("id").GetString()!;
        Assert.StartsWith("berth_pat_", token, StringComparison.Ordinal);

        using var bearer = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("api/v1/users/me")).StatusCode);
        using var basic = Client(user, token);
        Assert.Equal(HttpStatusCode.OK, (await basic.GetAsync("api/v1/users/me")).StatusCode);
        using var wrongUser = Client("admin", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongUser.GetAsync("api/v1/users/me")).StatusCode);

        // The list never shows the secret.
        var listed = await withPassword.GetStringAsync("api/v1/users/me/tokens");
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(token, listed, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await withPassword.DeleteAsync($"api/v1/users/me/tokens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("api/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await withPassword.DeleteAsync($"api/v1/users/me/tokens/{id}")).StatusCode);
    }

    [Fact]
    public async Task ChangingThePasswordRetiresTheOldOne()
    {
        var user = await NewUserAsync(project: null, role: null);
        using var client = Client(user, Password);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await client.PutAsJsonAsync("api/v1/users/me/password", new { currentPassword = "wrong", newPassword = "another long password" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent,
            (await client.PutAsJsonAsync("api/v1/users/me/password", new { currentPassword = Password, newPassword = "another long password" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/v1/users/me")).StatusCode);
        using var renewed = Client(user, "another long password");
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync("api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task InvalidUsersAreRefused()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username = "x", password = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username = Names.Unique("u"), password = "short" })).StatusCode);
        var name = await NewUserAsync(project: null, role: null);
        Assert.Equal(HttpStatusCode.Conflict, (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username = name, password = Password })).StatusCode);
    }

    [Fact]
    public async Task MemberChangesAreCheckedAndAudited()
    {
        var project = await fixture.Admin.CreateProjectAsync(Names.Unique("team"));
        var user = await NewUserAsync(project: null, role: null);
        var members = $"api/v1/projects/{project.Name}/members";

        // Only the three role names: not a number that happens to be a role's value, not "admin".
        foreach (var role in new[] { "3", "admin", "" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Admin.Http.PutAsJsonAsync($"{members}/{user}", new { role })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.PutAsJsonAsync($"{members}/no-such-user", new { role = "viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.DeleteAsync($"{members}/{user}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.Http.PutAsJsonAsync($"{members}/{user}", new { role = "developer" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.Http.DeleteAsync($"{members}/{user}")).StatusCode);
        var audit = await fixture.Admin.Http.GetStringAsync($"api/v1/projects/{project.Name}/audit");
        Assert.Contains("\"project.member.set\"", audit, StringComparison.Ordinal);
        Assert.Contains($"\"{user}: developer\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"project.member.removed\"", audit, StringComparison.Ordinal);
    }

    private async Task<string> NewUserAsync(string? project, string? role)
    {
        var username = Names.Unique("user");
        using var created = await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = Password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        if (project is not null)
        {
            using var member = await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{username}", new { role });
            Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        }

        return username;
    }

    private HttpClient Client(string username, string password)
    {
        var client = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(username, password);
        return client;
    }

    private static async Task<List<string>> ProjectNamesAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("api/v1/projects"));
        return json.RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
    }
}
