using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// <c>DELETE /api/v1/projects/{project}</c>: refused with 409 while the project has registries, unless confirmed with the
/// project's exact name; then its registries go through the registry deletion (credentials dead at once). The name is
/// free again, and the project's audit log (created, members changed, deleted) stays readable by administrators.
/// </summary>
public sealed class ProjectDeleteTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    private async Task<HttpResponseMessage> DeleteProjectAsync(string project, string? confirm)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/projects/{project}");
        if (confirm is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(new { confirm }), Encoding.UTF8, "application/json");
        }

        var response = await fixture.Admin.Http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<HttpStatusCode> StatusAsync(string path)
    {
        using var response = await fixture.Admin.Http.GetAsync(path);
        return response.StatusCode;
    }

    [Fact]
    public async Task AProjectWithRegistriesIsRefusedUnlessConfirmedThenGoesWithThem()
    {
        var project = (await fixture.Admin.CreateProjectAsync(Names.Unique("pd"))).Name;
        var first = await fixture.Admin.CreateRegistryAsync(project, Names.Unique("pda"));
        var second = await fixture.Admin.CreateRegistryAsync(project, Names.Unique("pdb"));
        var image = fixture.BuildImage(seed: 7101, layers: 1, tag: "v1");
        (await _skopeo.CopyAsync(image.OciReference, Skopeo.Docker(first.Image("app", "v1")), destinationCreds: first.Creds)).EnsureSuccess();

        foreach (var confirm in new string?[] { null, "", "wrong", project.ToUpperInvariant(), first.Name })
        {
            using var refused = await DeleteProjectAsync(project, confirm);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.Conflict, $"confirm '{confirm}': {(int)refused.StatusCode} {body}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains(first.Name, body, StringComparison.Ordinal);
            Assert.Contains("{\\\"confirm\\\":\\\"" + project + "\\\"}", body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync($"api/v1/projects/{project}"));
        Assert.True((await LoginAsync(_skopeo, fixture.Server.Host, first.Username, first.Password)).Succeeded);

        using (var deleted = await DeleteProjectAsync(project, project))
        {
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, await deleted.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"api/v1/projects/{project}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"api/v1/registries/{first.Name}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"api/v1/registries/{second.Name}"));
        Assert.DoesNotContain(project, (await fixture.Admin.GetRawJsonAsync("api/v1/projects")).ToString(), StringComparison.Ordinal);
        var login = await LoginAsync(_skopeo, fixture.Server.Host, first.Username, first.Password);
        Assert.False(login.Succeeded, "the deleted project's registry still accepts its password: " + login);

        // The audit log outlives the project: the registries' deletions and the project's own, by the administrator.
        var events = await AuditAsync(fixture.Admin, $"api/v1/projects/{project}/audit");
        var actions = events.Select(e => (Str(e, "action"), Str(e, "registry"))).ToList();
        Assert.Contains(("project.deleted", null), actions);
        Assert.Contains(("registry.deleted", first.Name), actions);
        Assert.Contains(("registry.deleted", second.Name), actions);
        Assert.Contains(("project.created", null), actions);
        var projectDeleted = events.First(e => Str(e, "action") == "project.deleted");
        Assert.Equal("admin", Str(projectDeleted, "actor"));
        Assert.Equal("127.0.0.1", Str(projectDeleted, "remoteAddress"));
        Assert.Equal("with 2 registries", Str(projectDeleted, "detail"));

        // The name is free: a new project of that name starts empty, with a log of its own.
        await fixture.Admin.CreateProjectAsync(project);
        var fresh = await AuditAsync(fixture.Admin, $"api/v1/projects/{project}/audit");
        Assert.Equal(["project.created"], fresh.Select(e => Str(e, "action")));
        Assert.Empty(await fixture.Admin.ListRegistriesAsync(project));
    }

    [Fact]
    public async Task AnEmptyProjectIsDeletedWithoutConfirmation()
    {
        var project = (await fixture.Admin.CreateProjectAsync(Names.Unique("pe"))).Name;
        using (var deleted = await DeleteProjectAsync(project, null))
        {
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, await deleted.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"api/v1/projects/{project}"));
        using var again = await DeleteProjectAsync(project, null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);

        // Registries can't be created in it any more.
        using var create = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/projects/{project}/registries", new { name = Names.Unique("pex") });
        Assert.Equal(HttpStatusCode.NotFound, create.StatusCode);
    }

    [Fact]
    public async Task OnlyOwnersDeleteAndMembersLoseAccess()
    {
        var project = (await fixture.Admin.CreateProjectAsync(Names.Unique("po"))).Name;
        var developer = Names.Unique("dev");
        const string Password = "developer-password-1";
        (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username = developer, password = Password })).EnsureSuccessStatusCode();
        (await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{developer}", new { role = "developer" })).EnsureSuccessStatusCode();
        using var asDeveloper = new ManagementClient(fixture.Server.BaseUrl, developer, Password);

        using (var forbidden = await asDeveloper.Http.DeleteAsync($"api/v1/projects/{project}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using (var deleted = await DeleteProjectAsync(project, null))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var me = await asDeveloper.GetRawJsonAsync("api/v1/users/me");
        Assert.Equal(0, me.GetProperty("projects").GetArrayLength());

        // Only administrators read a deleted project's log: for the former member it is gone like the project.
        using var audit = await asDeveloper.Http.GetAsync($"api/v1/projects/{project}/audit");
        Assert.Equal(HttpStatusCode.NotFound, audit.StatusCode);
        var actions = (await AuditAsync(fixture.Admin, $"api/v1/projects/{project}/audit")).Select(e => Str(e, "action")).ToList();
        Assert.Equal(["project.deleted", "project.member.set", "project.created"], actions);
    }

    [Fact]
    public async Task MemberChangesAreAudited()
    {
        var project = (await fixture.Admin.CreateProjectAsync(Names.Unique("pm"))).Name;
        var user = Names.Unique("mem");
        (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username = user, password = "member-password-12" })).EnsureSuccessStatusCode();
        (await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{user}", new { role = "viewer" })).EnsureSuccessStatusCode();
        (await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{project}/members/{user}", new { role = "owner" })).EnsureSuccessStatusCode();
        (await fixture.Admin.Http.DeleteAsync($"api/v1/projects/{project}/members/{user}")).EnsureSuccessStatusCode();

        var events = await AuditAsync(fixture.Admin, $"api/v1/projects/{project}/audit");
        Assert.Equal(
            [("project.member.removed", user), ("project.member.set", $"{user}: owner"), ("project.member.set", $"{user}: viewer"), ("project.created", null)],
            events.Select(e => (Str(e, "action"), Str(e, "detail"))));
        Assert.All(events, e => Assert.Equal(("admin", project), (Str(e, "actor"), Str(e, "project"))));
    }
}
