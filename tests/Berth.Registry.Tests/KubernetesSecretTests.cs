using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// imagePullSecret generation (<c>POST /api/v1/registries/{name}/kubernetes-secret</c> and <c>berth registry
/// k8s-secret</c>): the decoded <c>.dockerconfigjson</c> must equal what <c>kubectl create secret docker-registry
/// --dry-run=client</c> produces for the same server, username and password.
/// </summary>
public sealed class KubernetesSecretTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task SecretMatchesKubectlsDockerConfigJson()
    {
        var registry = await fixture.NewRegistryAsync("ks");
        using var response = await fixture.Admin.Http.PostAsJsonAsync(
            $"api/v1/registries/{registry.Name}/kubernetes-secret",
            new { @namespace = "shop", secretName = "shop-pull", password = registry.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        var yaml = await response.Content.ReadAsStringAsync();

        Assert.Contains("kind: Secret", yaml, StringComparison.Ordinal);
        Assert.Contains("type: kubernetes.io/dockerconfigjson", yaml, StringComparison.Ordinal);
        Assert.Contains("  name: shop-pull", yaml, StringComparison.Ordinal);
        Assert.Contains("  namespace: shop", yaml, StringComparison.Ordinal);

        var server = fixture.Server.Host;
        var kubectl = (await ProcessRunner.RunAsync("kubectl",
        [
            "create", "secret", "docker-registry", "shop-pull", "--namespace", "shop",
            $"--docker-server={server}", $"--docker-username={registry.Username}", $"--docker-password={registry.Password}",
            "--dry-run=client", "-o", "json",
        ])).EnsureSuccess();
        using var kubectlSecret = JsonDocument.Parse(kubectl.Stdout);
        var expected = Decode(kubectlSecret.RootElement.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!);

        AssertSameJson(expected, Decode(DockerConfigJsonOf(yaml)));
    }

    [Fact]
    public async Task CliPrintsTheSameSecret()
    {
        var registry = await fixture.NewRegistryAsync("ks");
        var result = (await ProcessRunner.RunAsync(BerthProcess.DotnetHost,
            [BerthProcess.BerthDll, "registry", "k8s-secret", registry.Name, "--namespace", "ci", "--secret-name", "pull", "--password-stdin"],
            new Dictionary<string, string?>
            {
                ["BERTH_URL"] = fixture.Server.BaseUrl.ToString(),
                ["BERTH_USERNAME"] = "admin",
                ["BERTH_PASSWORD"] = fixture.Server.AdminPassword,
            },
            standardInput: registry.Password + "\n")).EnsureSuccess();

        Assert.Contains("  namespace: ci", result.Stdout, StringComparison.Ordinal);
        using var config = JsonDocument.Parse(Decode(DockerConfigJsonOf(result.Stdout)));
        var entry = config.RootElement.GetProperty("auths").GetProperty(fixture.Server.Host);
        Assert.Equal(registry.Password, entry.GetProperty("password").GetString());
        Assert.Contains("imagePullSecrets", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongPasswordAndInvalidNamesAreRefused()
    {
        var registry = await fixture.NewRegistryAsync("ks");
        var path = $"api/v1/registries/{registry.Name}/kubernetes-secret";
        using (var wrong = await fixture.Admin.Http.PostAsJsonAsync(path, new { password = "not-the-password" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using (var invalid = await fixture.Admin.Http.PostAsJsonAsync(path, new { @namespace = "Bad_NS", password = registry.Password }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }
    }

    [Fact]
    public async Task ResetPasswordEmbedsTheNewPasswordAndRevokesTheOld()
    {
        var registry = await fixture.NewRegistryAsync("ks");
        using var response = await fixture.Admin.Http.PostAsJsonAsync(
            $"api/v1/registries/{registry.Name}/kubernetes-secret", new { resetPassword = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var config = JsonDocument.Parse(Decode(DockerConfigJsonOf(await response.Content.ReadAsStringAsync())));
        var newPassword = config.RootElement.GetProperty("auths").GetProperty(fixture.Server.Host).GetProperty("password").GetString()!;
        Assert.NotEqual(registry.Password, newPassword);

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicV2StatusAsync(http, registry.Username, registry.Password));
        Assert.Equal(HttpStatusCode.OK, await BasicV2StatusAsync(http, registry.Username, newPassword));
    }

    private static async Task<HttpStatusCode> BasicV2StatusAsync(HttpClient http, string username, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = ManagementClient.BasicAuth(username, password);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static string DockerConfigJsonOf(string yaml)
    {
        const string Key = ".dockerconfigjson:";
        var line = yaml.Split('\n').Single(l => l.TrimStart().StartsWith(Key, StringComparison.Ordinal));
        return line.Trim()[Key.Length..].Trim();
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    /// <summary>Same JSON values, whatever the key order or whitespace.</summary>
    private static void AssertSameJson(string expected, string actual)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        Assert.True(JsonElement.DeepEquals(e.RootElement, a.RootElement), $"expected {expected}\nactual   {actual}");
    }
}
