using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>
/// <c>/api/v1/registries/{name}/federation</c> on a server with default settings (no http issuers trusted): rules are
/// created exactly as the example, listed and deleted, and every vague or unsafe rule is a 400 problem.
/// </summary>
public sealed class FederationRuleApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task ARuleIsCreatedListedAndDeleted()
    {
        var registry = await fixture.NewRegistryAsync("fedapi");
        var path = $"api/v1/registries/{registry.Name}/federation";
        using var created = await fixture.Admin.Http.PostAsync(path, Json("""
            {"name":"gha-main","issuer":"https://token.actions.githubusercontent.com","audience":"berth","claims":{"repository":"acme/app","ref":"refs/heads/main"},"scopes":["pull","push"],"repositories":["app/*"],"tokenLifetimeMinutes":15}
            """));
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        using var rule = JsonDocument.Parse(body);
        var id = rule.RootElement.GetProperty("id").GetString()!;
        Assert.Equal($"/{path}/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("gha-main", rule.RootElement.GetProperty("name").GetString());
        Assert.Equal("https://token.actions.githubusercontent.com", rule.RootElement.GetProperty("issuer").GetString());
        Assert.Equal("berth", rule.RootElement.GetProperty("audience").GetString());
        Assert.Equal("""{"repository":"acme/app","ref":"refs/heads/main"}""", rule.RootElement.GetProperty("claims").GetRawText());
        Assert.Equal("""["pull","push"]""", rule.RootElement.GetProperty("scopes").GetRawText());
        Assert.Equal("""["app/*"]""", rule.RootElement.GetProperty("repositories").GetRawText());
        Assert.Equal(15, rule.RootElement.GetProperty("tokenLifetimeMinutes").GetInt32());
        Assert.True(rule.RootElement.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));

        // The lifetime defaults to 15 minutes; the repositories to all.
        using var second = await fixture.Admin.Http.PostAsync(path, Json("""{"name":"gitlab","issuer":"https://gitlab.example.com","audience":"berth","scopes":["pull"]}"""));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        using var secondRule = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal(15, secondRule.RootElement.GetProperty("tokenLifetimeMinutes").GetInt32());
        Assert.Equal("[]", secondRule.RootElement.GetProperty("repositories").GetRawText());

        using (var duplicate = await fixture.Admin.Http.PostAsync(path, Json("""{"name":"gha-main","issuer":"https://x.example","audience":"berth","scopes":["pull"]}""")))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }

        using (var list = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync(path)))
        {
            Assert.Equal(["gha-main", "gitlab"], list.RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
            Assert.Equal(JsonValueKind.Null, list.RootElement[0].GetProperty("lastUsedAt").ValueKind);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.Http.DeleteAsync($"{path}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.DeleteAsync($"{path}/{id}")).StatusCode);
        using (var list = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync(path)))
        {
            Assert.Equal(["gitlab"], list.RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.Http.GetAsync("api/v1/registries/no-such-registry/federation")).StatusCode);
    }

    [Theory]
    [InlineData("http non-loopback issuer", """{"name":"a","issuer":"http://issuer.example","audience":"berth","scopes":["pull"]}""", "https")]
    [InlineData("http loopback issuer while not allowed", """{"name":"a","issuer":"http://127.0.0.1:8123","audience":"berth","scopes":["pull"]}""", "AllowHttpLoopbackIssuers")]
    [InlineData("http localhost issuer while not allowed", """{"name":"a","issuer":"http://localhost:8123","audience":"berth","scopes":["pull"]}""", "AllowHttpLoopbackIssuers")]
    [InlineData("another scheme", """{"name":"a","issuer":"ftp://issuer.example","audience":"berth","scopes":["pull"]}""", "https")]
    [InlineData("no issuer", """{"name":"a","audience":"berth","scopes":["pull"]}""", "issuer")]
    [InlineData("empty audience", """{"name":"a","issuer":"https://issuer.example","audience":" ","scopes":["pull"]}""", "audience")]
    [InlineData("no scopes", """{"name":"a","issuer":"https://issuer.example","audience":"berth","scopes":[]}""", "scopes")]
    [InlineData("unknown scope", """{"name":"a","issuer":"https://issuer.example","audience":"berth","scopes":["pull","admin"]}""", "scopes")]
    [InlineData("bad pattern", """{"name":"a","issuer":"https://issuer.example","audience":"berth","scopes":["pull"],"repositories":["App/*"]}""", "repositories")]
    [InlineData("lifetime too short", """{"name":"a","issuer":"https://issuer.example","audience":"berth","scopes":["pull"],"tokenLifetimeMinutes":4}""", "tokenLifetimeMinutes")]
    [InlineData("lifetime too long", """{"name":"a","issuer":"https://issuer.example","audience":"berth","scopes":["pull"],"tokenLifetimeMinutes":61}""", "tokenLifetimeMinutes")]
    [InlineData("no name", """{"issuer":"https://issuer.example","audience":"berth","scopes":["pull"]}""", "name")]
    [InlineData("a claim Berth checks itself", """{"name":"a","issuer":"https://issuer.example","audience":"berth","claims":{"aud":"x"},"scopes":["pull"]}""", "aud")]
    [InlineData("an empty claim value", """{"name":"a","issuer":"https://issuer.example","audience":"berth","claims":{"ref":""},"scopes":["pull"]}""", "ref")]
    public async Task AnInvalidRuleIsA400Problem(string why, string json, string mentioned)
    {
        var registry = await fixture.NewRegistryAsync("fedbad");
        using var response = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/federation", Json(json));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentioned, body, StringComparison.Ordinal);
        using var list = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry.Name}/federation"));
        Assert.Equal(0, list.RootElement.GetArrayLength());
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
