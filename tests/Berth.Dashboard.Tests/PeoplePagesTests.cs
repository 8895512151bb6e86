using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Berth.Dashboard.Tests;

/// <summary>
/// Users, project members and personal access tokens in the dashboard: the same rules as the management API (whose
/// services the pages call), every form answered 303 so a reload repeats nothing, a new token shown once.
/// </summary>
public sealed class PeoplePagesTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const string UserPassword = "people-password-123";

    [Fact]
    public async Task AdminCreatesAUserAndManagesTheirMembership()
    {
        var screens = new Screens(fixture.ScreenshotDir, "people", output);
        var team = await fixture.Admin.CreateProjectAsync(Names.Unique("team"));
        var other = await fixture.Admin.CreateProjectAsync(Names.Unique("other"));
        var username = Names.Unique("alice");

        var admin = await fixture.NewPageAsync();
        await admin.GotoAsync("/users");
        await SignInAsync(admin, "admin", fixture.Server.AdminPassword);
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Users", Exact = true })).ToBeVisibleAsync();
        await Expect(admin.Locator("tr[data-user='admin']")).ToContainTextAsync("Administrator");

        // A bad name comes back as the service's rule, after a redirect, with the name typed kept (never the password).
        await admin.GetByLabel("Username").FillAsync("Bad Name!");
        await admin.GetByLabel("Initial password").FillAsync(UserPassword);
        await SubmitAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }));
        await Expect(admin.Locator("#user-error")).ToContainTextAsync("Usernames are 3–63 characters");
        await Expect(admin.GetByLabel("Username")).ToHaveValueAsync("Bad Name!");
        await Expect(admin.GetByLabel("Initial password")).ToHaveValueAsync("");
        await admin.ReloadAsync();
        await Expect(admin.Locator("#user-error")).ToHaveCountAsync(0);

        // A weak password: refused, nothing created.
        await admin.GetByLabel("Username").FillAsync(username);
        await admin.GetByLabel("Initial password").FillAsync("short");
        await admin.GetByLabel("Initial password").EvaluateAsync("input => input.removeAttribute('minlength')");
        await SubmitAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }));
        await Expect(admin.Locator("#user-error")).ToContainTextAsync("at least 12 characters");
        await Expect(admin.Locator($"tr[data-user='{username}']")).ToHaveCountAsync(0);

        await admin.GetByLabel("Username").FillAsync(username);
        await admin.GetByLabel("Initial password").FillAsync(UserPassword);
        await SubmitAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }));
        await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync($"User {username} was created");
        await Expect(admin.Locator($"tr[data-user='{username}']")).ToContainTextAsync("User");
        await screens.ShootAsync(admin, "user-created");

        // A reload fetches the list again: no second create ("already exists"), and the notice was shown once.
        await admin.ReloadAsync();
        await Expect(admin.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        await Expect(admin.Locator("#user-error")).ToHaveCountAsync(0);
        await Expect(admin.Locator($"tr[data-user='{username}']")).ToHaveCountAsync(1);

        // Members: reached from the project's registries page; adding the new user as a developer.
        await admin.GotoAsync($"/projects/{team.Name}/registries");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Members" }).First.ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex($"/projects/{team.Name}/members$"));
        await admin.GetByLabel("Username").FillAsync("no-such-user");
        await SubmitAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = "Add member" }));
        await Expect(admin.Locator("#member-error")).ToContainTextAsync("There is no user named 'no-such-user'");
        await admin.GetByLabel("Username").FillAsync(username);
        await admin.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("developer");
        await SubmitAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = "Add member" }));
        await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync($"{username} is now developer of {team.Name}");
        var memberRow = admin.Locator($"tr[data-member='{username}']");
        await Expect(memberRow.Locator("select")).ToHaveValueAsync("developer");
        await screens.ShootAsync(admin, "member-added");
        await admin.ReloadAsync();
        await Expect(admin.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Contains("\"project.member.set\"", await AuditTextAsync(team.Name));

        // The user signs in and sees that project only; /users and other projects are closed to them.
        var alice = await fixture.NewPageAsync();
        await alice.GotoAsync("/projects");
        await SignInAsync(alice, username, UserPassword);
        await Expect(alice.Locator($"main a[href='/projects/{team.Name}/registries']")).ToBeVisibleAsync();
        await Expect(alice.Locator("main table tbody tr")).ToHaveCountAsync(1);
        await Expect(alice.Locator($"a[href='/projects/{other.Name}/registries']")).ToHaveCountAsync(0);
        await Expect(alice.Locator("nav.sidenav a[href='/users']")).ToHaveCountAsync(0);
        await Expect(alice.Locator("nav.sidenav a[href='/account']")).ToHaveCountAsync(1);
        await screens.ShootAsync(alice, "member-projects");
        var users = await alice.GotoAsync("/users");
        Assert.Equal(403, users!.Status);
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Forbidden" })).ToBeVisibleAsync();
        Assert.Equal(404, (await alice.GotoAsync($"/projects/{other.Name}/members"))!.Status);

        // A developer sees the members but gets no controls, and a forged form (with a valid antiforgery token) is refused.
        await alice.GotoAsync($"/projects/{team.Name}/members");
        await Expect(alice.Locator($"tr[data-member='{username}'] [data-role]")).ToHaveTextAsync("Developer");
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Add member" })).ToHaveCountAsync(0);
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = $"Remove {username}" })).ToHaveCountAsync(0);
        await screens.ShootAsync(alice, "members-readonly");
        var antiforgery = await AntiforgeryTokenAsync(alice);
        var forged = await alice.APIRequest.PostAsync($"/projects/{team.Name}/members?handler=Set", new()
        {
            Form = alice.APIRequest.CreateFormData().Set("Username", username).Set("Role", "owner").Set("__RequestVerificationToken", antiforgery),
            MaxRedirects = 0,
        });
        Assert.Equal(403, forged.Status);
        var mallory = Names.Unique("mallory");
        var createUser = await alice.APIRequest.PostAsync("/users", new()
        {
            Form = alice.APIRequest.CreateFormData().Set("Username", mallory).Set("Password", UserPassword).Set("Admin", "true")
                .Set("__RequestVerificationToken", antiforgery),
            MaxRedirects = 0,
        });
        Assert.Equal(403, createUser.Status);
        Assert.DoesNotContain(mallory, await UsernamesAsync());
        Assert.Equal("developer", await RoleOfAsync(team.Name, username));

        // Without the antiforgery token even the administrator's form post is refused.
        var noToken = await admin.APIRequest.PostAsync($"/projects/{team.Name}/members?handler=Set", new()
        {
            Form = admin.APIRequest.CreateFormData().Set("Username", username).Set("Role", "owner"),
            MaxRedirects = 0,
        });
        Assert.Equal(400, noToken.Status);
        Assert.Equal("developer", await RoleOfAsync(team.Name, username));

        // The administrator makes them owner from the row: now they manage members too.
        await admin.GotoAsync($"/projects/{team.Name}/members");
        await memberRow.Locator("select").SelectOptionAsync("owner");
        await SubmitAsync(admin, memberRow.GetByRole(AriaRole.Button, new() { Name = $"Change role of {username}" }));
        await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync($"{username} is now owner of {team.Name}");
        Assert.Equal("owner", await RoleOfAsync(team.Name, username));
        await alice.GotoAsync($"/projects/{team.Name}/members");
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Add member" })).ToBeVisibleAsync();
        await alice.SetViewportSizeAsync(390, 844);
        await alice.ReloadAsync();
        Assert.True(await alice.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the members page overflows at 390 px");
        await screens.ShootAsync(alice, "members-narrow");

        // Removal takes effect at once: the project is gone for them, and the removal is audited.
        await SubmitAsync(admin, memberRow.GetByRole(AriaRole.Button, new() { Name = $"Remove {username}" }));
        await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync($"{username} was removed from {team.Name}");
        await Expect(memberRow).ToHaveCountAsync(0);
        await screens.ShootAsync(admin, "member-removed");
        await admin.ReloadAsync();
        await Expect(admin.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Contains("\"project.member.removed\"", await AuditTextAsync(team.Name));
        Assert.Equal(404, (await alice.GotoAsync($"/projects/{team.Name}/registries"))!.Status);
        await alice.GotoAsync("/projects");
        await Expect(alice.GetByText("No projects yet")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AUserManagesTheirTokensAndPassword()
    {
        var screens = new Screens(fixture.ScreenshotDir, "account", output);
        var username = Names.Unique("bob");
        using (var created = await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = UserPassword }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/account");
        await SignInAsync(page, username, UserPassword);
        await Expect(page.Locator("#no-tokens")).ToBeVisibleAsync();
        await screens.ShootAsync(page, "account-empty");

        // A nameless token is refused with the rule.
        await page.GetByLabel("Token name").EvaluateAsync("input => input.removeAttribute('required')");
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create token" }));
        await Expect(page.Locator("#token-error")).ToContainTextAsync("A token needs a name");
        await Expect(page.Locator("#new-token")).ToHaveCountAsync(0);

        // Created: the token is on the GET after the redirect, once.
        await page.GetByLabel("Token name").FillAsync("ci deploy");
        await page.GetByLabel("Expires after").SelectOptionAsync("30");
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create token" }));
        await Expect(page.GetByText("It is shown only once.")).ToBeVisibleAsync();
        var token = (await page.Locator("#new-token").TextContentAsync())!.Trim();
        Assert.StartsWith("berth_pat_", token);
        var row = page.Locator("tr[data-token]").Filter(new() { HasText = "ci deploy" });
        await Expect(row.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "active");
        await Expect(row.Locator("[data-last-used]")).ToHaveTextAsync("never");
        await Expect(row).ToContainTextAsync(DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await screens.ShootAsync(page, "token-created");

        // It authenticates against the management API, as Bearer and as the password of HTTP Basic.
        using var api = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        Assert.Equal(username, await MeAsync(api, new AuthenticationHeaderValue("Bearer", token)));
        Assert.Equal(username, await MeAsync(api, ManagementClient.BasicAuth(username, token)));

        // A reload shows the token no more; the list now says when it was last used.
        await page.ReloadAsync();
        await Expect(page.Locator("#new-token")).ToHaveCountAsync(0);
        await Expect(page.GetByText("It is shown only once.")).ToHaveCountAsync(0);
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
        await Expect(row.Locator("[data-last-used]")).Not.ToHaveTextAsync("never");
        Assert.Single(await TokensAsync(api, token));

        // Revoked: it stops working at once.
        await SubmitAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Revoke ci deploy" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The token was revoked");
        await Expect(row.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "revoked");
        await Expect(row.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await screens.ShootAsync(page, "token-revoked");
        using (var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/me"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var refused = await api.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);

        // On a phone the token table scrolls inside its card; the page itself does not widen.
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the account page overflows at 390 px");
        await screens.ShootAsync(page, "account-narrow");
        await page.SetViewportSizeAsync(1280, 800);

        // Password: a wrong current password is refused; the right one changes it and this session stays signed in.
        const string NewPassword = "people-password-456";
        await page.GetByLabel("Current password").FillAsync("not-my-password-at-all");
        await page.GetByLabel("New password").FillAsync(NewPassword);
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Change password" }));
        await Expect(page.Locator("#password-error")).ToContainTextAsync("The current password is not correct");
        Assert.Equal(username, await MeAsync(api, ManagementClient.BasicAuth(username, UserPassword)));

        await page.GetByLabel("Current password").FillAsync(UserPassword);
        await page.GetByLabel("New password").FillAsync(NewPassword);
        await SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Change password" }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your password was changed");
        await page.ReloadAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToBeVisibleAsync();
        Assert.Equal(username, await MeAsync(api, ManagementClient.BasicAuth(username, NewPassword)));
        using (var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/me"))
        {
            request.Headers.Authorization = ManagementClient.BasicAuth(username, UserPassword);
            using var old = await api.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }

        await screens.ShootAsync(page, "password-changed");
    }

    /// <summary>Submits a form and checks it was answered 303 to a page that then loaded with 200.</summary>
    private static async Task SubmitAsync(IPage page, ILocator button)
    {
        // The page the redirect leads to: its request knows the POST it came from from the start (the reverse link may
        // not be set yet when the 303 itself is reported).
        var landed = await page.RunAndWaitForResponseAsync(() => button.ClickAsync(),
            response => response.Request.Method == "GET" && response.Request.RedirectedFrom?.Method == "POST");
        Assert.Equal(200, landed.Status);
        var post = await landed.Request.RedirectedFrom!.ResponseAsync();
        Assert.Equal(303, post!.Status);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static async Task<string> AntiforgeryTokenAsync(IPage page)
    {
        await page.GotoAsync("/account");
        return (await page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value"))!;
    }

    private static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("/login"));
    }

    private static async Task<string?> MeAsync(HttpClient api, AuthenticationHeaderValue credentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/me");
        request.Headers.Authorization = credentials;
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("username").GetString();
    }

    private static async Task<IReadOnlyList<JsonElement>> TokensAsync(HttpClient api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/me/tokens");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    private async Task<string> AuditTextAsync(string project)
    {
        using var response = await fixture.Admin.Http.GetAsync($"api/v1/projects/{project}/audit");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<IEnumerable<string>> UsernamesAsync() =>
        (await fixture.Admin.GetRawJsonAsync("api/v1/users")).EnumerateArray().Select(u => u.GetProperty("username").GetString()!);

    private async Task<string?> RoleOfAsync(string project, string username) =>
        (await fixture.Admin.GetRawJsonAsync($"api/v1/projects/{project}/members")).EnumerateArray()
            .Where(m => m.GetProperty("username").GetString() == username).Select(m => m.GetProperty("role").GetString()).SingleOrDefault();
}
