using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests;

/// <summary>The OpenAPI document of the management API and its interactive reference, which must work offline.</summary>
public sealed partial class OpenApiTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task TheDocumentDescribesTheManagementApiOnly()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var response = await http.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString());

        var paths = root.GetProperty("paths");
        var operations = paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Key: $"{o.Name.ToUpperInvariant()} {p.Name}", Operation: o.Value)))
            .ToDictionary(o => o.Key, o => o.Operation);
        const string Repositories = "/api/v1/registries/{name}/repositories";
        string[] expected =
        [
            $"GET {Repositories}",
            $"GET {Repositories}/{{repository}}/tags",
            $"GET {Repositories}/{{repository}}/artifacts",
            $"GET {Repositories}/{{repository}}/manifests/{{digest}}",
            $"DELETE {Repositories}/{{repository}}/manifests/{{digest}}",
            $"DELETE {Repositories}/{{repository}}/tags/{{tag}}",
            $"DELETE {Repositories}/{{repository}}",
            "GET /api/v1/registries/{name}/safety-report",
            "GET /api/v1/registries/{name}/vulnerabilities",
            "POST /api/v1/projects",
            "DELETE /api/v1/projects/{project}",
            "GET /api/v1/registries/{name}",
            "POST /api/v1/registries/{name}/federation",
            "GET /api/v1/registries/{name}/federation",
            "DELETE /api/v1/registries/{name}/federation/{id}",
            "GET /api/v1/registries/{name}/immutability",
            "PUT /api/v1/registries/{name}/immutability",
            "POST /api/v1/registries/{name}/password",
            "DELETE /api/v1/registries/{name}/password/previous",
            "GET /api/v1/registries/{name}/deleted",
            "POST /api/v1/registries/{name}/deleted/restore",
            "POST /api/v1/registries/{name}/tokens",
            "GET /api/v1/registries/{name}/tokens",
            "DELETE /api/v1/registries/{name}/tokens/{id}",
            "POST /api/v1/registries/{name}/credentials/revoke-all",
        ];
        foreach (var key in expected)
        {
            Assert.True(operations.ContainsKey(key), $"{key} is not in the document: {string.Join(", ", operations.Keys)}");
        }

        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o.Value.GetProperty("summary").GetString()), o.Key));
        Assert.All(paths.EnumerateObject(), p => Assert.StartsWith("/api/v1/", p.Name));
        var parameters = operations[$"DELETE {Repositories}/{{repository}}/tags/{{tag}}"].GetProperty("parameters")
            .EnumerateArray().Select(p => (p.GetProperty("name").GetString(), p.GetProperty("in").GetString()));
        Assert.Equal([("name", "path"), ("repository", "path"), ("tag", "path")], parameters);

        // The reset's optional body (read by hand, so that no body at all stays the instant reset) is described too.
        var resetBody = operations["POST /api/v1/registries/{name}/password"].GetProperty("requestBody");
        Assert.False(resetBody.TryGetProperty("required", out var required) && required.GetBoolean(), resetBody.ToString());
        Assert.Contains("keepPreviousFor", resetBody.GetProperty("content").GetProperty("application/json").GetRawText(), StringComparison.Ordinal);

        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("http", "basic"), (schemes.GetProperty("basic").GetProperty("type").GetString(), schemes.GetProperty("basic").GetProperty("scheme").GetString()));
        Assert.Equal(("http", "bearer"), (schemes.GetProperty("bearer").GetProperty("type").GetString(), schemes.GetProperty("bearer").GetProperty("scheme").GetString()));
        Assert.Equal(2, root.GetProperty("security").GetArrayLength());
    }

    [Fact]
    public async Task PagedListsDocumentTheirQueryParametersAndTheLinkHeader()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var document = JsonDocument.Parse(await http.GetStringAsync("openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[]
                 {
                     "/api/v1/projects/{project}/registries", "/api/v1/registries/{name}/repositories",
                     "/api/v1/projects/{project}/audit", "/api/v1/registries/{name}/audit",
                     "/api/v1/registries/{name}/repositories/{repository}/tags", "/api/v1/registries/{name}/repositories/{repository}/artifacts",
                     "/api/v1/registries/{name}/deleted",
                 })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            var query = get.GetProperty("parameters").EnumerateArray()
                .Where(p => p.GetProperty("in").GetString() == "query")
                .ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
            Assert.Equal(["after", "limit", "q", "sort"], query.Keys.Order(StringComparer.Ordinal));
            Assert.All(query.Values, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("description").GetString()), path));
            var ok = get.GetProperty("responses").GetProperty("200");
            Assert.True(ok.GetProperty("headers").TryGetProperty("Link", out _), $"{path}: no Link header documented");
            Assert.Equal("array", ok.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task TheReferencePageIsServedWithItsScriptFromBerth()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var page = await http.GetAsync("api/reference/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();

        // Every script comes from Berth itself (no CDN: Berth may run without internet access).
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.DoesNotContain("//", script);
            using var asset = await http.GetAsync("api/reference/" + script);
            Assert.Equal((script, HttpStatusCode.OK), (script, asset.StatusCode));
        }
    }

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
